package org.sparkgrid.federation.strategy;

/**
 * FedAdam, type {@code fedadam}: {@link ServerOptimizer} with {@code v = beta2 * v + (1 - beta2) * d^2}.
 * Parameters: {@code eta} 0.1 (Flower's), {@code beta1} 0.9, {@code beta2} 0.99, {@code tau} 1e-3 (Reddi et
 * al. 2021); see {@link ServerOptimizer} for the sources.
 */
final class FedAdam extends ServerOptimizer {

  static final StrategyParameter<Double> ETA = eta(0.1);
  static final StrategyParameter<Double> BETA1 = beta1(0.9);
  static final StrategyParameter<Double> BETA2 = beta2(0.99);
  static final StrategyParameter<Double> TAU = tau(1e-3); // Reddi et al. 2021; Flower: 1e-9

  /** Type {@code fedadam}. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("fedadam", "examples", "FedAdam (Reddi et al. 2021): Adam on the server over the example-weighted mean delta,"
          + " v = beta2 * v + (1 - beta2) * d^2, no bias correction. State: vectors m and v.",
          ETA, BETA1, BETA2, TAU);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new FedAdam(p.get(ETA), p.get(BETA1), p.get(BETA2), p.get(TAU));
    }
  }

  private final double beta2;

  FedAdam(double eta, double beta1, double beta2, double tau) {
    super(eta, beta1, tau);
    this.beta2 = beta2;
  }

  @Override
  public String type() {
    return "fedadam";
  }

  @Override
  double secondMoment(double v, double dSquared) {
    return beta2 * v + (1 - beta2) * dSquared;
  }
}
