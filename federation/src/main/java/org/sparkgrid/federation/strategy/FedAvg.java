package org.sparkgrid.federation.strategy;

import java.util.List;
import java.util.Map;
import org.sparkgrid.core.math.WeightedAverage;

/**
 * FedAvg (McMahan et al. 2017), type {@code fedavg}: {@code global + sum_k(n_k * delta_k) / sum_k(n_k)},
 * the deltas weighted by example counts with {@link WeightedAverage}, as Flower's FedAvg does.
 * Stateless; no parameters.
 */
final class FedAvg implements AggregationStrategy {

  @Override
  public String type() {
    return "fedavg";
  }

  @Override
  public Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    return new Aggregation(Vectors.add(global, meanDelta(global, updates)), state.next(Map.of()));
  }

  /** The example-weighted mean delta, after checking the updates: the pseudo-gradient of the server optimizers. */
  static float[] meanDelta(float[] global, List<SiteUpdate> updates) {
    Vectors.checkUpdates(global, updates);
    return WeightedAverage.average(Vectors.deltas(updates), Vectors.examples(updates));
  }
}
