package org.sparkgrid.federation.strategy;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.sparkgrid.core.math.WeightedAverage;
import org.sparkgrid.federation.strategy.UpdateRanges.RangeFunction;

/**
 * Any strategy's merge computed range by range, for a stage in which each task holds one coordinate
 * range of every update (tree mode's Spark aggregation stage): this class says what each range
 * computes ({@link RangeFunction}s, shipped to the ranges by {@link UpdateRanges#map}) and finishes
 * on the caller's side. The result equals {@link AggregationStrategy#aggregate} on the same updates:
 * bit for bit for fedavg, fedprox, fedavgm, fedadam, fedyogi, fedadagrad, median and trimmed-mean,
 * whose every coordinate goes through the same operations in the same order; for krum and
 * multi-krum too, unless two scores differ only by rounding (the squared distances are summed range
 * by range); with clipping ({@code clipNorm}, dp-fedavg) to float rounding, since each update's norm
 * is summed range by range.
 *
 * <table>
 *   <caption>What each strategy computes where</caption>
 *   <tr><th>strategy</th><th>passes over the updates (range functions)</th><th>then, on the caller</th></tr>
 *   <tr><td>fedavg, fedprox</td><td>1: the example-weighted mean delta</td><td>global + mean</td></tr>
 *   <tr><td>fedavgm, fedadam, fedyogi, fedadagrad</td><td>1: the same mean</td>
 *       <td>the server optimizer's step, with its state</td></tr>
 *   <tr><td>median, trimmed-mean</td><td>1: the coordinate's median or trimmed mean</td><td>global + it</td></tr>
 *   <tr><td>krum, multi-krum</td><td>2: every pair's squared distance (partial sums, added up), then
 *       the weighted mean of the selected updates</td><td>the selection; global + mean</td></tr>
 *   <tr><td>dp-fedavg</td><td>2: squared norms, then the sum of the clipped deltas</td><td>mean and noise</td></tr>
 *   <tr><td>any with {@code clipNorm}</td><td>one more, first: squared norms</td><td>each update's scale</td></tr>
 * </table>
 *
 * <pre>{@code
 * UpdateRanges ranges = UpdateRanges.of(deltas, 4);       // or tree mode's Spark stage over executors' updates
 * Aggregation a = ShardedAggregation.aggregate(strategy, global, examples, state, ranges);
 * }</pre>
 */
public final class ShardedAggregation {

  /** Coordinates a range function sums at a time, so that its partial sums stay in the core's cache. */
  private static final int BLOCK = 8_192;

  private ShardedAggregation() {}

  /**
   * Merges the updates held by {@code ranges} as {@code strategy.aggregate} would. Callers validate
   * the updates first, as for {@code aggregate}.
   *
   * @param examples each update's example count, in the order of {@code ranges}
   * @throws IllegalArgumentException if there are no updates, the counts or lengths disagree, or the
   *     strategy is of a type this class does not know
   * @throws IllegalStateException if there are fewer than {@link AggregationStrategy#minUpdates()} updates
   */
  public static Aggregation aggregate(AggregationStrategy strategy, float[] global, long[] examples,
      StrategyState state, UpdateRanges ranges) {
    int n = examples.length;
    if (n == 0 || ranges.count() != n) {
      throw new IllegalArgumentException(n + " example counts for " + ranges.count() + " updates; need one per update,"
          + " at least one");
    }
    if (ranges.length() != global.length) {
      throw new IllegalArgumentException("updates have " + ranges.length() + " values but the global parameters have "
          + global.length);
    }
    AggregationStrategy s = strategy;
    double[] scales = null;
    if (s instanceof Clipped c) {
      scales = clipScales(sum(ranges.map(squaredNorms(null))), c.clipNorm());
      s = c.inner();
    }
    int[] all = IntStream.range(0, n).toArray();
    if (s instanceof FedAvg || s instanceof FedProx) {
      return new Aggregation(Vectors.add(global, mean(ranges, examples, scales, all)), state.next(Map.of()));
    }
    if (s instanceof FedAvgM m) {
      return m.step(global, mean(ranges, examples, scales, all), state);
    }
    if (s instanceof ServerOptimizer o) {
      return o.step(global, mean(ranges, examples, scales, all), state);
    }
    if (s instanceof CoordinateMedian) {
      return new Aggregation(add(global, concat(ranges.map(perCoordinate(scales, CoordinateMedian::median)))),
          state.next(Map.of()));
    }
    if (s instanceof TrimmedMean t) {
      int cut = t.cut(n);
      return new Aggregation(add(global, concat(ranges.map(perCoordinate(scales, c -> TrimmedMean.mean(c, cut))))),
          state.next(Map.of()));
    }
    if (s instanceof Krum k) {
      k.checkCount(n);
      double[][] d = unpack(sum(ranges.map(squaredDistances(scales))), n);
      return new Aggregation(Vectors.add(global, mean(ranges, examples, scales, Krum.select(d, k.f(), k.keep(n)))),
          state.next(Map.of()));
    }
    if (s instanceof DpFedAvg dp) {
      double[] clip = clipScales(sum(ranges.map(squaredNorms(null))), dp.clipNorm());
      return dp.finish(global, concat(ranges.map(clippedSum(clip))), n, state);
    }
    throw new IllegalArgumentException("strategy " + strategy.type() + " (" + s.getClass().getSimpleName()
        + ") cannot be merged range by range");
  }

