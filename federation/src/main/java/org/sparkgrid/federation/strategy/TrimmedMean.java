package org.sparkgrid.federation.strategy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Coordinate-wise trimmed mean (Yin et al. 2018), type {@code trimmed-mean}, parameter {@code trim}
 * (the fraction beta cut from each side, in [0, 0.5), default 0.2): for each parameter, the sites'
 * deltas are sorted, the {@code floor(trim * n)} smallest and as many largest are dropped, and the
 * rest are averaged. <b>Unweighted</b>, like {@link CoordinateMedian}. With 10 sites and
 * {@code trim} 0.2, two values are cut from each side, so up to two arbitrary sites per side are
 * ignored. Stateless.
 */
final class TrimmedMean implements AggregationStrategy {

  static final StrategyParameter<Double> TRIM = StrategyParameter.real("trim", 0.2,
      StrategyParameter.Range.closedOpen(0, 0.5), "The fraction of values cut from each side of every coordinate.");

  /** Type {@code trimmed-mean}, parameter {@code trim}. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("trimmed-mean", "none", "Coordinate-wise trimmed mean (Yin et al. 2018): for each parameter the"
          + " floor(trim * n) smallest and largest deltas are dropped and the rest averaged. With 10 sites and trim"
          + " 0.2, up to two arbitrary sites per side are ignored.", TRIM);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new TrimmedMean(p.get(TRIM));
    }
  }

  private final double trim;

  TrimmedMean(double trim) {
    this.trim = trim;
  }

  @Override
  public String type() {
    return "trimmed-mean";
  }

  @Override
  public Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    Vectors.checkUpdates(global, updates);
    int n = updates.size();
    int cut = cut(n);
    float[] column = new float[n];
    float[] next = new float[global.length];
    for (int i = 0; i < global.length; i++) {
      for (int k = 0; k < n; k++) {
        column[k] = updates.get(k).delta()[i];
      }
      next[i] = (float) (global[i] + mean(column, cut));
    }
    return new Aggregation(next, state.next(Map.of()));
  }

  /** Plan: one pass, each coordinate's trimmed mean; then {@code global + it}. */
  @Override
  public Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges) {
    int cut = cut(facts.count());
    double[] step = ShardedAggregation.concat(ranges.map(ShardedAggregation.perCoordinate(c -> mean(c, cut))));
    return new Aggregation(ShardedAggregation.add(global, step), state.next(Map.of()));
  }

  /** How many values are cut from each side of {@code n}. */
  int cut(int n) {
    return (int) Math.floor(trim * n);
  }

  /** The mean of one coordinate's values without the {@code cut} smallest and largest; sorts {@code column}. */
  static double mean(float[] column, int cut) {
    int n = column.length;
    Arrays.sort(column);
    double sum = 0;
    for (int k = cut; k < n - cut; k++) {
      sum += column[k];
    }
    return sum / (n - 2 * cut);
  }
}
