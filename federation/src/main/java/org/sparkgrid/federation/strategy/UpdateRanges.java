package org.sparkgrid.federation.strategy;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A round's accepted updates cut into contiguous coordinate ranges, wherever they are held: the seam
 * between {@link ShardedAggregation} (what each range computes) and the stage that runs it (tree
 * mode's Spark aggregation stage, or {@link #of} in one JVM).
 */
public interface UpdateRanges {

  /** A computation over one range of every update, shipped to where the range is held. */
  @FunctionalInterface
  interface RangeFunction<R> extends Serializable {
    /** The range's result; must not modify the slice's arrays. */
    R apply(UpdateSlice slice);
  }

  /** The number of updates. */
  int count();

  /** The number of coordinates of every update. */
  int length();

  /**
   * Applies {@code f} to every range and returns the results in coordinate order; the ranges cover
   * {@code [0, length())} without gaps or overlaps.
   */
  <R> List<R> map(RangeFunction<R> f);

  /**
   * These ranges with update {@code k} multiplied by {@code scales[k]} (each value rounded to float,
   * as {@link Vectors#clipToNorm} does): what a strategy behind update-norm clipping merges. Each
   * range function sees scaled copies of its range.
   *
   * @throws IllegalArgumentException if there is not one scale per update
   */
  default UpdateRanges scaled(double[] scales) {
    if (scales.length != count()) {
      throw new IllegalArgumentException(scales.length + " scales for " + count() + " updates");
    }
    UpdateRanges inner = this;
    double[] s = scales.clone();
    return new UpdateRanges() {
      @Override
      public int count() {
        return inner.count();
      }

      @Override
      public int length() {
        return inner.length();
      }

      @Override
      public <R> List<R> map(RangeFunction<R> f) {
        return inner.map(scaling(f, s));
      }
    };
  }

  private static <R> RangeFunction<R> scaling(RangeFunction<R> f, double[] scales) {
    return slice -> f.apply(slice.scaled(scales));
  }

  /**
   * Whole updates held in this JVM, cut into {@code shards} near-equal ranges computed one after
   * the other.
   *
   * @throws IllegalArgumentException if there are no updates, their lengths differ, or
   *     {@code shards < 1}
   */
  static UpdateRanges of(List<float[]> deltas, int shards) {
    if (deltas.isEmpty()) {
      throw new IllegalArgumentException("no updates");
    }
    if (shards < 1) {
      throw new IllegalArgumentException("shards is " + shards + "; must be >= 1");
    }
    int length = deltas.get(0).length;
    for (int k = 0; k < deltas.size(); k++) {
      if (deltas.get(k).length != length) {
        throw new IllegalArgumentException("deltas[" + k + "] has " + deltas.get(k).length + " values, deltas[0] "
            + length);
      }
    }
    List<float[]> held = List.copyOf(deltas);
    int[] bounds = bounds(length, shards);
    return new UpdateRanges() {
      @Override
      public int count() {
        return held.size();
      }

      @Override
      public int length() {
        return length;
      }

      @Override
      public <R> List<R> map(RangeFunction<R> f) {
        List<R> out = new ArrayList<>();
        for (int s = 0; s + 1 < bounds.length; s++) {
          out.add(f.apply(new UpdateSlice(bounds[s], bounds[s + 1], 0, held)));
        }
        return out;
      }
    };
  }

  /**
   * The boundaries of {@code shards} near-equal contiguous ranges of {@code [0, length)}: range
   * {@code s} is {@code [b[s], b[s + 1])}. Fewer ranges than asked when {@code length < shards}, at
   * least one.
   *
   * @throws IllegalArgumentException if {@code length < 1} or {@code shards < 1}
   */
  static int[] bounds(int length, int shards) {
    if (length < 1 || shards < 1) {
      throw new IllegalArgumentException("cannot cut " + length + " coordinates into " + shards + " ranges");
    }
    int n = Math.min(length, shards);
    int[] b = new int[n + 1];
    for (int s = 0; s <= n; s++) {
      b[s] = (int) ((long) length * s / n);
    }
    return b;
  }
}
