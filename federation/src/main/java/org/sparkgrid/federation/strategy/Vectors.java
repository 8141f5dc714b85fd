package org.sparkgrid.federation.strategy;

import java.util.ArrayList;
import java.util.List;

/**
 * Small vector functions the strategies share, public because they are useful on their own:
 * update-norm clipping above all. Sums are taken in double and stored as float.
 */
public final class Vectors {

  private Vectors() {}

  /** The Euclidean (L2) norm. */
  public static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  /** {@code ||a - b||^2}. @throws IllegalArgumentException if the lengths differ */
  public static double squaredDistance(float[] a, float[] b) {
    checkSameLength(a, b);
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return s;
  }

  /**
   * Update-norm clipping: {@code v * min(1, maxNorm / ||v||)}. A vector within the norm comes back
   * as it is (the same array); a longer one is scaled into a new array of norm {@code maxNorm}.
   *
   * <pre>{@code
   * Vectors.clipToNorm(new float[] {3, 4}, 1);   // {0.6, 0.8}: norm 5 scaled by 1/5
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code maxNorm} is not positive and finite
   */
  public static float[] clipToNorm(float[] v, double maxNorm) {
    if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
      throw new IllegalArgumentException("maxNorm is " + maxNorm + "; must be > 0 and finite");
    }
    double norm = norm(v);
    if (norm <= maxNorm) {
      return v;
    }
    double scale = maxNorm / norm;
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * scale);
    }
    return out;
  }

  /** Each update with its delta clipped by {@link #clipToNorm}; ids, example counts and other facts kept. */
  public static List<SiteUpdate> clipUpdates(List<SiteUpdate> updates, double maxNorm) {
    List<SiteUpdate> out = new ArrayList<>(updates.size());
    for (SiteUpdate u : updates) {
      out.add(u.withDelta(clipToNorm(u.delta(), maxNorm)));
    }
    return out;
  }

  /** {@code a + b} in a new array. @throws IllegalArgumentException if the lengths differ */
  public static float[] add(float[] a, float[] b) {
    checkSameLength(a, b);
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }

  /**
   * Checks what every strategy needs: at least one update, each delta as long as {@code global}.
   *
   * @throws IllegalArgumentException naming the site and both lengths
   */
  public static void checkUpdates(float[] global, List<SiteUpdate> updates) {
    if (updates.isEmpty()) {
      throw new IllegalArgumentException("no updates to aggregate");
    }
    for (SiteUpdate u : updates) {
      if (u.delta().length != global.length) {
        throw new IllegalArgumentException("update of site " + u.siteId() + " has " + u.delta().length
            + " values but the global parameters have " + global.length);
      }
    }
  }

  /** The deltas of the updates, in order. */
  static List<float[]> deltas(List<SiteUpdate> updates) {
    List<float[]> out = new ArrayList<>(updates.size());
    for (SiteUpdate u : updates) {
      out.add(u.delta());
    }
    return out;
  }

  /** The example counts of the updates, in order. */
  static long[] examples(List<SiteUpdate> updates) {
    long[] out = new long[updates.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = updates.get(k).numExamples();
    }
    return out;
  }

  /**
   * The state's vector by that name, or null if it has none.
   *
   * @throws IllegalStateException if the vector's length is not {@code length}
   */
  static float[] stateVector(StrategyState state, String name, int length) {
    float[] v = state.vector(name);
    if (v != null && v.length != length) {
      throw new IllegalStateException("strategy state vector " + name + " has " + v.length
          + " values but the global parameters have " + length);
    }
    return v;
  }

  private static void checkSameLength(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("vectors have lengths " + a.length + " and " + b.length);
    }
  }
}
