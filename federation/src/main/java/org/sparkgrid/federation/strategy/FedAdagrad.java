package org.sparkgrid.federation.strategy;

/**
 * FedAdagrad, type {@code fedadagrad}: {@link ServerOptimizer} with {@code v = v + d^2}.
 * Parameters: {@code eta} 0.1 and {@code beta1} 0 (so {@code m = d}; the paper allows any beta1), both
 * Flower's, and {@code tau} 1e-3 (Reddi et al. 2021; Flower: 1e-9). No {@code beta2}. See
 * {@link ServerOptimizer} for the sources.
 */
final class FedAdagrad extends ServerOptimizer {

  static final StrategyParameter<Double> ETA = eta(0.1);
  static final StrategyParameter<Double> BETA1 = beta1(0);
  static final StrategyParameter<Double> TAU = tau(1e-3); // Reddi et al. 2021; Flower: 1e-9

  /** Type {@code fedadagrad}. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("fedadagrad", "examples", "FedAdagrad (Reddi et al. 2021): as FedAdam, with v = v + d^2."
          + " State: vectors m and v.",
          ETA, BETA1, TAU);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new FedAdagrad(p.get(ETA), p.get(BETA1), p.get(TAU));
    }
  }

  FedAdagrad(double eta, double beta1, double tau) {
    super(eta, beta1, tau);
  }

  @Override
  public String type() {
    return "fedadagrad";
  }

  @Override
  double secondMoment(double v, double dSquared) {
    return v + dSquared;
  }
}
