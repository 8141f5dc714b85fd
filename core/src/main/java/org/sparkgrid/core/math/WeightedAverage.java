package org.sparkgrid.core.math;

import java.util.List;
import java.util.Objects;

/**
 * The average of parameter vectors weighted by example counts, as Flower's FedAvg and SparkGrid's
 * parameter averaging compute it: {@code sum_k(n_k * v_k) / sum_k(n_k)}. A worker or site that
 * saw twice the examples counts twice; with equal counts this is the plain mean.
 *
 * <pre>{@code
 * float[] merged = WeightedAverage.average(List.of(new float[] {2}, new float[] {1}, new float[] {2}),
 *     new long[] {1, 2, 1});   // {1.5}
 * }</pre>
 *
 * <p>Arithmetic is in float, in the order of the list: for each element, the weighted values are
 * summed vector by vector, then multiplied by {@code (float) (1.0 / totalWeight)}. Weights are
 * converted to float (exact up to 2^24 examples per vector). {@link #averageParallel} does exactly
 * the same operations per element, so its result equals {@link #average}'s bit for bit.
 *
 * <p>NaN and infinite inputs are not refused: they propagate to the elements they touch (a NaN in
 * one vector makes that element NaN in the average). Vectors of weight 0 are skipped, so they
 * contribute nothing, not even their NaNs. Callers that must refuse such updates check first.
 */
public final class WeightedAverage {

  private WeightedAverage() {}

  /**
   * The weighted average of equally long vectors.
   *
   * @param vectors the vectors; none is modified
   * @param weights one non-negative weight per vector (its example count), not all zero
   * @return a new vector
   * @throws IllegalArgumentException naming the index if a vector is null or of another length
   *     than {@code vectors[0]}, a weight is negative, the counts differ, the list is empty, or
   *     every weight is 0
   */
  public static float[] average(List<float[]> vectors, long[] weights) {
    float factor = checkAndGetFactor(vectors, weights);
    float[] sum = new float[vectors.get(0).length];
    sumSlice(sum, vectors, weights, factor, 0, sum.length);
    return sum;
  }

  /**
   * {@link #average}, with the index range split into {@code threads} contiguous slices summed
   * concurrently. The result equals {@link #average}'s bit for bit.
   *
   * @param threads how many threads to use, >= 1 (at most one per element is used); the calling
   *     thread is one of them
   * @throws IllegalArgumentException as {@link #average}, or if {@code threads < 1}
   * @throws IllegalStateException if the calling thread is interrupted while waiting (its interrupt
   *     flag is set again)
   */
  public static float[] averageParallel(List<float[]> vectors, long[] weights, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads is " + threads + "; must be at least 1");
    }
    float factor = checkAndGetFactor(vectors, weights);
    int n = vectors.get(0).length;
    float[] sum = new float[n];
    int slices = Math.max(1, Math.min(threads, n));
    Thread[] workers = new Thread[slices - 1];
    for (int s = 1; s < slices; s++) {
      int from = sliceStart(n, slices, s);
      int to = sliceStart(n, slices, s + 1);
      workers[s - 1] = new Thread(() -> sumSlice(sum, vectors, weights, factor, from, to), "weighted-average-" + s);
      workers[s - 1].start();
    }
    sumSlice(sum, vectors, weights, factor, 0, sliceStart(n, slices, 1));
    try {
      for (Thread w : workers) {
        w.join(); // join also makes the worker's writes visible here
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while averaging", e);
    }
    return sum;
  }

  /**
   * Adds {@code weight * v[i]} to {@code sum[i]} for {@code i} in {@code [from, to)}: one step of a
   * weighted sum, e.g. of one shard of a sharded merge.
   *
   * @throws IllegalArgumentException if the arrays differ in length
   * @throws IndexOutOfBoundsException if {@code [from, to)} is not within them
   */
  public static void accumulate(float[] sum, float[] v, float weight, int from, int to) {
    if (sum.length != v.length) {
      throw new IllegalArgumentException("sum has length " + sum.length + " but v has length " + v.length);
    }
    Objects.checkFromToIndex(from, to, sum.length);
    accumulate(sum, from, v, from, to - from, weight);
  }

  /**
   * Adds {@code weight * v[vFrom + j]} to {@code sum[sumFrom + j]} for {@code j} in {@code [0, length)}:
   * {@link #accumulate(float[], float[], float, int, int)} where the sum holds only a range of the
   * vector (one shard of a sharded merge), with the same operations per element.
   *
   * @throws IndexOutOfBoundsException if a range is not within its array
   */
  public static void accumulate(float[] sum, int sumFrom, float[] v, int vFrom, int length, float weight) {
    Objects.checkFromIndexSize(sumFrom, length, sum.length);
    Objects.checkFromIndexSize(vFrom, length, v.length);
    for (int j = 0; j < length; j++) {
      sum[sumFrom + j] += v[vFrom + j] * weight;
    }
  }

  /**
   * Multiplies {@code v[i]} by {@code factor} for {@code i} in {@code [from, to)}, e.g. by
   * {@code 1 / totalWeight} after {@link #accumulate}.
   *
   * @throws IndexOutOfBoundsException if {@code [from, to)} is not within {@code v}
   */
  public static void scale(float[] v, float factor, int from, int to) {
    Objects.checkFromToIndex(from, to, v.length);
    for (int i = from; i < to; i++) {
      v[i] *= factor;
    }
  }

  /** Sums one slice in list order, then scales it: the same operations for every element, whatever the slicing. */
  private static void sumSlice(float[] sum, List<float[]> vectors, long[] weights, float factor, int from, int to) {
    for (int k = 0; k < vectors.size(); k++) {
      if (weights[k] != 0) {
        accumulate(sum, vectors.get(k), (float) weights[k], from, to);
      }
    }
    scale(sum, factor, from, to);
  }

  /** Start of slice {@code s} of {@code slices} near-equal contiguous slices of {@code [0, n)}. */
  private static int sliceStart(int n, int slices, int s) {
    return (int) ((long) n * s / slices);
  }

  /** Checks the arguments and returns {@code 1 / totalWeight} as a float. */
  private static float checkAndGetFactor(List<float[]> vectors, long[] weights) {
    Objects.requireNonNull(vectors, "vectors");
    Objects.requireNonNull(weights, "weights");
    if (vectors.isEmpty()) {
      throw new IllegalArgumentException("no vectors to average");
    }
    if (vectors.size() != weights.length) {
      throw new IllegalArgumentException(
          vectors.size() + " vectors but " + weights.length + " weights; need one weight per vector");
    }
    float[] first = vectors.get(0);
    if (first == null) {
      throw new IllegalArgumentException("vectors[0] is null");
    }
    long total = 0;
    for (int k = 0; k < weights.length; k++) {
      float[] v = vectors.get(k);
      if (v == null) {
        throw new IllegalArgumentException("vectors[" + k + "] is null");
      }
      if (v.length != first.length) {
        throw new IllegalArgumentException(
            "vectors[" + k + "] has length " + v.length + " but vectors[0] has length " + first.length);
      }
      if (weights[k] < 0) {
        throw new IllegalArgumentException("weights[" + k + "] is " + weights[k] + "; weights must be >= 0");
      }
      total = Math.addExact(total, weights[k]);
    }
    if (total == 0) {
      throw new IllegalArgumentException("every weight is 0; at least one must be positive");
    }
    return (float) (1.0 / total);
  }
}
