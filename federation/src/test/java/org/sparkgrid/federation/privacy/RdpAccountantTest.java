package org.sparkgrid.federation.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Known values: closed forms, and TensorFlow Privacy's rdp_accountant_test (whose integer-order
 * formula and classic conversion this accountant shares).
 */
class RdpAccountantTest {

  @Test
  void withoutSamplingItIsTheGaussianMechanism() {
    // q = 1: rdp = order / (2 z^2); TF Privacy: compute_rdp(1, 10, 1, 20) = 0.1
    assertThat(RdpAccountant.rdp(1, 10, 20)).isEqualTo(0.1);
    assertThat(RdpAccountant.rdp(1, 2, 7)).isEqualTo(7 / 8.0);
  }

  @Test
  void orderTwoHasAClosedForm() {
    // A_2 = (1-q)^2 + 2q(1-q) + q^2 e^(1/z^2) = 1 + q^2 (e^(1/z^2) - 1); q = 0.5, z = 1
    assertThat(RdpAccountant.rdp(0.5, 1, 2)).isCloseTo(Math.log(1 + 0.25 * (Math.E - 1)), within(1e-12));
  }

  @Test
  void noSamplingSpendsNothing() {
    assertThat(RdpAccountant.rdp(0, 10, 20)).isZero();
  }

  @Test
  void matchesTensorFlowPrivacysRdpValues() {
    // compute_rdp(0.1, 2, 10, 5) = 0.07737; compute_rdp(0.01, 2.5, 50, [5, 50, 100])
    assertThat(10 * RdpAccountant.rdp(0.1, 2, 5)).isCloseTo(0.07737, within(5e-6));
    assertThat(50 * RdpAccountant.rdp(0.01, 2.5, 5)).isCloseTo(0.00218075, within(1e-6));
    assertThat(50 * RdpAccountant.rdp(0.01, 2.5, 50)).isCloseTo(0.023846, within(1e-6));
    assertThat(50 * RdpAccountant.rdp(0.01, 2.5, 100)).isCloseTo(167.416307, within(1e-5));
  }

  @Test
  void matchesTensorFlowPrivacysEpsilonAtTargetDelta() {
    // test_get_privacy_spent_check_target_delta: orders 2..32, q 0.01, z 4, 10000 steps, delta 1e-5
    int[] orders = IntStream.rangeClosed(2, 32).toArray();

    RdpAccountant.Spent spent = RdpAccountant.epsilon(0.01, 4, 10_000, 1e-5, orders);

    assertThat(spent.epsilon()).isCloseTo(1.258575, within(1e-6));
    assertThat(spent.order()).isEqualTo(20);
    assertThat(RdpAccountant.epsilon(0.01, 4, 10_000, 1e-5)).isEqualTo(spent);
  }

  @Test
  void epsilonOfThePlainGaussianMechanismByHand() {
    // q = 1, z = 1, 10 rounds: min over a of 10 a / 2 + log(1e5) / (a - 1); a = 3 gives 15 + 5.7565
    RdpAccountant.Spent spent = RdpAccountant.epsilon(1, 1, 10, 1e-5);

    assertThat(spent.order()).isEqualTo(3);
    assertThat(spent.epsilon()).isCloseTo(15 + Math.log(1e5) / 2, within(1e-12));
  }

  @Test
  void moreRoundsOrLessNoiseSpendMore() {
    double base = RdpAccountant.epsilon(0.1, 1.1, 100, 1e-5).epsilon();

    assertThat(RdpAccountant.epsilon(0.1, 1.1, 200, 1e-5).epsilon()).isGreaterThan(base);
    assertThat(RdpAccountant.epsilon(0.1, 0.9, 100, 1e-5).epsilon()).isGreaterThan(base);
    assertThat(RdpAccountant.epsilon(0.1, 0, 1, 1e-5).epsilon()).isInfinite();
  }

  @Test
  void refusesASamplingRateAboveOne() {
    assertThatThrownBy(() -> RdpAccountant.epsilon(1.5, 1, 1, 1e-5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sampling rate q is 1.5; must be in [0, 1]");
  }
}
