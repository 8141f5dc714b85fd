package org.sparkgrid.federation.strategy;

/**
 * FedAdam, type {@code fedadam}: {@link ServerOptimizer} with {@code v = beta2 * v + (1 - beta2) * d^2}.
 * Parameters (Flower's defaults): {@code eta} 0.1, {@code beta1} 0.9, {@code beta2} 0.99, {@code tau} 1e-9.
 */
final class FedAdam extends ServerOptimizer {

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
