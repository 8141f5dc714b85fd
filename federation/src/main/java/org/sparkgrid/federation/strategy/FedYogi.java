package org.sparkgrid.federation.strategy;

/**
 * FedYogi, type {@code fedyogi}: {@link ServerOptimizer} with
 * {@code v = v - (1 - beta2) * d^2 * sign(v - d^2)}, so {@code v} moves towards {@code d^2} by a
 * step that does not depend on {@code v} (Zaheer et al. 2018). Parameters (Flower's defaults):
 * {@code eta} 0.01, {@code beta1} 0.9, {@code beta2} 0.99, {@code tau} 1e-3.
 */
final class FedYogi extends ServerOptimizer {

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
