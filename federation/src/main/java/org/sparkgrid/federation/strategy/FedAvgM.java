package org.sparkgrid.federation.strategy;

import java.util.List;
import java.util.Map;

/**
 * FedAvg with server momentum (Hsu et al. 2019), type {@code fedavgm}, parameters {@code eta}
 * (server learning rate, > 0, default 1) and {@code momentum} (in [0, 1), default 0.9). With
 * {@code d} the example-weighted mean delta:
 * <pre>
 *   v      = momentum * v + d        (v starts at 0)
 *   global = global + eta * v
 * </pre>
 * which is Flower's FedAvgM written with deltas ({@code d} is minus Flower's pseudo-gradient).
 * With {@code momentum = 0} and {@code eta = 1} it is FedAvg. State: vector {@code momentum}.
 *
 * @throws IllegalStateException from {@code aggregate} if the state's vector has another length
 */
final class FedAvgM implements AggregationStrategy {

  static final String MOMENTUM = "momentum";

  static final StrategyParameter<Double> ETA = StrategyParameter.real("eta", 1.0, StrategyParameter.Range.greaterThan(0),
      "Server learning rate.");
  static final StrategyParameter<Double> MOMENTUM_PARAMETER = StrategyParameter.real(MOMENTUM, 0.9,
      StrategyParameter.Range.closedOpen(0, 1), "Server momentum; 0 with eta 1 is FedAvg.");

  /** Type {@code fedavgm}, parameters {@code eta} and {@code momentum}. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("fedavgm", "examples", "FedAvg with server momentum (Hsu et al. 2019): v = momentum * v + mean delta;"
          + " global += eta * v. State: vector momentum.", ETA, MOMENTUM_PARAMETER);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new FedAvgM(p.get(ETA), p.get(MOMENTUM_PARAMETER));
    }
  }

  private final double eta;
  private final double momentum;

  FedAvgM(double eta, double momentum) {
    this.eta = eta;
    this.momentum = momentum;
  }

  @Override
  public String type() {
    return "fedavgm";
  }

  @Override
  public Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    return step(global, FedAvg.meanDelta(global, updates), state);
  }

  /** Plan: one pass, the example-weighted mean delta; then the momentum step on the caller. */
  @Override
  public Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges) {
    return step(global, ShardedAggregation.mean(ranges, facts.examples(), ShardedAggregation.all(facts.count())), state);
  }

  /** The server step from the example-weighted mean delta {@code d}, however it was computed. */
  Aggregation step(float[] global, float[] d, StrategyState state) {
    float[] previous = Vectors.stateVector(state, MOMENTUM, d.length);
    float[] v = new float[d.length];
    float[] next = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      v[i] = (float) ((previous == null ? 0 : momentum * previous[i]) + d[i]);
      next[i] = (float) (global[i] + eta * v[i]);
    }
    return new Aggregation(next, state.next(Map.of(MOMENTUM, v)));
  }
}
