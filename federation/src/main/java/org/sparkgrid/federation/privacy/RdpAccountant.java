package org.sparkgrid.federation.privacy;

import java.util.stream.IntStream;

/**
 * Privacy spent by the sampled Gaussian mechanism, by Rényi differential privacy (RDP): what
 * DP-FedAvg reports each round. Pure functions, no state: the caller passes the round count.
 *
 * <p>One round samples each site with probability {@code q} and adds Gaussian noise of standard
 * deviation {@code z} times the sensitivity. Its RDP at integer order {@code a >= 2} is (Mironov,
 * Talwar and Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism", Section
 * 3.3; the same formula as TensorFlow Privacy's {@code _compute_log_a_int}):
 * <pre>
 *   A_a    = sum_{i=0..a} C(a, i) * (1 - q)^(a - i) * q^i * exp((i^2 - i) / (2 z^2))
 *   rdp(a) = log(A_a) / (a - 1)
 * </pre>
 * computed in log space. With {@code q = 1} it is the plain Gaussian mechanism,
 * {@code rdp(a) = a / (2 z^2)}; with {@code q = 0} it is 0. RDP composes by addition, so
 * {@code rounds} rounds cost {@code rounds * rdp(a)}, and the conversion to (epsilon, delta)-DP is
 * the classic one (Mironov 2017, Proposition 3):
 * <pre>
 *   epsilon = min over orders a of  rounds * rdp(a) + log(1 / delta) / (a - 1)
 * </pre>
 *
 * <p>Orders: {@link #ORDERS}, the integer members of the usual list (2..64, 128, 256, 512). The
 * fractional orders that TensorFlow Privacy and Opacus also try (1.1 .. 10.9) are left out: they need
 * a slower series, and leaving them out can only make epsilon larger (a safe over-estimate), slightly,
 * where the best order falls between two integers.
 *
 * <pre>{@code
 * double eps = RdpAccountant.epsilon(0.01, 4.0, 10_000, 1e-5).epsilon();   // 1.2586, at order 20
 * }</pre>
 */
public final class RdpAccountant {

  /** The orders tried: 2, 3, ..., 64, 128, 256, 512. */
  public static final int[] ORDERS = IntStream.concat(IntStream.rangeClosed(2, 64), IntStream.of(128, 256, 512)).toArray();

  private RdpAccountant() {}

  /**
   * The privacy spent, and the order that gave it.
   *
   * @param epsilon the epsilon at the given delta (infinite with no noise)
   * @param order   the RDP order at which the minimum was reached
   */
  public record Spent(double epsilon, int order) {}

  /**
   * RDP of one round of the sampled Gaussian mechanism at integer order {@code order}.
   *
   * @param q               sampling rate, in [0, 1]
   * @param noiseMultiplier z, the noise's standard deviation over the sensitivity, >= 0 (0: infinite)
   * @param order           the Rényi order, >= 2
   * @throws IllegalArgumentException naming the argument and its value if one is out of range
   */
  public static double rdp(double q, double noiseMultiplier, int order) {
    check(q, noiseMultiplier);
    if (order < 2) {
      throw new IllegalArgumentException("order is " + order + "; must be >= 2");
    }
    if (q == 0) {
      return 0;
    }
    if (noiseMultiplier == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double twoZ2 = 2 * noiseMultiplier * noiseMultiplier;
    if (q == 1) {
      return order / twoZ2;
    }
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double logBinomial = 0; // log C(order, 0)
    double logA = Double.NEGATIVE_INFINITY;
    for (int i = 0; i <= order; i++) {
      if (i > 0) {
        logBinomial += Math.log((double) (order - i + 1) / i);
      }
      double term = logBinomial + i * logQ + (order - i) * log1mQ + ((double) i * i - i) / twoZ2;
      logA = logAdd(logA, term);
    }
    return logA / (order - 1);
  }

  /**
   * Epsilon after {@code rounds} rounds at {@code delta}, minimised over {@link #ORDERS}.
   *
   * @param q               sampling rate: the fraction of sites sampled each round, in [0, 1]
   * @param noiseMultiplier z, >= 0
   * @param rounds          rounds run, >= 0
   * @param delta           in (0, 1)
   * @throws IllegalArgumentException naming the argument and its value if one is out of range
   */
  public static Spent epsilon(double q, double noiseMultiplier, long rounds, double delta) {
    return epsilon(q, noiseMultiplier, rounds, delta, ORDERS);
  }

  /** {@link #epsilon(double, double, long, double)} over the given orders (each >= 2). */
  public static Spent epsilon(double q, double noiseMultiplier, long rounds, double delta, int[] orders) {
    check(q, noiseMultiplier);
    if (rounds < 0) {
      throw new IllegalArgumentException("rounds is " + rounds + "; must be >= 0");
    }
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("delta is " + delta + "; must be in (0, 1)");
    }
    if (orders.length == 0) {
      throw new IllegalArgumentException("no orders");
    }
    double best = Double.POSITIVE_INFINITY;
    int bestOrder = orders[0];
    for (int a : orders) {
      double perRound = rdp(q, noiseMultiplier, a);
      double total = rounds == 0 || perRound == 0 ? 0 : rounds * perRound;
      double eps = total + Math.log(1 / delta) / (a - 1);
      if (eps < best) {
        best = eps;
        bestOrder = a;
      }
    }
    return new Spent(best, bestOrder);
  }

  private static void check(double q, double noiseMultiplier) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("sampling rate q is " + q + "; must be in [0, 1]");
    }
    if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
      throw new IllegalArgumentException("noise multiplier z is " + noiseMultiplier + "; must be >= 0 and finite");
    }
  }

  /** {@code log(exp(a) + exp(b))} without overflow. */
  private static double logAdd(double a, double b) {
    if (a == Double.NEGATIVE_INFINITY) {
      return b;
    }
    if (b == Double.NEGATIVE_INFINITY) {
      return a;
    }
    return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
  }
}
