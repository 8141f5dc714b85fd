package org.sparkgrid.federation.strategy;

import java.util.List;

/**
 * Update-norm clipping in front of another strategy: each delta is scaled to L2 norm at most
 * {@code clipNorm} ({@link Vectors#clipToNorm}) before the inner strategy sees it. The request asks
 * for it with the {@code clipNorm} parameter of any type except {@code dp-fedavg}, which always
 * clips ({@link StrategyDefinition} adds the parameter). Same type, state, minimum, {@code mu} and
 * site duties as the inner strategy.
 */
final class Clipped implements AggregationStrategy {

  private final AggregationStrategy inner;
  private final double clipNorm;

  Clipped(AggregationStrategy inner, double clipNorm) {
    this.inner = inner;
    this.clipNorm = clipNorm;
  }

  @Override
  public String type() {
    return inner.type();
  }

  @Override
  public Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    return inner.aggregate(global, Vectors.clipUpdates(updates, clipNorm), state);
  }

  @Override
  public int minUpdates() {
    return inner.minUpdates();
  }

  @Override
  public double proximalMu() {
    return inner.proximalMu();
  }

  @Override
  public boolean needsLocalSteps() {
    return inner.needsLocalSteps();
  }

  @Override
  public boolean needsControlVariates() {
    return inner.needsControlVariates();
  }

  /** Plan: one pass for each update's squared norm, then the inner plan over the scaled updates. */
  @Override
  public Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges) {
    return inner.aggregateRanges(global, facts, state, ranges.scaled(ShardedAggregation.clipScales(ranges, clipNorm)));
  }

  @Override
  public String toString() {
    return inner.type() + " clipped to norm " + clipNorm;
  }
}
