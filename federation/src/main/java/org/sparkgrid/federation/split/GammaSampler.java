package org.sparkgrid.federation.split;

import java.util.SplittableRandom;

/**
 * Gamma(shape, 1) variates by Marsaglia and Tsang 2000, "A Simple Method for Generating Gamma
 * Variables": for shape >= 1, with {@code d = shape - 1/3} and {@code c = 1 / sqrt(9d)}, draw a
 * normal {@code x} and a uniform {@code u}, let {@code v = (1 + c x)^3}, and accept {@code d v}
 * when {@code v > 0} and {@code log u < x^2/2 + d - d v + d log v}. For shape < 1, the boost
 * {@code Gamma(shape) = Gamma(shape + 1) * u^(1/shape)}.
 */
final class GammaSampler {

  private GammaSampler() {}

  /** One Gamma(shape, 1) variate; shape > 0. */
  static double sample(SplittableRandom random, double shape) {
    if (shape < 1) {
      double u = random.nextDouble();
      return sample(random, shape + 1) * Math.pow(u, 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = random.nextGaussian();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = random.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }

  /**
   * One Dirichlet(alpha, ..., alpha) vector of {@code k} probabilities: normalised Gamma variates.
   * If every variate underflows to 0 (tiny alpha), all the mass goes to one random component,
   * which is the limit as alpha goes to 0.
   */
  static double[] dirichlet(SplittableRandom random, int k, double alpha) {
    double[] p = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      p[i] = sample(random, alpha);
      sum += p[i];
    }
    if (sum == 0) {
      p[random.nextInt(k)] = 1;
      return p;
    }
    for (int i = 0; i < k; i++) {
      p[i] /= sum;
    }
    return p;
  }
}
