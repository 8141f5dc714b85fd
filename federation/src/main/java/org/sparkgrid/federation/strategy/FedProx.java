package org.sparkgrid.federation.strategy;

import java.util.List;

/**
 * FedProx (Li et al. 2020), type {@code fedprox}, parameter {@code mu} (>= 0, required). The server
 * side is FedAvg; what differs is the sites' local objective, {@code loss(w) + mu/2 * ||w - w_global||^2},
 * which the sites' trainer applies, reading {@code mu} from {@link #proximalMu()}.
 */
final class FedProx implements AggregationStrategy {

  static final StrategyParameter<Double> MU = StrategyParameter.requiredReal("mu", StrategyParameter.Range.atLeast(0),
      0.1, "Weight of the proximal term mu/2 * ||w - w_global||^2 the sites add to their local loss.");

  /** Type {@code fedprox}, parameter {@code mu}. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("fedprox", "examples", "FedProx (Li et al. 2020): FedAvg on the server; the sites train with a proximal"
          + " term that keeps them near the global parameters.", MU);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new FedProx(p.get(MU));
    }
  }

  private final FedAvg fedAvg = new FedAvg();
  private final double mu;

  FedProx(double mu) {
    this.mu = mu;
  }

  @Override
  public String type() {
    return "fedprox";
  }

  @Override
  public Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    return fedAvg.aggregate(global, updates, state);
  }

  /** Plan: FedAvg's. */
  @Override
  public Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges) {
    return fedAvg.aggregateRanges(global, facts, state, ranges);
  }

  @Override
  public double proximalMu() {
    return mu;
  }
}
