package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.sparkgrid.federation.strategy.Updates.strategy;
import static org.sparkgrid.federation.strategy.Updates.u;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.federation.privacy.RdpAccountant;

class DpFedAvgTest {

  @Test
  void withoutNoiseItIsTheUnweightedMeanOfClippedUpdates() {
    // [3, 4] clipped to norm 1 -> [0.6, 0.8]; [0.3, 0] stays; examples are ignored: (0.6 + 0.3) / 2, 0.8 / 2
    AggregationStrategy dp = strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 0.0);

    float[] merged = dp.aggregate(new float[] {1, 1}, List.of(u("a", 1, 3, 4), u("b", 99, 0.3f, 0)),
        StrategyState.EMPTY).global();

    assertThat(merged[0]).isCloseTo(1.45f, within(1e-6f));
    assertThat(merged[1]).isCloseTo(1.4f, within(1e-6f));
  }

  @Test
  void noiseHasStandardDeviationZTimesCOverN() {
    // Prepare: z = 2, C = 1, 4 zero updates -> noise std 2 * 1 / 4 = 0.5 on each of 40000 coordinates
    DpFedAvg dp = (DpFedAvg) strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 2.0);
    int size = 40_000;
    List<SiteUpdate> zeros = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      zeros.add(u("s" + k, 1, new float[size]));
    }

    // Execute: the production path, secure noise
    float[] noisy = dp.aggregate(new float[size], zeros, StrategyState.EMPTY).global();

    // Assert: the sample std's standard error is 0.5 / sqrt(2 * 40000) = 0.0018; allow 5 of them
    double mean = 0;
    for (float x : noisy) {
      mean += x;
    }
    mean /= size;
    double var = 0;
    for (float x : noisy) {
      var += (x - mean) * (x - mean);
    }
    assertThat(dp.noiseStd(4)).isEqualTo(0.5);
    assertThat(Math.sqrt(var / (size - 1))).isCloseTo(0.5, within(0.009));
    assertThat(mean).isCloseTo(0, within(0.01));
  }

  @Test
  void noiseDiffersBetweenTwoStrategiesBuiltFromTheSameRequest() {
    // Prepare: two strategies from the same request, as a resumed or repeated run would build
    float[] global = new float[1_000];
    List<SiteUpdate> wide = List.of(u("a", 1, new float[1_000]));

    // Execute
    float[] first = strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 1.0)
        .aggregate(global, wide, StrategyState.EMPTY).global();
    float[] second = strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 1.0)
        .aggregate(global, wide, StrategyState.EMPTY).global();

    // Assert: 1000 coordinates of N(0, 1) noise; two equal draws would mean a predictable source
    int same = 0;
    for (int i = 0; i < first.length; i++) {
      same += first[i] == second[i] ? 1 : 0;
    }
    assertThat(same).isZero();
  }

  @Test
  void theRequestCannotSeedTheNoise() {
    // Prepare/Execute/Assert: the old seed parameter, or any test-only one, is refused by the request check
    assertThatThrownBy(() -> strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 1.0, "seed", 3.0))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("federation.strategy.seed: unknown parameter for dp-fedavg; known: clipNorm, delta,"
            + " epsilonBudget, noiseMultiplier");
    assertThatThrownBy(() -> strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 1.0, "testSeed", 3.0))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("federation.strategy.testSeed: unknown parameter for dp-fedavg");
  }

  @Test
  void withTheTestSeedTheNoiseIsAFunctionOfSeedAndRoundOnly() {
    DpFedAvg dp = (DpFedAvg) strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 1.0);
    AggregationStrategy seeded = dp.withTestSeed(3);
    List<SiteUpdate> updates = List.of(u("a", 1, 0.1f, 0.2f));
    float[] global = {0, 0};

    Aggregation round0 = seeded.aggregate(global, updates, StrategyState.EMPTY);
    Aggregation round0Again = dp.withTestSeed(3).aggregate(global, updates, StrategyState.EMPTY);
    Aggregation round1 = seeded.aggregate(global, updates, round0.state());
    Aggregation otherSeed = dp.withTestSeed(4).aggregate(global, updates, StrategyState.EMPTY);

    assertThat(round0Again.global()).containsExactly(round0.global());
    assertThat(round1.global()).isNotEqualTo(round0.global());
    assertThat(otherSeed.global()).isNotEqualTo(round0.global());
  }

  @Test
  void epsilonIsTheAccountantsAtTheConfiguredDelta() {
    // Prepare: z 1.1, q 0.5, delta 1e-6
    DpFedAvg dp = (DpFedAvg) strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 1.1, "delta", 1e-6);

    // Assert: equal to the accountant called directly, growing with the rounds
    for (long rounds = 0; rounds <= 3; rounds++) {
      assertThat(dp.epsilon(0.5, rounds)).isEqualTo(RdpAccountant.epsilon(0.5, 1.1, rounds, 1e-6).epsilon());
    }
    assertThat(dp.epsilon(0.5, 2)).isGreaterThan(dp.epsilon(0.5, 1));
    // the known value of RdpAccountantTest: q 1, z 1, 10 rounds, delta 1e-5 -> 15 + ln(1e5) / 2 (order 3)
    DpFedAvg plain = (DpFedAvg) strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 1.0);
    assertThat(plain.epsilon(1, 10)).isCloseTo(15 + Math.log(1e5) / 2, within(1e-12));
  }

  @Test
  void theBudgetRefusesTheRoundThatWouldExceedIt() {
    // Prepare: q 1, z 1, delta 1e-5; a budget halfway between round 1's epsilon and round 2's
    DpFedAvg probe = (DpFedAvg) strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 1.0);
    double afterOne = probe.epsilon(1, 1);
    double afterTwo = probe.epsilon(1, 2);
    double budget = (afterOne + afterTwo) / 2;
    DpFedAvg dp = (DpFedAvg) strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 1.0, "epsilonBudget", budget);

    // Execute/Assert: round 0 (the first) runs, round 1 (the second) is refused with the figures
    dp.checkBudget(1, 0);
    assertThatThrownBy(() -> dp.checkBudget(1, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(String.format(java.util.Locale.ROOT, "federation.strategy.epsilonBudget is %s: round 2 would"
            + " bring epsilon to %.4f at delta 1.0E-5 (noiseMultiplier 1.0, fraction 1.0); the federation stops"
            + " before round 2", budget, afterTwo));
    assertThat(dp.epsilonBudget()).hasValue(budget);
    assertThat(probe.epsilonBudget()).isEmpty();
    probe.checkBudget(1, 1_000);
  }

  @Test
  void reportsEpsilonThroughTheAccountant() {
    DpFedAvg dp = (DpFedAvg) strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 4.0);

    // the accountant's known value (RdpAccountantTest): q 0.01, z 4, 10000 rounds, delta 1e-5
    assertThat(dp.epsilon(0.01, 10_000)).isCloseTo(1.258575, within(1e-5));
    assertThat(dp.delta()).isEqualTo(1e-5);
  }
}
