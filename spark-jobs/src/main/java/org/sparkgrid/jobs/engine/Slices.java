package org.sparkgrid.jobs.engine;

import org.sparkgrid.core.math.WeightedAverage;

/**
 * How the peer exchange cuts a vector among its workers, and what each owner computes, as pure
 * arithmetic: worker {@code s} of {@code W} owns the contiguous slice {@code [start(n, W, s), start(n, W, s + 1))}
 * of an {@code n}-float vector; it receives that slice from every other worker, computes their
 * example-weighted mean and sends it back (reduce-scatter, then all-gather).
 *
 * <pre>{@code
 * Slices.start(10, 3, 1);            // 3: the slices are [0,3) [3,6) [6,10)
 * Slices.wireFloatsPerWorker(10, 3, 2); // 6 + 2 x 4 = 14 floats sent by worker 2, and as many received
 * }</pre>
 */
final class Slices {
  private Slices() {}

  /** First element of slice {@code s} of {@code parts} near-equal contiguous slices of {@code [0, n)}. */
  static int start(int n, int parts, int s) {
    if (parts < 1 || s < 0 || s > parts || n < 0) {
      throw new IllegalArgumentException("slice " + s + " of " + parts + " of " + n + " floats is out of range");
    }
    return (int) ((long) n * s / parts);
  }

  /** Elements in slice {@code s}. */
  static int length(int n, int parts, int s) {
    return start(n, parts, s + 1) - start(n, parts, s);
  }

  /**
   * Floats worker {@code w} sends in one averaging when every worker has examples (it receives as many):
   * every other worker's slice of its vector on the way in, and its own mean slice to each of the
   * {@code W - 1} others on the way out; {@code n + (W - 2) x n / W}, about {@code 2 (W - 1) / W x n},
   * whatever {@code W}. With one worker, 0.
   */
  static long wireFloatsPerWorker(int n, int parts, int w) {
    int own = length(n, parts, w);
    return (long) (n - own) + (long) (parts - 1) * own;
  }

  /**
   * The example-weighted mean of one slice, with exactly the operations of
   * {@link WeightedAverage#average}: per element, {@code 0 + v_0 x w_0 + v_1 x w_1 + ...} in worker
   * order, skipping weight 0, then times {@code (float) (1.0 / total)}; so the slices a peer exchange
   * assembles equal, bit for bit, the mean one JVM computes of the whole vectors. With one worker of
   * weight above 0, its slice unchanged (as the driver's exchange returns it).
   *
   * @param slices  per worker, an array holding its slice at {@code offsets[k]} ({@code null} where its weight is 0)
   * @param offsets where each worker's slice starts in its array
   * @param weights each worker's examples since the last averaging, >= 0
   * @param length  elements in the slice
   * @return the mean slice, or {@code null} when every weight is 0
   */
  static float[] weightedMean(float[][] slices, int[] offsets, long[] weights, int length) {
    long total = 0;
    int contributors = 0;
    int only = -1;
    for (int k = 0; k < weights.length; k++) {
      if (weights[k] < 0) {
        throw new IllegalArgumentException("worker " + k + " has weight " + weights[k] + "; weights must be >= 0");
      }
      if (weights[k] > 0) {
        total = Math.addExact(total, weights[k]);
        contributors++;
        only = k;
      }
    }
    if (contributors == 0) {
      return null;
    }
    float[] mean = new float[length];
    if (contributors == 1) {
      System.arraycopy(slices[only], offsets[only], mean, 0, length);
      return mean;
    }
    for (int k = 0; k < weights.length; k++) {
      if (weights[k] > 0) {
        WeightedAverage.accumulate(mean, 0, slices[k], offsets[k], length, (float) weights[k]);
      }
    }
    WeightedAverage.scale(mean, (float) (1.0 / total), 0, length);
    return mean;
  }
}
