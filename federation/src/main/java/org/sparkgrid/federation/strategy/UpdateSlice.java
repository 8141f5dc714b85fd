package org.sparkgrid.federation.strategy;

import java.util.List;
import java.util.Objects;

/**
 * One coordinate range {@code [from, to)} of every update of a round: what one task of a sharded
 * merge ({@link ShardedAggregation}) works on. Update {@code k}'s value at coordinate {@code i} is
 * {@code deltas.get(k)[i - offset]}: a holder of whole updates passes them with offset 0 (no copy),
 * a holder of cut-out ranges passes the ranges with offset {@code from}.
 *
 * @param from   first coordinate of the range
 * @param to     one past its last coordinate
 * @param offset where coordinate 0 would be in each array
 * @param deltas the updates, in the round's order; not modified
 */
public record UpdateSlice(int from, int to, int offset, List<float[]> deltas) {

  /**
   * @throws IllegalArgumentException if the range is empty or reversed, or an array does not hold it
   * @throws NullPointerException if {@code deltas} or one of them is null
   */
  public UpdateSlice {
    Objects.requireNonNull(deltas, "deltas");
    if (from < 0 || to <= from) {
      throw new IllegalArgumentException("range [" + from + ", " + to + ") is empty or reversed");
    }
    for (int k = 0; k < deltas.size(); k++) {
      float[] d = Objects.requireNonNull(deltas.get(k), "deltas[" + k + "]");
      if (from - offset < 0 || to - offset > d.length) {
        throw new IllegalArgumentException("deltas[" + k + "] has " + d.length + " values at offset " + offset
            + "; it does not hold coordinates [" + from + ", " + to + ")");
      }
    }
  }

  /**
   * This range with update {@code k} multiplied by {@code scales[k]}, each value rounded to float,
   * in new arrays (offset {@code from}).
   */
  public UpdateSlice scaled(double[] scales) {
    List<float[]> out = new java.util.ArrayList<>(deltas.size());
    for (int k = 0; k < deltas.size(); k++) {
      float[] d = deltas.get(k);
      float[] c = new float[size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = (float) (d[from - offset + i] * scales[k]);
      }
      out.add(c);
    }
    return new UpdateSlice(from, to, from, out);
  }

  /** The number of coordinates in the range. */
  public int size() {
    return to - from;
  }

  /** The number of updates. */
  public int count() {
    return deltas.size();
  }
}
