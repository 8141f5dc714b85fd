package org.sparkgrid.federation.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.federation.strategy.StrategyState;

class RoundStateTest {

  private static RoundState sample() {
    StrategyState strategy = new StrategyState(3, Map.of("momentum", new float[] {0.5f, -0.25f}));
    List<Contribution> contributions = List.of(
        new Contribution(2, "s1", 600, 0.6, 0.125, Double.NaN),
        new Contribution(2, "s2", 400, 0.4, -0.5, 0.75));
    return new RoundState(3, new float[] {1.5f, Float.MIN_NORMAL}, strategy, contributions, Set.of("s9", "s4"));
  }

  @Test
  void roundTripsThroughJson() {
    RoundState state = sample();

    byte[] json = state.toJson();
    RoundState back = RoundState.fromJson(json);

    assertThat(back).isEqualTo(state);
    assertThat(back.contributions().get(0).shapley()).isNaN();
    assertThat(new String(json, StandardCharsets.UTF_8))
        .startsWith("{\"schema\":1,\"round\":3,\"global\":\"")
        .contains("\"excludedSites\":[\"s4\",\"s9\"]");
  }

  @Test
  void roundTripsThroughAMap() {
    RoundState state = sample();

    assertThat(RoundState.fromMap(state.toMap())).isEqualTo(state);
  }

  @Test
  void refusesAMapWithoutParametersNamingTheKey() {
    Map<String, Object> map = new java.util.LinkedHashMap<>(sample().toMap());
    map.remove("global");

    assertThatThrownBy(() -> RoundState.fromMap(map))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("round state: global must be a Base64 string, got null");
  }

  @Test
  void refusesAnotherSchema() {
    Map<String, Object> map = new java.util.LinkedHashMap<>(sample().toMap());
    map.put("schema", 2);

    assertThatThrownBy(() -> RoundState.fromMap(map)).hasMessage("round state: schema must be 1, got 2");
  }

  @Test
  void contributionsAccumulate() {
    RoundState state = RoundState.initial(new float[] {0})
        .withContributions(List.of(new Contribution(0, "a", 1, 1, 0, 0)))
        .withContributions(List.of(new Contribution(1, "a", 1, 1, 0, 0)));

    assertThat(state.contributions()).extracting(Contribution::round).containsExactly(0, 1);
  }
}
