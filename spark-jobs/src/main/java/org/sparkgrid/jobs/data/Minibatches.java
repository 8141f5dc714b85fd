package org.sparkgrid.jobs.data;

import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cuts an {@link ExampleShard} into DL4J minibatches: features as a flat float matrix
 * {@code [batch, numFeatures]} (image networks read it with {@code InputType.convolutionalFlat}),
 * labels one-hot {@code [batch, numClasses]}, normalized by the fitted normalizer.
 *
 * <pre>{@code
 * int[] order = Minibatches.shuffledOrder(shard.count(), seed + epoch);
 * for (int b = 0; b < Minibatches.numBatches(shard.count(), 64); b++) {
 *   int from = b * 64;
 *   DataSet ds = Minibatches.batch(shard, order, from, Math.min(from + 64, shard.count()), 10, norm);
 *   net.fit(ds);
 * }
 * }</pre>
 */
public final class Minibatches {

  private Minibatches() {}

  /**
   * Examples {@code order[from..to)} (or {@code from..to} when {@code order} is null) as one
   * minibatch.
   *
   * @param s          the examples
   * @param order      a permutation of {@code 0..s.count()-1}, or {@code null} for natural order
   * @param from       first position in {@code order}, inclusive
   * @param to         last position in {@code order}, exclusive; {@code from < to <= s.count()}
   * @param numClasses width of the one-hot labels
   * @param norm       applied to the features; {@code null}: raw features
   * @throws IllegalArgumentException if the range is empty or out of bounds, {@code order} has the
   *     wrong length or an index out of range, {@code numClasses < 1}, or a label is
   *     {@code >= numClasses}
   */
  public static DataSet batch(ExampleShard s, int[] order, int from, int to, int numClasses, DataNormalization norm) {
    Objects.requireNonNull(s, "s");
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be >= 1, was " + numClasses);
    }
    if (order != null && order.length != s.count()) {
      throw new IllegalArgumentException(
          "order has " + order.length + " indices but the shard has " + s.count() + " examples");
    }
    if (from < 0 || to > s.count() || from >= to) {
      throw new IllegalArgumentException(
          "batch range [" + from + ", " + to + ") must be non-empty and within [0, " + s.count() + ")");
    }
    int size = to - from;
    int d = s.numFeatures();
    float[] x = new float[size * d];
    float[] y = new float[size * numClasses];
    float[] features = s.features();
    int[] labels = s.labels();
    for (int i = 0; i < size; i++) {
      int example = order == null ? from + i : order[from + i];
      if (example < 0 || example >= s.count()) {
        throw new IllegalArgumentException("order[" + (from + i) + "] = " + example + " is not an example index");
      }
      int label = labels[example];
      if (label >= numClasses) {
        throw new IllegalArgumentException(
            "example " + example + " has label " + label + ", not below numClasses " + numClasses);
      }
      System.arraycopy(features, example * d, x, i * d, d);
      y[i * numClasses + label] = 1f;
    }
    DataSet ds = new DataSet(
        Nd4j.create(x, new long[] {size, d}, DataType.FLOAT),
        Nd4j.create(y, new long[] {size, numClasses}, DataType.FLOAT));
    if (norm != null) {
      norm.preProcess(ds);
    }
    return ds;
  }

  /**
   * A permutation of {@code 0..count-1}, the same for the same seed: Fisher-Yates driven by
   * {@link SplittableRandom}{@code (seed)}.
   *
   * @throws IllegalArgumentException if {@code count < 0}
   */
  public static int[] shuffledOrder(int count, long seed) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, was " + count);
    }
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = count - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /**
   * The whole shard as minibatches of {@code batchSize} in natural order (the last one possibly
   * smaller): for evaluation, and for engines that take prepared minibatches.
   */
  public static java.util.List<DataSet> all(ExampleShard s, int batchSize, int numClasses, DataNormalization norm) {
    java.util.List<DataSet> out = new java.util.ArrayList<>(numBatches(s.count(), batchSize));
    for (int from = 0; from < s.count(); from += batchSize) {
      out.add(batch(s, null, from, Math.min(from + batchSize, s.count()), numClasses, norm));
    }
    return out;
  }

  /**
   * Minibatches of at most {@code batchSize} in {@code count} examples: {@code ceil(count / batchSize)},
   * the last one possibly smaller.
   *
   * @throws IllegalArgumentException if {@code count < 0} or {@code batchSize < 1}
   */
  public static int numBatches(int count, int batchSize) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, was " + count);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
    }
    return (int) (((long) count + batchSize - 1) / batchSize);
  }
}
