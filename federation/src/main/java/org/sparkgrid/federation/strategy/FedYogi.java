package org.sparkgrid.federation.strategy;

/**
 * FedYogi, type {@code fedyogi}: {@link ServerOptimizer} with
 * {@code v = v - (1 - beta2) * d^2 * sign(v - d^2)}, so {@code v} moves towards {@code d^2} by a
 * step that does not depend on {@code v} (Zaheer et al. 2018). Parameters: {@code eta} 0.01 (Flower's),
 * {@code beta1} 0.9, {@code beta2} 0.99, {@code tau} 1e-3 (Reddi et al. 2021, and Flower's).
 */
final class FedYogi extends ServerOptimizer {

  static final StrategyParameter<Double> ETA = eta(0.01);
  static final StrategyParameter<Double> BETA1 = beta1(0.9);
  static final StrategyParameter<Double> BETA2 = beta2(0.99);
  static final StrategyParameter<Double> TAU = tau(1e-3);

  /** Type {@code fedyogi}. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("fedyogi", "examples", "FedYogi (Reddi et al. 2021): as FedAdam, with"
          + " v = v - (1 - beta2) * d^2 * sign(v - d^2). State: vectors m and v.",
          ETA, BETA1, BETA2, TAU);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new FedYogi(p.get(ETA), p.get(BETA1), p.get(BETA2), p.get(TAU));
    }
  }

  private final double beta2;

  FedYogi(double eta, double beta1, double beta2, double tau) {
    super(eta, beta1, tau);
    this.beta2 = beta2;
  }

  @Override
  public String type() {
    return "fedyogi";
  }

  @Override
  double secondMoment(double v, double dSquared) {
    return v - (1 - beta2) * dSquared * Math.signum(v - dSquared);
  }
}
