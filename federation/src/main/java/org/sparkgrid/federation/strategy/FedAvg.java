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

  /** Type {@code fedavg}, no parameters of its own. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("fedavg", "examples", "FedAvg (McMahan et al. 2017): the global parameters move by the example-weighted"
          + " mean of the sites' deltas, as Flower's FedAvg. The default strategy.");
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new FedAvg();
    }
  }

  @Override
  public String type() {
    return "fedavg";
  }

  @Override
  public Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    return new Aggregation(Vectors.add(global, meanDelta(global, updates)), state.next(Map.of()));
  }

  /** Plan: one pass, the example-weighted mean delta; then {@code global + mean}. */
  @Override
  public Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges) {
    float[] mean = ShardedAggregation.mean(ranges, facts.examples(), ShardedAggregation.all(facts.count()));
    return new Aggregation(Vectors.add(global, mean), state.next(Map.of()));
  }

  /** The example-weighted mean delta, after checking the updates: the pseudo-gradient of the server optimizers. */
  static float[] meanDelta(float[] global, List<SiteUpdate> updates) {
    Vectors.checkUpdates(global, updates);
    return WeightedAverage.average(Vectors.deltas(updates), Vectors.examples(updates));
  }
}
