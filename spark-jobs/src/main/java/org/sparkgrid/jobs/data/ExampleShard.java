package org.sparkgrid.jobs.data;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A block of labelled examples held in two flat arrays: the raw features, row-major
 * ({@code count x numFeatures}), and one 0-based class per example.
 *
 * <p>Features are the values as read (0-255 for pixels); normalization happens later, in
 * {@link Minibatches}, so that the fitted normalizer can travel with the model. The shape is that of
 * one example without the batch dimension: {@code {channels, height, width}} for images, {@code {d}}
 * for CSV rows.
 *
 * <p>Instances are immutable by contract: {@link #features()} and {@link #labels()} return the
 * backing arrays, without a copy, and callers must not modify them.
 *
 * <pre>{@code
 * ExampleShard s = ExampleShard.of(new int[] {1, 2, 2},
 *     new float[] {0, 255, 255, 0,   10, 20, 30, 40}, new int[] {3, 7});
 * s.count();        // 2
 * s.numFeatures();  // 4
 * s.slice(1, 2);    // the second image only
 * }</pre>
 */
public final class ExampleShard implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int[] shape;
  private final int numFeatures;
  private final float[] features;
  private final int[] labels;

  private ExampleShard(int[] shape, float[] features, int[] labels) {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(labels, "labels");
    this.numFeatures = numFeatures(shape);
    this.shape = shape.clone();
    long expected = (long) labels.length * numFeatures;
    if (features.length != expected) {
      throw new IllegalArgumentException(
          "features has " + features.length + " values but " + labels.length + " labels x "
              + numFeatures + " features per example " + Arrays.toString(shape) + " need " + expected);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("label of example " + i + " is " + labels[i] + ", must be >= 0");
      }
    }
    this.features = features;
    this.labels = labels;
  }

  /**
   * A shard over the given arrays (not copied: the caller hands them over).
   *
   * @param shape    one example's dimensions, each >= 1
   * @param features {@code labels.length * product(shape)} raw values, row-major
   * @param labels   one class >= 0 per example
   * @throws IllegalArgumentException if a dimension is < 1, the lengths disagree, or a label is negative
   */
  public static ExampleShard of(int[] shape, float[] features, int[] labels) {
    return new ExampleShard(shape, features, labels);
  }

  /**
   * A shard with no examples.
   *
   * @throws IllegalArgumentException if a dimension of {@code shape} is < 1
   */
  public static ExampleShard empty(int[] shape) {
    return new ExampleShard(shape, new float[0], new int[0]);
  }

  /**
   * The examples of all shards, in list order (the arrays are copied).
   *
   * @throws IllegalArgumentException if the list is empty or the shapes differ, naming the first
   *     shard whose shape differs from the first one's
   */
  public static ExampleShard concat(List<ExampleShard> shards) {
    Objects.requireNonNull(shards, "shards");
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("cannot concatenate an empty list of shards: no shape");
    }
    int[] shape = shards.get(0).shape;
    long total = 0;
    for (int i = 0; i < shards.size(); i++) {
      ExampleShard s = shards.get(i);
      if (!Arrays.equals(s.shape, shape)) {
        throw new IllegalArgumentException(
            "shard " + i + " has shape " + Arrays.toString(s.shape) + " but shard 0 has " + Arrays.toString(shape));
      }
      total += s.count();
    }
    int numFeatures = shards.get(0).numFeatures;
    checkSize(total, numFeatures);
    float[] features = new float[(int) (total * numFeatures)];
    int[] labels = new int[(int) total];
    int at = 0;
    for (ExampleShard s : shards) {
      System.arraycopy(s.features, 0, features, at * numFeatures, s.features.length);
      System.arraycopy(s.labels, 0, labels, at, s.labels.length);
      at += s.count();
    }
    return new ExampleShard(shape, features, labels);
  }

  /** Number of examples. */
  public int count() {
    return labels.length;
  }

  /** One example's dimensions, without the batch dimension (a copy). */
  public int[] shape() {
    return shape.clone();
  }

  /** Values per example: the product of {@link #shape()}. */
  public int numFeatures() {
    return numFeatures;
  }

  /** The raw features, row-major {@code count x numFeatures}: the backing array, do not modify. */
  public float[] features() {
    return features;
  }

  /** The 0-based class of each example: the backing array, do not modify. */
  public int[] labels() {
    return labels;
  }

  /**
   * Examples {@code [from, to)} as a new shard (the arrays are copied).
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= count()}
   */
  public ExampleShard slice(int from, int to) {
    Objects.checkFromToIndex(from, to, count());
    return new ExampleShard(
        shape,
        Arrays.copyOfRange(features, from * numFeatures, to * numFeatures),
        Arrays.copyOfRange(labels, from, to));
  }

  /** The largest label in the shard, or -1 if it holds no example. */
  public int maxLabel() {
    int max = -1;
    for (int l : labels()) {
      max = Math.max(max, l);
    }
    return max;
  }

  /**
   * The bounds of block {@code shard} when {@code count} examples are cut into {@code numShards}
   * contiguous blocks: {@code [shard*count/numShards, (shard+1)*count/numShards)}. Block sizes differ
   * by at most one, and the blocks cover {@code [0, count)} exactly once.
   *
   * @return {@code {from, to}}
   * @throws IllegalArgumentException unless {@code count >= 0}, {@code numShards >= 1} and
   *     {@code 0 <= shard < numShards}
   */
  public static int[] blockBounds(int count, int shard, int numShards) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, was " + count);
    }
    if (numShards < 1) {
      throw new IllegalArgumentException("numShards must be >= 1, was " + numShards);
    }
    if (shard < 0 || shard >= numShards) {
      throw new IllegalArgumentException("shard must be in [0, " + numShards + "), was " + shard);
    }
    return new int[] {
      (int) ((long) shard * count / numShards), (int) ((long) (shard + 1) * count / numShards)
    };
  }

  static int numFeatures(int[] shape) {
    if (shape.length == 0) {
      throw new IllegalArgumentException("shape must have at least one dimension");
    }
    long n = 1;
    for (int d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a dimension < 1");
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31-1 features");
      }
    }
    return (int) n;
  }

  /** Throws if {@code count x numFeatures} values do not fit in one Java array. */
  static void checkSize(long count, int numFeatures) {
    if (count * numFeatures > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          count + " examples x " + numFeatures + " features do not fit in one shard (at most 2^31-9 values);"
              + " use more shards");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExampleShard s
        && Arrays.equals(shape, s.shape)
        && Arrays.equals(labels, s.labels)
        && Arrays.equals(features, s.features);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(shape) + Arrays.hashCode(labels)) + Arrays.hashCode(features);
  }

  @Override
  public String toString() {
    return "ExampleShard[count=" + count() + ", shape=" + Arrays.toString(shape) + "]";
  }
}
