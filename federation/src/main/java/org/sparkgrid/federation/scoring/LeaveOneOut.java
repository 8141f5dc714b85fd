package org.sparkgrid.federation.scoring;

import java.util.List;
import org.sparkgrid.federation.strategy.UpdateRanges;
import org.sparkgrid.federation.strategy.UpdateRanges.RangeFunction;
import org.sparkgrid.federation.strategy.UpdateSlice;

/**
 * FedAvg's leave-one-out merges from one weighted sum, so that each site's update can build its own
 * where it is held: with {@code S = sum_k n_k * d_k} and {@code W = sum_k n_k} over the round's
 * updates, the FedAvg merge of all updates is {@code global + S / W} and the merge of all but update
 * {@code i} is {@code global + (S - n_i * d_i) / (W - n_i)}. These are the merges that
 * {@link ContributionScores#leaveOneOut} computes with {@code Strategies.fedAvg()}, one weighted
 * average per subset in float; here {@code S} is summed in double and each merge rounded to float
 * once, so the two agree to float rounding: per coordinate within a few float ulps of the largest
 * term {@code |n_k d_k| / W} (ContributionScores' float sum of {@code n - 1} terms carries up to
 * {@code n - 2} roundings, this one a single one).
 *
 * <pre>{@code
 * double[] s = LeaveOneOut.weightedSum(List.of(new float[] {1}, new float[] {-2}), new long[] {10, 30}); // {-50}
 * LeaveOneOut.all(new float[] {0}, s, 40);                                 // {-1.25}
 * LeaveOneOut.without(new float[] {0}, s, 40, new float[] {1}, 10);       // {-2}: only the second update
 * }</pre>
 */
public final class LeaveOneOut {

  private LeaveOneOut() {}

  /**
   * The range function of {@code S} over one range: {@code sum_k examples[k] * d_k}, in double, in
   * update order.
   */
  public static RangeFunction<double[]> weightedSum(long[] examples) {
    long[] w = examples.clone();
    return slice -> sumSlice(slice, w);
  }

  /**
   * {@code S} over every range of the updates, in coordinate order.
   *
   * @throws IllegalArgumentException if there is not one example count per update
   */
  public static double[] weightedSum(UpdateRanges ranges, long[] examples) {
    if (examples.length != ranges.count()) {
      throw new IllegalArgumentException(examples.length + " example counts for " + ranges.count() + " updates");
    }
    double[] out = new double[ranges.length()];
    int at = 0;
    for (double[] part : ranges.map(weightedSum(examples))) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  /**
   * {@code S} of updates held here.
   *
   * @throws IllegalArgumentException if there are no updates, their lengths differ, or there is not
   *     one example count per update
   */
  public static double[] weightedSum(List<float[]> deltas, long[] examples) {
    return weightedSum(UpdateRanges.of(deltas, 1), examples);
  }

  /**
   * FedAvg of every update: {@code global + S / W}.
   *
   * @throws IllegalArgumentException if {@code total < 1} or the lengths differ
   */
  public static float[] all(float[] global, double[] sum, long total) {
    if (total < 1) {
      throw new IllegalArgumentException("the updates hold " + total + " examples; need at least 1");
    }
    checkLength(global, sum.length, "the weighted sum");
    float[] out = new float[global.length];
    double factor = 1.0 / total;
    for (int j = 0; j < out.length; j++) {
      out[j] = global[j] + (float) (sum[j] * factor);
    }
    return out;
  }

  /**
   * FedAvg of every update but one: {@code global + (S - n_i * d_i) / (W - n_i)}; a copy of the
   * global parameters where the update left out holds all the examples (it was the only one), as
   * ContributionScores merges no update.
   *
   * @param delta    the update left out
   * @param examples its example count
   * @throws IllegalArgumentException if {@code examples} is outside {@code [1, total]} or the
   *     lengths differ
   */
  public static float[] without(float[] global, double[] sum, long total, float[] delta, long examples) {
    if (examples < 1 || examples > total) {
      throw new IllegalArgumentException("the update left out holds " + examples + " examples; must be in [1, "
          + total + "]");
    }
    checkLength(global, sum.length, "the weighted sum");
    checkLength(global, delta.length, "the update left out");
    if (examples == total) {
      return global.clone();
    }
    float[] out = new float[global.length];
    double factor = 1.0 / (total - examples);
    for (int j = 0; j < out.length; j++) {
      out[j] = global[j] + (float) ((sum[j] - (double) examples * delta[j]) * factor);
    }
    return out;
  }

  /**
   * Each update's leave-one-out loss improvement from the losses: {@code without[k] - all}, as
   * {@link ContributionScores#leaveOneOut} defines it.
   */
  public static double[] scores(double all, double[] without) {
    double[] out = new double[without.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = without[k] - all;
    }
    return out;
  }

  private static double[] sumSlice(UpdateSlice slice, long[] examples) {
    if (examples.length != slice.count()) {
      throw new IllegalArgumentException(examples.length + " example counts for " + slice.count() + " updates");
    }
    double[] sum = new double[slice.size()];
    int skip = slice.from() - slice.offset();
    for (int k = 0; k < slice.count(); k++) {
      float[] d = slice.deltas().get(k);
      double w = examples[k];
      for (int j = 0; j < sum.length; j++) {
        sum[j] += w * d[skip + j];
      }
    }
    return sum;
  }

  private static void checkLength(float[] global, int length, String what) {
    if (length != global.length) {
      throw new IllegalArgumentException(what + " has " + length + " values but the global parameters have "
          + global.length);
    }
  }
}
