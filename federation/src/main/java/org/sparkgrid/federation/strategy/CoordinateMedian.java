package org.sparkgrid.federation.strategy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Coordinate-wise median (Yin et al. 2018), type {@code median}: each parameter moves by the median
 * of the sites' deltas for that parameter; with an even count, the mean of the two middle values.
 * <b>Unweighted</b>: example counts are ignored, since a weight is one more thing a Byzantine site
 * could lie about. Stateless; no parameters. Tolerates fewer than half the sites being arbitrary.
 */
final class CoordinateMedian implements AggregationStrategy {

  /** Type {@code median}, no parameters of its own. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("median", "none", "Coordinate-wise median (Yin et al. 2018): each parameter moves by the median of the"
          + " sites' deltas (the mean of the two middle values for an even count). Tolerates fewer than half the"
          + " sites being arbitrary; example counts are ignored, as a site could lie about them.");
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new CoordinateMedian();
    }
  }

  @Override
  public String type() {
    return "median";
  }

  @Override
  public Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    Vectors.checkUpdates(global, updates);
    int n = updates.size();
    float[] column = new float[n];
    float[] next = new float[global.length];
    for (int i = 0; i < global.length; i++) {
      for (int k = 0; k < n; k++) {
        column[k] = updates.get(k).delta()[i];
      }
      next[i] = (float) (global[i] + median(column));
    }
    return new Aggregation(next, state.next(Map.of()));
  }

  /** Plan: one pass, each coordinate's median; then {@code global + it}. */
  @Override
  public Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges) {
    double[] step = ShardedAggregation.concat(ranges.map(ShardedAggregation.perCoordinate(CoordinateMedian::median)));
    return new Aggregation(ShardedAggregation.add(global, step), state.next(Map.of()));
  }

  /** The median of one coordinate's values; sorts {@code column} in place. */
  static double median(float[] column) {
    int n = column.length;
    Arrays.sort(column);
    return n % 2 == 1 ? column[n / 2] : ((double) column[n / 2 - 1] + column[n / 2]) / 2;
  }
}
