package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.sparkgrid.federation.strategy.Updates.strategy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** FedNova (Wang et al. 2020) on fixtures small enough to check by hand. */
class FedNovaTest {

  private static SiteUpdate u(String site, long examples, long localSteps, float... delta) {
    return new SiteUpdate(site, delta, examples, localSteps, null);
  }

  @Test
  void normalizesBySitesOfOneAndThreeLocalSteps() {
    // Prepare: one example each; d = (1 / 1, 6 / 3) = (1, 2), mean 1.5; tau_eff = (1 + 3) / 2 = 2; step 3
    List<SiteUpdate> updates = List.of(u("a", 1, 1, 1f, -2f), u("b", 1, 3, 6f, 0f));

    // Execute
    Aggregation a = strategy("fednova").aggregate(new float[] {10, 10}, updates, StrategyState.EMPTY);

    // Assert: 10 + 3; second coordinate (-2 / 1 + 0 / 3) / 2 * 2 = -2. FedAvg would give 13.5 and 9
    assertThat(a.global()).containsExactly(13f, 8f);
    assertThat(a.state()).isEqualTo(new StrategyState(1, java.util.Map.of()));
  }

  @Test
  void weightsTheNormalizedUpdatesAndTheStepsByExamples() {
    // Prepare: p = (3/4, 1/4); d = (1, 2) -> 0.75 + 0.5 = 1.25; tau_eff = 0.75 * 1 + 0.25 * 3 = 1.5; eta 2
    List<SiteUpdate> updates = List.of(u("a", 3, 1, 1f), u("b", 1, 3, 6f));

    // Execute
    Aggregation a = strategy("fednova", "eta", 2.0).aggregate(new float[] {0}, updates, StrategyState.EMPTY);

    // Assert: 2 * 1.5 * 1.25 = 3.75
    assertThat(a.global()[0]).isCloseTo(3.75f, within(1e-6f));
  }

  @Test
  void equalLocalStepsGiveFedAvg() {
    List<SiteUpdate> updates = List.of(u("a", 1, 4, 2f), u("b", 3, 4, 6f));

    float[] nova = strategy("fednova").aggregate(new float[] {1}, updates, StrategyState.EMPTY).global();
    float[] avg = strategy("fedavg").aggregate(new float[] {1}, updates, StrategyState.EMPTY).global();

    // (1 * 2 + 3 * 6) / 4 = 5, plus 1
    assertThat(nova).containsExactly(6f);
    assertThat(avg).containsExactly(6f);
  }

  @Test
  void refusesAnUpdateWithoutLocalStepsNamingTheSite() {
    List<SiteUpdate> updates = List.of(u("a", 1, 2, 1f), new SiteUpdate("site-7", new float[] {1f}, 5));

    assertThatThrownBy(() -> strategy("fednova").aggregate(new float[] {0}, updates, StrategyState.EMPTY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fednova needs each update's local steps: site site-7 reported 0 (the site task must send the"
            + " number of local steps it took)");
  }

  @Test
  void mergesRangeByRangeAsOnOneMachine() {
    // Prepare: the hand-checked fixture, one coordinate per range
    List<SiteUpdate> updates = List.of(u("a", 1, 1, 1f, -2f), u("b", 1, 3, 6f, 0f));

    // Execute
    Aggregation a = ShardedAggregation.aggregate(strategy("fednova"), new float[] {10, 10}, UpdateFacts.of(updates),
        StrategyState.EMPTY, UpdateRanges.of(updates.stream().map(SiteUpdate::delta).toList(), 2));

    // Assert
    assertThat(a.global()).containsExactly(13f, 8f);
  }

  @Test
  void asksTheSitesForTheirLocalStepsAlsoWhenClipped() {
    assertThat(strategy("fednova").needsLocalSteps()).isTrue();
    assertThat(strategy("fednova", "clipNorm", 1.0).needsLocalSteps()).isTrue();
    assertThat(strategy("fednova").needsControlVariates()).isFalse();
    assertThat(strategy("fedavg").needsLocalSteps()).isFalse();
  }
}
