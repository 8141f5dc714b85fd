package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.sparkgrid.federation.strategy.Updates.strategy;
import static org.sparkgrid.federation.strategy.Updates.u;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every strategy must do, whatever its type (Spark's ParamsSuite in spirit). */
class StrategyContractTest {

  static List<String> types() {
    return Strategies.TYPES;
  }

  /** 5 sites (enough for Krum with f = 1) of 3 parameters, unequal example counts. */
  private static List<SiteUpdate> updates() {
    List<SiteUpdate> out = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      out.add(u("s" + k, k + 1, 0.1f * k, -0.2f, 0.05f * k * k));
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("types")
  void modifiesNoInputAndReturnsANewVectorOfTheSameLength(String type) {
    float[] global = {1, 2, 3};
    List<SiteUpdate> updates = updates();

    Aggregation a = strategy(type, Fixtures.requiredParams(type)).aggregate(global, updates, StrategyState.EMPTY);

    assertThat(global).containsExactly(1f, 2f, 3f);
    assertThat(updates.get(4).delta()).containsExactly(0.4f, -0.2f, 0.8f);
    assertThat(a.global()).hasSize(3).isNotSameAs(global);
    assertThat(a.state().rounds()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("types")
  void isAPureFunctionOfItsArguments(String type) {
    AggregationStrategy s = strategy(type, Fixtures.requiredParams(type));
    float[] global = {1, 2, 3};

    Aggregation first = s.aggregate(global, updates(), StrategyState.EMPTY);
    Aggregation second = s.aggregate(global, updates(), StrategyState.EMPTY);
    Aggregation fromCheckpoint = s.aggregate(first.global(), updates(), StrategyState.fromMap(first.state().toMap()));
    Aggregation direct = s.aggregate(first.global(), updates(), first.state());

    assertThat(second.global()).containsExactly(first.global());
    assertThat(fromCheckpoint.global()).containsExactly(direct.global());
    assertThat(fromCheckpoint.state()).isEqualTo(direct.state());
  }

  @ParameterizedTest
  @MethodSource("types")
  void sitesThatAgreeMoveTheAveragingStrategiesByTheirDelta(String type) {
    // The server optimizers rescale the step, so they are left out of this one
    if (Set.of("fedadam", "fedyogi", "fedadagrad").contains(type)) {
      return;
    }
    List<SiteUpdate> same = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      same.add(u("s" + k, k + 1, 0.5f, -1f));
    }

    float[] merged = strategy(type, Fixtures.requiredParams(type)).aggregate(new float[] {1, 1}, same, StrategyState.EMPTY)
        .global();

    assertThat(merged[0]).isCloseTo(1.5f, within(1e-6f));
    assertThat(merged[1]).isCloseTo(0f, within(1e-6f));
  }
}
