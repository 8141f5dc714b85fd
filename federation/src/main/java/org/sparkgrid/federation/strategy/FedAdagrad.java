package org.sparkgrid.federation.strategy;

/**
 * FedAdagrad, type {@code fedadagrad}: {@link ServerOptimizer} with {@code v = v + d^2}.
 * Parameters (Flower's defaults): {@code eta} 0.1, {@code beta1} 0 (so {@code m = d}; the paper
 * allows any beta1), {@code tau} 1e-9. No {@code beta2}.
 */
final class FedAdagrad extends ServerOptimizer {

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
