package org.sparkgrid.federation.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class GaussianNoiseTest {

  @Test
  void boxMullerOfAllZeroBitsByHand() {
    // Prepare: every bit 0 -> u1 = 2^-53 (never 0), u2 = 0: r = sqrt(-2 ln 2^-53) = sqrt(106 ln 2), angle 0
    RandomGenerator zeros = () -> 0L;

    // Execute: 3 draws, the last pair cut in half
    double[] z = GaussianNoise.standardNormals(3, zeros);

    // Assert: r cos 0, r sin 0, r cos 0
    double r = Math.sqrt(106 * Math.log(2));
    assertThat(z).containsExactly(new double[] {r, 0, r}, within(1e-12));
    assertThat(r).isCloseTo(8.5717, within(1e-4));
  }

  @Test
  void secureDrawsHaveMeanZeroAndStandardDeviationOne() {
    double[] z = GaussianNoise.standardNormals(100_001, GaussianNoise.secure());

    double mean = java.util.Arrays.stream(z).average().orElseThrow();
    double var = java.util.Arrays.stream(z).map(x -> (x - mean) * (x - mean)).sum() / (z.length - 1);

    // standard errors: 1 / sqrt(100001) = 0.0032 for the mean, 1 / sqrt(2 * 100000) = 0.0022 for the std
    assertThat(mean).isCloseTo(0, within(0.016));
    assertThat(Math.sqrt(var)).isCloseTo(1, within(0.011));
  }

  @Test
  void refusesANegativeCount() {
    assertThatThrownBy(() -> GaussianNoise.standardNormals(-1, GaussianNoise.secure()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("n is -1; must be >= 0");
  }
}