  /** The example-weighted mean of the (scaled) deltas in {@code subset}, range by range, concatenated. */
  private static float[] mean(UpdateRanges ranges, long[] examples, double[] scales, int[] subset) {
    List<float[]> parts = ranges.map(weightedMean(examples, scales, subset));
    float[] out = new float[ranges.length()];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    checkCovered(at, out.length);
    return out;
  }

  /**
   * The example-weighted mean of the deltas in {@code subset} (in that order) over one range, each
   * delta first multiplied by its scale when {@code scales} is not null: per coordinate the
   * operations of {@link WeightedAverage#average}, so the result is the same bit for bit.
   */
  static RangeFunction<float[]> weightedMean(long[] examples, double[] scales, int[] subset) {
    long total = 0;
    for (int k : subset) {
      total = Math.addExact(total, examples[k]);
    }
    if (total <= 0) {
      throw new IllegalArgumentException("the updates to average hold " + total + " examples; need at least 1");
    }
    float factor = (float) (1.0 / total);
    int[] counted = java.util.Arrays.stream(subset).filter(k -> examples[k] != 0).toArray();
    return slice -> {
      int size = slice.size();
      float[] sum = new float[size];
      float[][] v = new float[counted.length][];
      float[] w = new float[counted.length];
      for (int i = 0; i < counted.length; i++) {
        v[i] = slice.deltas().get(counted[i]);
        w[i] = (float) examples[counted[i]];
      }
      int base = slice.from() - slice.offset();
      float[] scaled = scales == null ? null : new float[Math.min(BLOCK, size)];
      for (int b = 0; b < size; b += BLOCK) {
        int len = Math.min(BLOCK, size - b);
        int i = 0;
        if (scales == null) {
          for (; i + 4 <= v.length; i += 4) {
            accumulateFour(sum, b, v, i, base + b, len, w);
          }
        }
        for (; i < v.length; i++) {
          if (scales == null) {
            WeightedAverage.accumulate(sum, b, v[i], base + b, len, w[i]);
          } else {
            double scale = scales[counted[i]];
            for (int j = 0; j < len; j++) {
              scaled[j] = (float) (v[i][base + b + j] * scale);
            }
            WeightedAverage.accumulate(sum, b, scaled, 0, len, w[i]);
          }
        }
      }
      WeightedAverage.scale(sum, factor, 0, size);
      return sum;
    };
  }

  /**
   * Four {@link WeightedAverage#accumulate} steps, of {@code v[i..i+3]} in that order, with one load
   * and store of each sum: per element the same four float operations as the four calls.
   */
  private static void accumulateFour(float[] sum, int sumFrom, float[][] v, int i, int vFrom, int length, float[] w) {
    float[] a = v[i];
    float[] b = v[i + 1];
    float[] c = v[i + 2];
    float[] d = v[i + 3];
    float wa = w[i];
    float wb = w[i + 1];
    float wc = w[i + 2];
    float wd = w[i + 3];
    for (int j = 0; j < length; j++) {
      float s = sum[sumFrom + j];
      s += a[vFrom + j] * wa;
      s += b[vFrom + j] * wb;
      s += c[vFrom + j] * wc;
      s += d[vFrom + j] * wd;
      sum[sumFrom + j] = s;
    }
  }

  /** A statistic of one coordinate's values across the updates (it may reorder them). */
  @FunctionalInterface
  interface Column extends Serializable {
    double of(float[] values);
  }

  /** {@code column} of every coordinate of the range, over the (scaled) deltas. */
  static RangeFunction<double[]> perCoordinate(double[] scales, Column column) {
    return slice -> {
      int n = slice.count();
      float[][] v = slice.deltas().toArray(new float[0][]);
      int shift = slice.offset();
      float[] values = new float[n];
      double[] out = new double[slice.size()];
      for (int i = slice.from(); i < slice.to(); i++) {
        for (int k = 0; k < n; k++) {
          values[k] = scales == null ? v[k][i - shift] : (float) (v[k][i - shift] * scales[k]);
        }
        out[i - slice.from()] = column.of(values);
      }
      return out;
    };
  }

