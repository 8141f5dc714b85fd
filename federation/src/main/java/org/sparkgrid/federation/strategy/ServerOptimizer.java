package org.sparkgrid.federation.strategy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The adaptive server optimizers of Reddi et al. 2021, "Adaptive Federated Optimization"
 * (Algorithm 2), which FedAdam, FedYogi and FedAdagrad share. The pseudo-gradient {@code d} is the
 * example-weighted mean delta (as in Flower; the paper's mean is unweighted, which equal example
 * counts give). Per coordinate:
 * <pre>
 *   m      = beta1 * m + (1 - beta1) * d            (m and v start at 0)
 *   v      = secondMoment(v, d * d)                 (the only difference between the three)
 *   global = global + eta * m / (sqrt(v) + tau)
 * </pre>
 * There is no bias correction, as in the paper. The sites' learning rate ({@code eta_l} in the
 * paper) is the request's {@code training.updater.learningRate}, not a strategy parameter. State:
 * vectors {@code m} and {@code v}.
 *
 * <p><b>Defaults</b> (checked 2026-12-05). {@code beta1 = 0.9}, {@code beta2 = 0.99} and the adaptivity
 * {@code tau = 1e-3} are the values Reddi et al. fix for their experiments (they tune the two learning
 * rates per task on a grid; {@code tau} is the "degree of adaptivity", smaller is more adaptive).
 * FedAdagrad has no {@code beta2}; its {@code beta1} default 0 is Flower's. The server learning rates
 * are Flower's, since the paper gives no single value: FedAdam and FedAdagrad {@code eta} 0.1, FedYogi
 * 0.01 (Flower's {@code flwr/server/strategy/fedadam.py}, read 2026-12-05: {@code eta=1e-1},
 * {@code eta_l=1e-1}, {@code beta_1=0.9}, {@code beta_2=0.99}, {@code tau=1e-9}). {@code tau} is the
 * paper's 1e-3 for all three, not Flower's 1e-9 for FedAdam and FedAdagrad: with {@code tau} far
 * below {@code |d|} the first round moves every parameter by
 * {@code eta * (1 - beta1) / sqrt(1 - beta2)} in the direction of its mean delta, however small that
 * delta ({@code m = (1 - beta1) d}, {@code sqrt(v) = sqrt(1 - beta2) |d|}): with {@code eta} 0.1 that is
 * 0.1 per parameter (ServerOptimizerTest's first case), far more than the 1e-4 to 1e-2 deltas of a
 * local epoch of Adam 0.001; with {@code tau = 1e-3} a coordinate whose mean delta is 1e-3 moves by
 * about {@code 0.1 * 1e-4 / (1e-4 + 1e-3) = 0.009}. Flower's current FedAdam also applies Adam's bias
 * correction to {@code eta} ({@code eta * sqrt(1 - beta2^t) / (1 - beta1^t)}); this one, as the paper's
 * Algorithm 2, does not.
 */
abstract class ServerOptimizer implements AggregationStrategy {

  static final String M = "m";
  static final String V = "v";

  private final double eta;
  private final double beta1;
  private final double tau;

  ServerOptimizer(double eta, double beta1, double tau) {
    this.eta = eta;
    this.beta1 = beta1;
    this.tau = tau;
  }

  /** {@code eta}, the server learning rate, with the type's default. */
  static StrategyParameter<Double> eta(double defaultValue) {
    return StrategyParameter.real("eta", defaultValue, StrategyParameter.Range.greaterThan(0), "Server learning rate.");
  }

  /** {@code beta1}, the first moment's decay, with the type's default. */
  static StrategyParameter<Double> beta1(double defaultValue) {
    return StrategyParameter.real("beta1", defaultValue, StrategyParameter.Range.closedOpen(0, 1),
        "Decay of the first moment m.");
  }

  /** {@code beta2}, the second moment's decay, with the type's default. */
  static StrategyParameter<Double> beta2(double defaultValue) {
    return StrategyParameter.real("beta2", defaultValue, StrategyParameter.Range.closedOpen(0, 1),
        "Decay of the second moment v.");
  }

  /** {@code tau}, the adaptivity, with the type's default. */
  static StrategyParameter<Double> tau(double defaultValue) {
    return StrategyParameter.real("tau", defaultValue, StrategyParameter.Range.greaterThan(0),
        "Adaptivity: added to sqrt(v); larger steps are closer to momentum SGD's.");
  }

  /** The new second moment of one coordinate from the previous one and the squared pseudo-gradient. */
  abstract double secondMoment(double v, double dSquared);

  /** @throws IllegalStateException if a state vector's length differs from {@code global}'s */
  @Override
  public final Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    return step(global, FedAvg.meanDelta(global, updates), state);
  }

  /** Plan: one pass, the example-weighted mean delta; then the optimizer's step on the caller. */
  @Override
  public final Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges) {
    return step(global, ShardedAggregation.mean(ranges, facts.examples(), ShardedAggregation.all(facts.count())), state);
  }

  /** The server step from the example-weighted mean delta {@code d}, however it was computed. */
  final Aggregation step(float[] global, float[] d, StrategyState state) {
    float[] m0 = Vectors.stateVector(state, M, d.length);
    float[] v0 = Vectors.stateVector(state, V, d.length);
    float[] m = new float[d.length];
    float[] v = new float[d.length];
    float[] next = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      double di = d[i];
      double mi = beta1 * (m0 == null ? 0 : m0[i]) + (1 - beta1) * di;
      double vi = secondMoment(v0 == null ? 0 : v0[i], di * di);
      m[i] = (float) mi;
      v[i] = (float) vi;
      next[i] = (float) (global[i] + eta * mi / (Math.sqrt(vi) + tau));
    }
    Map<String, float[]> vectors = new LinkedHashMap<>();
    vectors.put(M, m);
    vectors.put(V, v);
    return new Aggregation(next, state.next(vectors));
  }
}
