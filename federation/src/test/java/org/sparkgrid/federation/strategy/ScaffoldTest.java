package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.sparkgrid.federation.strategy.Updates.strategy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SCAFFOLD (Karimireddy et al. 2020) on fixtures small enough to check by hand. */
class ScaffoldTest {

  private static SiteUpdate u(String site, long examples, float delta, float controlDelta) {
    return new SiteUpdate(site, new float[] {delta}, examples, 10, new float[] {controlDelta});
  }

  /** A state after some rounds: c = 0.4, c_s1 = 0.1, c_s3 = 0.7. */
  private static StrategyState before() {
    Map<String, float[]> v = new LinkedHashMap<>();
    v.put("c", new float[] {0.4f});
    v.put("c/s1", new float[] {0.1f});
    v.put("c/s3", new float[] {0.7f});
    return new StrategyState(5, v);
  }

  @Test
  void movesTheServerControlVariateByTheParticipatingShareOfTheMeanDelta() {
    // Prepare: 2 of N = 4 sites take part (s1 and s2), dc = 0.2 and 0.6: c = 0.4 + (2 / 4) * 0.4 = 0.6
    List<SiteUpdate> updates = List.of(u("s1", 1, 1f, 0.2f), u("s2", 3, 3f, 0.6f));

    // Execute
    Aggregation a = strategy("scaffold", "sites", 4.0).aggregate(new float[] {1}, updates, before());

    // Assert: model 1 + (1 * 1 + 3 * 3) / 4 = 3.5; c_s1 = 0.1 + 0.2, c_s2 = 0 + 0.6, c_s3 kept
    assertThat(a.global()).containsExactly(3.5f);
    assertThat(a.state().vector("c")[0]).isCloseTo(0.6f, within(1e-7f));
    assertThat(a.state().vector("c/s1")[0]).isCloseTo(0.3f, within(1e-7f));
    assertThat(a.state().vector("c/s2")).containsExactly(0.6f);
    assertThat(a.state().vector("c/s3")).containsExactly(0.7f);
    assertThat(a.state().vectors().keySet()).containsExactly("c", "c/s1", "c/s3", "c/s2");
    assertThat(a.state().rounds()).isEqualTo(6);
  }

  @Test
  void withoutSitesEverySiteIsTakenToParticipate() {
    // c = 0 + (0.2 + 0.6) / 2 = 0.4; eta 0.5: 1 + 0.5 * 2.5 = 2.25
    List<SiteUpdate> updates = List.of(u("s1", 1, 1f, 0.2f), u("s2", 3, 3f, 0.6f));

    Aggregation a = strategy("scaffold", "eta", 0.5).aggregate(new float[] {1}, updates, StrategyState.EMPTY);

    assertThat(a.global()).containsExactly(2.25f);
    assertThat(a.state().vector("c")[0]).isCloseTo(0.4f, within(1e-7f));
  }

  @Test
  void resumesFromACheckpointExactly() {
    AggregationStrategy s = strategy("scaffold", "sites", 4.0);
    List<SiteUpdate> round = List.of(u("s1", 1, 1f, 0.2f), u("s2", 3, 3f, 0.6f));
    Aggregation first = s.aggregate(new float[] {1}, round, before());

    Aggregation resumed = s.aggregate(first.global(), round, StrategyState.fromMap(first.state().toMap()));
    Aggregation straight = s.aggregate(first.global(), round, first.state());

    assertThat(resumed.global()).containsExactly(straight.global());
    assertThat(resumed.state()).isEqualTo(straight.state());
    assertThat(Scaffold.siteControl(resumed.state(), "s2", 1)).containsExactly(1.2f);
  }

  @Test
  void refusesAnUpdateWithoutAControlDeltaNamingTheSite() {
    List<SiteUpdate> updates = List.of(u("s1", 1, 1f, 0.2f), new SiteUpdate("site-9", new float[] {1f}, 2));

    assertThatThrownBy(() -> strategy("scaffold").aggregate(new float[] {0}, updates, StrategyState.EMPTY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scaffold needs each update's control-variate delta: site site-9 sent none (the site task must"
            + " send c_i+ - c_i)");
  }

  @Test
  void refusesMoreUpdatesThanSites() {
    List<SiteUpdate> updates = List.of(u("s1", 1, 1f, 0.2f), u("s2", 1, 1f, 0.2f));

    assertThatThrownBy(() -> strategy("scaffold", "sites", 1.0).aggregate(new float[] {0}, updates, StrategyState.EMPTY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("scaffold: 2 updates in one round but sites is 1; sites must be the federation's number of sites");
  }

  @Test
  void refusesTwoUpdatesFromOneSite() {
    List<SiteUpdate> updates = List.of(u("s1", 1, 1f, 0.2f), u("s1", 1, 1f, 0.2f));

    assertThatThrownBy(() -> strategy("scaffold").aggregate(new float[] {0}, updates, StrategyState.EMPTY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scaffold: site s1 sent two updates in one round");
  }

  @Test
  void theSiteSideCorrectsEachStepAndSendsOptionII() {
    // g - c_i + c = 0.5 - 0.25 + 1 = 1.25. Option II: dc = -c - delta / (K lr) = -1 - (-0.5) / (10 * 0.1) = -0.5
    assertThat(Scaffold.correctedGradient(new float[] {0.5f}, new float[] {0.25f}, new float[] {1f}))
        .containsExactly(1.25f);
    assertThat(Scaffold.controlDeltaOptionII(new float[] {1f}, new float[] {-0.5f}, 10, 0.1))
        .containsExactly(-0.5f);
  }

  @Test
  void controlVariatesAreZeroBeforeTheFirstRound() {
    assertThat(Scaffold.serverControl(StrategyState.EMPTY, 2)).containsExactly(0f, 0f);
    assertThat(Scaffold.siteControl(before(), "s9", 1)).containsExactly(0f);
    assertThat(Scaffold.siteControl(before(), "s3", 1)).containsExactly(0.7f);
  }

  @Test
  void asksTheSitesForControlVariatesAlsoWhenClipped() {
    assertThat(strategy("scaffold").needsControlVariates()).isTrue();
    assertThat(strategy("scaffold", "clipNorm", 1.0).needsControlVariates()).isTrue();
    assertThat(strategy("scaffold").needsLocalSteps()).isFalse();
    assertThat(strategy("fedprox", "mu", 0.1).needsControlVariates()).isFalse();
  }
}
