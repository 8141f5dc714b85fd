package org.sparkgrid.federation.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.request.StrategySpec;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.federation.strategy.Strategies;

class RoundAggregationTest {

  private static SiteUpdate u(String site, long examples, float... delta) {
    return new SiteUpdate(site, delta, examples);
  }

  @Test
  void mergesTheValidUpdatesAndAdvancesTheRound() {
    // Prepare: s3 is NaN and left out; FedAvg of s1 (1 example, [2, 0]) and s2 (3 examples, [2, 4])
    RoundState state = RoundState.initial(new float[] {1, 1}).withExcluded("s9");
    List<SiteUpdate> updates = List.of(u("s1", 1, 2, 0), u("s2", 3, 2, 4), u("s3", 1, Float.NaN, 0));

    // Execute
    RoundAggregation.Outcome out = RoundAggregation.run(state, updates, Strategies.fedAvg(), 2, List.of());

    // Assert
    assertThat(out.next().round()).isEqualTo(1);
    assertThat(out.next().global()).containsExactly(3f, 4f);
    assertThat(out.next().strategyState().rounds()).isEqualTo(1);
    assertThat(out.next().excludedSites()).isEqualTo(Set.of("s9"));
    assertThat(out.accepted()).extracting(SiteUpdate::siteId).containsExactly("s1", "s2");
    assertThat(out.rejected()).containsExactly(new Rejection("s3", "delta[0] is NaN"));
    assertThat(state.round()).isZero();
  }

  @Test
  void failsWhenFewerValidUpdatesThanMinSitesNamingBothCounts() {
    RoundState state = RoundState.initial(new float[] {0, 0});
    List<SiteUpdate> updates = List.of(u("s1", 1, 1, 1), u("s2", 1, 1, 1), u("s3", 1, 1, Float.NaN));

    assertThatThrownBy(() -> RoundAggregation.run(state, updates, Strategies.fedAvg(), 3, List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("round 0 has 2 valid updates but minSites is 3 (1 rejected: s3: delta[1] is NaN)");
  }

  @Test
  void failsWhenTheStrategyNeedsMoreThanMinSites() {
    RoundState state = RoundState.initial(new float[] {0});
    List<SiteUpdate> updates = List.of(u("s1", 1, 1), u("s2", 1, 1), u("s3", 1, 1));

    assertThatThrownBy(() -> RoundAggregation.run(state, updates,
        Strategies.create(new StrategySpec("krum", Map.of("f", 1.0))), 1, List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("round 0 has 3 valid updates but krum needs at least 5");
  }
}
