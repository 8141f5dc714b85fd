package org.sparkgrid.jobs.data;

import java.io.Serializable;
import java.util.Objects;

/**
 * Per-feature count, mean and sum of squared deviations (M2) of a set of examples: what
 * standardization needs, computed per shard and merged.
 *
 * <p>Each shard is summarized in two passes over its own arrays (mean first, then squared deviations
 * from it), and summaries merge with Chan et al.'s pairwise formula, weighted by example counts. This
 * is the sums-and-sums-of-squares approach without its cancellation when a feature's mean is large
 * against its spread.
 */
final class FeatureMoments implements Serializable {

  private static final long serialVersionUID = 1L;

  private final long count;
  private final double[] mean;
  private final double[] m2;

  private FeatureMoments(long count, double[] mean, double[] m2) {
    this.count = count;
    this.mean = mean;
    this.m2 = m2;
  }

  /** The moments of one shard's raw features. */
  static FeatureMoments of(ExampleShard s) {
    int d = s.numFeatures();
    int n = s.count();
    float[] x = s.features();
    double[] mean = new double[d];
    for (int i = 0; i < n; i++) {
      for (int j = 0, at = i * d; j < d; j++, at++) {
        mean[j] += x[at];
      }
    }
    for (int j = 0; j < d && n > 0; j++) {
      mean[j] /= n;
    }
    double[] m2 = new double[d];
    for (int i = 0; i < n; i++) {
      for (int j = 0, at = i * d; j < d; j++, at++) {
        double dev = x[at] - mean[j];
        m2[j] += dev * dev;
      }
    }
    return new FeatureMoments(n, mean, m2);
  }

  /**
   * The moments of both sets together.
   *
   * @throws IllegalArgumentException if the feature counts differ
   */
  FeatureMoments merge(FeatureMoments other) {
    Objects.requireNonNull(other, "other");
    if (other.mean.length != mean.length) {
      throw new IllegalArgumentException(
          "cannot merge moments of " + mean.length + " features with moments of " + other.mean.length);
    }
    if (other.count == 0) {
      return this;
    }
    if (count == 0) {
      return other;
    }
    long n = count + other.count;
    double wOther = (double) other.count / n;
    double cross = (double) count * other.count / n;
    double[] m = new double[mean.length];
    double[] s = new double[mean.length];
    for (int j = 0; j < m.length; j++) {
      double delta = other.mean[j] - mean[j];
      m[j] = mean[j] + delta * wOther;
      s[j] = m2[j] + other.m2[j] + delta * delta * cross;
    }
    return new FeatureMoments(n, m, s);
  }

  long count() {
    return count;
  }

  /** Per-feature mean. */
  double[] mean() {
    return mean.clone();
  }

  /** Per-feature population standard deviation, {@code sqrt(M2 / count)} (0 for no examples). */
  double[] std() {
    double[] std = new double[m2.length];
    for (int j = 0; j < std.length && count > 0; j++) {
      std[j] = Math.sqrt(m2[j] / count);
    }
    return std;
  }
}