  /** Each update's squared L2 norm over the range (of the scaled deltas when {@code scales} is not null). */
  static RangeFunction<double[]> squaredNorms(double[] scales) {
    return slice -> {
      double[] out = new double[slice.count()];
      for (int k = 0; k < out.length; k++) {
        float[] v = slice.deltas().get(k);
        double s = 0;
        for (int i = slice.from() - slice.offset(); i < slice.to() - slice.offset(); i++) {
          float x = scales == null ? v[i] : (float) (v[i] * scales[k]);
          s += (double) x * x;
        }
        out[k] = s;
      }
      return out;
    };
  }

  /**
   * The squared distance of every pair of (scaled) deltas over the range, pairs {@code (a, b)} with
   * {@code a < b} in row order, as {@link Vectors#squaredDistance} sums them.
   */
  static RangeFunction<double[]> squaredDistances(double[] scales) {
    return slice -> {
      int n = slice.count();
      int shift = slice.offset();
      float[][] v = slice.deltas().toArray(new float[0][]);
      if (scales != null) {
        for (int k = 0; k < n; k++) {
          float[] c = new float[slice.size()];
          for (int i = slice.from(); i < slice.to(); i++) {
            c[i - slice.from()] = (float) (v[k][i - shift] * scales[k]);
          }
          v[k] = c;
        }
        shift = slice.from();
      }
      double[] out = new double[n * (n - 1) / 2];
      int end = slice.to() - shift;
      // block by block, so that the block of every update stays in cache while all pairs use it
      for (int start = slice.from() - shift; start < end; start += BLOCK) {
        int stop = Math.min(start + BLOCK, end);
        int p = 0;
        for (int a = 0; a < n; a++) {
          for (int b = a + 1; b < n; b++) {
            double s = 0;
            for (int i = start; i < stop; i++) {
              double d = (double) v[a][i] - v[b][i];
              s += d * d;
            }
            out[p++] += s;
          }
        }
      }
      return out;
    };
  }

  /** The sum of the clipped deltas over the range, in double, as {@link DpFedAvg} sums them. */
  static RangeFunction<double[]> clippedSum(double[] scales) {
    return slice -> {
      double[] out = new double[slice.size()];
      for (int k = 0; k < slice.count(); k++) {
        float[] v = slice.deltas().get(k);
        int from = slice.from() - slice.offset();
        for (int j = 0; j < out.length; j++) {
          out[j] += (float) (v[from + j] * scales[k]);
        }
      }
      return out;
    };
  }

  /** Each update's scale from its squared norm: {@code min(1, clipNorm / norm)}, as {@link Vectors#clipToNorm}. */
  static double[] clipScales(double[] squaredNorms, double clipNorm) {
    double[] scales = new double[squaredNorms.length];
    for (int k = 0; k < scales.length; k++) {
      double norm = Math.sqrt(squaredNorms[k]);
      scales[k] = norm <= clipNorm ? 1.0 : clipNorm / norm;
    }
    return scales;
  }

  /** The element-wise sum of equally long partial results. */
  static double[] sum(List<double[]> parts) {
    double[] out = new double[parts.get(0).length];
    for (double[] p : parts) {
      for (int i = 0; i < out.length; i++) {
        out[i] += p[i];
      }
    }
    return out;
  }

  /** The range results one after the other. */
  static double[] concat(List<double[]> parts) {
    int length = 0;
    for (double[] p : parts) {
      length += p.length;
    }
    double[] out = new double[length];
    int at = 0;
    for (double[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** {@code (float) (global[i] + d[i])}, as the per-coordinate strategies add their double step. */
  private static float[] add(float[] global, double[] d) {
    checkCovered(d.length, global.length);
    float[] next = new float[global.length];
    for (int i = 0; i < next.length; i++) {
      next[i] = (float) (global[i] + d[i]);
    }
    return next;
  }

  /** The symmetric matrix of pairwise values packed by {@link #squaredDistances}. */
  private static double[][] unpack(double[] packed, int n) {
    double[][] d = new double[n][n];
    int p = 0;
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        d[a][b] = packed[p];
        d[b][a] = packed[p++];
      }
    }
    return d;
  }

  private static void checkCovered(int got, int length) {
    if (got != length) {
      throw new IllegalStateException("the ranges covered " + got + " of " + length + " coordinates");
    }
  }
}
