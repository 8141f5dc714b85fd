package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.sparkgrid.federation.strategy.Updates.strategy;
import static org.sparkgrid.federation.strategy.Updates.u;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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
    DpFedAvg dp = (DpFedAvg) strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 2.0, "seed", 7.0);
    int size = 40_000;
    List<SiteUpdate> zeros = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      zeros.add(u("s" + k, 1, new float[size]));
    }

    // Execute
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
  void noiseIsAFunctionOfSeedAndRoundOnly() {
    AggregationStrategy dp = strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 1.0, "seed", 3.0);
    List<SiteUpdate> updates = List.of(u("a", 1, 0.1f, 0.2f));
    float[] global = {0, 0};

    Aggregation round0 = dp.aggregate(global, updates, StrategyState.EMPTY);
    Aggregation round0Again = dp.aggregate(global, updates, StrategyState.EMPTY);
    Aggregation round1 = dp.aggregate(global, updates, round0.state());
    Aggregation otherSeed = strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 1.0, "seed", 4.0)
        .aggregate(global, updates, StrategyState.EMPTY);

    assertThat(round0Again.global()).containsExactly(round0.global());
    assertThat(round1.global()).isNotEqualTo(round0.global());
    assertThat(otherSeed.global()).isNotEqualTo(round0.global());
  }

  @Test
  void reportsEpsilonThroughTheAccountant() {
    DpFedAvg dp = (DpFedAvg) strategy("dp-fedavg", "clipNorm", 1.0, "noiseMultiplier", 4.0);

    // the accountant's known value (RdpAccountantTest): q 0.01, z 4, 10000 rounds, delta 1e-5
    assertThat(dp.epsilon(0.01, 10_000)).isCloseTo(1.258575, within(1e-5));
    assertThat(dp.delta()).isEqualTo(1e-5);
  }
}
