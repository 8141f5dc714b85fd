package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sparkgrid.federation.strategy.Updates.strategy;
import static org.sparkgrid.federation.strategy.Updates.u;

import java.util.List;
import org.junit.jupiter.api.Test;

class FedAvgTest {

  @Test
  void addsTheExampleWeightedMeanDelta() {
    // Prepare: deltas 2, 1, 2 with 1, 2, 1 examples (Flower's fixture) -> mean 1.5; second coordinate (0*1 + 3*2 + 0*1) / 4
    float[] global = {1, 1};
    List<SiteUpdate> updates = List.of(u("s1", 1, 2, 0), u("s2", 2, 1, 3), u("s3", 1, 2, 0));

    // Execute
    Aggregation a = strategy("fedavg").aggregate(global, updates, StrategyState.EMPTY);

    // Assert
    assertThat(a.global()).containsExactly(2.5f, 2.5f);
    assertThat(a.state()).isEqualTo(new StrategyState(1, java.util.Map.of()));
    assertThat(global).containsExactly(1f, 1f);
  }

  @Test
  void fedProxMergesLikeFedAvgAndExposesMuForTheSites() {
    AggregationStrategy prox = strategy("fedprox", "mu", 0.01);
    List<SiteUpdate> updates = List.of(u("s1", 3, 1, 10), u("s2", 1, 5, 2));

    float[] merged = prox.aggregate(new float[] {0, 0}, updates, StrategyState.EMPTY).global();

    assertThat(merged).containsExactly(2f, 8f);
    assertThat(prox.proximalMu()).isEqualTo(0.01);
    assertThat(strategy("fedavg").proximalMu()).isZero();
  }

  @Test
  void refusesADeltaOfAnotherLengthNamingTheSite() {
    assertThatThrownBy(() -> strategy("fedavg").aggregate(new float[] {0, 0},
        List.of(u("s1", 1, 1, 1), u("s2", 1, 1)), StrategyState.EMPTY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("update of site s2 has 1 values but the global parameters have 2");
  }

  @Test
  void refusesNoUpdates() {
    assertThatThrownBy(() -> strategy("median").aggregate(new float[] {0}, List.of(), StrategyState.EMPTY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no updates to aggregate");
  }
}
