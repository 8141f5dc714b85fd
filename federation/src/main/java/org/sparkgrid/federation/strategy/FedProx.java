package org.sparkgrid.federation.strategy;

import java.util.List;

/**
 * FedProx (Li et al. 2020), type {@code fedprox}, parameter {@code mu} (>= 0, required). The server
 * side is FedAvg; what differs is the sites' local objective, {@code loss(w) + mu/2 * ||w - w_global||^2},
 * which the sites' trainer applies, reading {@code mu} from {@link #proximalMu()}.
 */
final class FedProx implements AggregationStrategy {

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

  @Override
  public double proximalMu() {
    return mu;
  }
}
