package org.sparkgrid.federation.strategy;

import java.io.Serializable;
import java.util.List;
import java.util.stream.IntStream;
import org.sparkgrid.core.math.WeightedAverage;
import org.sparkgrid.federation.strategy.UpdateRanges.RangeFunction;

/**
 * Any strategy's merge computed range by range, for a stage in which each task holds one coordinate
 * range of every update (tree mode's Spark aggregation stage): the entry point checks the counts and
 * lengths and runs the strategy's own merge plan ({@link AggregationStrategy#aggregateRanges}); this
 * class holds the range kernels the plans are built from ({@link RangeFunction}s, shipped to the
 * ranges by {@link UpdateRanges#map}). The result equals {@link AggregationStrategy#aggregate} on the
 * same updates: bit for bit for fedavg, fedprox, fedavgm, fedadam, fedyogi, fedadagrad, median and
 * trimmed-mean, whose every coordinate goes through the same operations in the same order; for krum
 * and multi-krum too, unless two scores differ only by rounding (the squared distances are summed
 * range by range); with clipping ({@code clipNorm}, dp-fedavg) to float rounding, since each update's
 * norm is summed range by range.
 *
 * <table>
 *   <caption>The kernels, and the plans that use them</caption>
 *   <tr><th>kernel</th><th>computes over one range</th><th>used by</th></tr>
 *   <tr><td>{@link #weightedMean}</td><td>the example-weighted mean of some updates</td>
 *       <td>fedavg, fedprox, fedavgm and the server optimizers (then their step on the caller), krum</td></tr>
 *   <tr><td>{@link #perCoordinate}</td><td>a statistic of each coordinate's values</td><td>median, trimmed-mean</td></tr>
 *   <tr><td>{@link #squaredDistances}</td><td>partial squared distances of every pair</td><td>krum, multi-krum</td></tr>
 *   <tr><td>{@link #squaredNorms}</td><td>partial squared norms of every update</td><td>clipping, dp-fedavg</td></tr>
 *   <tr><td>{@link #columnSum}</td><td>the sum of the updates in double</td><td>dp-fedavg</td></tr>
 * </table>
 *
 * <p>Clipping scales each update on the ranges ({@link UpdateRanges#scaled}) before the inner plan runs.
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
   * Merges the updates held by {@code ranges} as {@code strategy.aggregate} would, by the strategy's
   * {@link AggregationStrategy#aggregateRanges}. Callers validate the updates first, as for {@code aggregate}.
   *
   * @param examples each update's example count, in the order of {@code ranges}
   * @throws IllegalArgumentException if there are no updates, or the counts or lengths disagree
   * @throws IllegalStateException if there are fewer than {@link AggregationStrategy#minUpdates()} updates
   */
  public static Aggregation aggregate(AggregationStrategy strategy, float[] global, long[] examples,
      StrategyState state, UpdateRanges ranges) {
    if (examples.length == 0) {
      throw new IllegalArgumentException("0 example counts for " + ranges.count() + " updates; need one per update,"
          + " at least one");
    }
    return aggregate(strategy, global, new UpdateFacts(examples), state, ranges);
  }

  /**
   * Merges the updates held by {@code ranges} as {@code strategy.aggregate} would merge the updates
   * these facts came from ({@link UpdateFacts#of}): what FedNova (local steps) and SCAFFOLD (site ids,
   * control-variate deltas) need.
   *
   * @param facts each update's example count and other facts, in the order of {@code ranges}
   * @throws IllegalArgumentException if the counts or lengths disagree
   * @throws IllegalStateException if there are fewer than {@link AggregationStrategy#minUpdates()} updates
   */
  public static Aggregation aggregate(AggregationStrategy strategy, float[] global, UpdateFacts facts,
      StrategyState state, UpdateRanges ranges) {
    int n = facts.count();
    if (n == 0 || ranges.count() != n) {
      throw new IllegalArgumentException(n + " example counts for " + ranges.count() + " updates; need one per update,"
          + " at least one");
    }
    if (ranges.length() != global.length) {
      throw new IllegalArgumentException("updates have " + ranges.length() + " values but the global parameters have "
          + global.length);
    }
    return strategy.aggregateRanges(global, facts, state, ranges);
  }

  /** The indices of all {@code n} updates, in order. */
  static int[] all(int n) {
    return IntStream.range(0, n).toArray();
  }

  /** The example-weighted mean of the deltas in {@code subset}, range by range, concatenated. */
  static float[] mean(UpdateRanges ranges, long[] examples, int[] subset) {
    List<float[]> parts = ranges.map(weightedMean(examples, subset));
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
   * The example-weighted mean of the deltas in {@code subset} (in that order) over one range: per
   * coordinate the operations of {@link WeightedAverage#average}, so the result is the same bit for bit.
   */
  static RangeFunction<float[]> weightedMean(long[] examples, int[] subset) {
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
      for (int b = 0; b < size; b += BLOCK) {
        int len = Math.min(BLOCK, size - b);
        int i = 0;
        for (; i + 4 <= v.length; i += 4) {
          accumulateFour(sum, b, v, i, base + b, len, w);
        }
        for (; i < v.length; i++) {
          WeightedAverage.accumulate(sum, b, v[i], base + b, len, w[i]);
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

  /** {@code column} of every coordinate of the range. */
  static RangeFunction<double[]> perCoordinate(Column column) {
    return slice -> {
      int n = slice.count();
      float[][] v = slice.deltas().toArray(new float[0][]);
      int shift = slice.offset();
      float[] values = new float[n];
      double[] out = new double[slice.size()];
      for (int i = slice.from(); i < slice.to(); i++) {
        for (int k = 0; k < n; k++) {
          values[k] = v[k][i - shift];
        }
        out[i - slice.from()] = column.of(values);
      }
      return out;
    };
  }

  /** Each update's squared L2 norm over the range. */
  static RangeFunction<double[]> squaredNorms() {
    return slice -> {
      double[] out = new double[slice.count()];
      for (int k = 0; k < out.length; k++) {
        float[] v = slice.deltas().get(k);
        double s = 0;
        for (int i = slice.from() - slice.offset(); i < slice.to() - slice.offset(); i++) {
          s += (double) v[i] * v[i];
        }
        out[k] = s;
      }
      return out;
    };
  }

  /**
   * The squared distance of every pair of deltas over the range, pairs {@code (a, b)} with
   * {@code a < b} in row order, as {@link Vectors#squaredDistance} sums them.
   */
  static RangeFunction<double[]> squaredDistances() {
    return slice -> {
      int n = slice.count();
      int shift = slice.offset();
      float[][] v = slice.deltas().toArray(new float[0][]);
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

  /** The sum of the deltas over the range, in double, as {@link DpFedAvg} sums them. */
  static RangeFunction<double[]> columnSum() {
    return slice -> {
      double[] out = new double[slice.size()];
      for (int k = 0; k < slice.count(); k++) {
        float[] v = slice.deltas().get(k);
        int from = slice.from() - slice.offset();
        for (int j = 0; j < out.length; j++) {
          out[j] += v[from + j];
        }
      }
      return out;
    };
  }

  /** Each update's clipping scale, from its squared norm summed range by range ({@link #squaredNorms}). */
  static double[] clipScales(UpdateRanges ranges, double clipNorm) {
    return clipScales(sum(ranges.map(squaredNorms())), clipNorm);
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
  static float[] add(float[] global, double[] d) {
    checkCovered(d.length, global.length);
    float[] next = new float[global.length];
    for (int i = 0; i < next.length; i++) {
      next[i] = (float) (global[i] + d[i]);
    }
    return next;
  }

  /** The symmetric matrix of pairwise values packed by {@link #squaredDistances}. */
  static double[][] unpack(double[] packed, int n) {
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
