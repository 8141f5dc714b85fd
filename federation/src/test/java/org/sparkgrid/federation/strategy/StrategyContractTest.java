package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkgrid.core.request.InvalidRequestException;

/**
 * What every registered strategy must do, whatever its type (Spark's ParamsSuite in spirit): its
 * declaration is complete and checked, its merge is a pure function, and its range-by-range merge
 * (tree mode's Spark stage) equals its merge on one machine.
 */
class StrategyContractTest {

  static List<StrategyDefinition> definitions() {
    return Strategies.definitions();
  }

  /**
   * 5 sites (enough for Krum with f = 1) of 3 parameters, unequal example counts, local steps 1 to 5
   * (FedNova) and control-variate deltas (SCAFFOLD).
   */
  private static List<SiteUpdate> updates() {
    List<SiteUpdate> out = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      out.add(new SiteUpdate("s" + k, new float[] {0.1f * k, -0.2f, 0.05f * k * k}, k + 1, k + 1,
          new float[] {0.01f * k, -0.02f, 0.03f}));
    }
    return out;
  }

  private static AggregationStrategy example(StrategyDefinition d) {
    return d.create(d.example());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void declaresAWireNameDocsAndValidDefaults(StrategyDefinition d) {
    assertThat(d.type()).matches("[a-z][a-z0-9-]*");
    assertThat(d.doc()).isNotBlank().endsWith(".");
    assertThat(d.weighting()).isNotBlank();
    Set<String> names = new TreeSet<>();
    for (StrategyParameter<?> p : d.parameters()) {
      assertThat(names.add(p.name())).as(d.type() + " declares " + p.name() + " twice").isTrue();
      assertThat(p.name()).matches("[a-z][A-Za-z0-9]*");
      assertThat(p.doc()).as(p.name()).isNotBlank().endsWith(".");
      assertThat(p.valid(((Number) p.example()).doubleValue())).as(p.name() + " example").isTrue();
    }
    assertThat(names).contains("clipNorm");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void buildsItsTypeFromTheRequiredParametersAlone(StrategyDefinition d) {
    AggregationStrategy s = example(d);

    assertThat(s.type()).isEqualTo(d.type());
    assertThat(Strategies.create(new org.sparkgrid.core.request.StrategySpec(d.type(), d.example())).type())
        .isEqualTo(d.type());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void refusesAValueBelowEachParametersRangeNamingFieldAndValue(StrategyDefinition d) {
    for (StrategyParameter<?> p : d.parameters()) {
      double below = p.range().below();
      Map<String, Object> params = new LinkedHashMap<>(d.example());
      params.put(p.name(), below);

      assertThatThrownBy(() -> d.create(params))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
            assertThat(e.field()).isEqualTo("federation.strategy." + p.name());
            assertThat(e.value()).isEqualTo(StrategyParams.number(below));
          })
          .hasMessage("federation.strategy." + p.name() + ": must be " + p.rangeText() + ", got "
              + StrategyParams.number(below));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void requiresEachRequiredParameterAndRefusesUnknownOnes(StrategyDefinition d) {
    for (StrategyParameter<?> p : d.parameters()) {
      if (p.required()) {
        Map<String, Object> params = new LinkedHashMap<>(d.example());
        params.remove(p.name());

        assertThatThrownBy(() -> d.create(params))
            .hasMessage("federation.strategy." + p.name() + ": is required for " + d.type() + " (" + p.rangeText() + ")");
      }
    }
    Map<String, Object> unknown = new LinkedHashMap<>(d.example());
    unknown.put("zeta", 1.0);
    List<String> known = d.parameters().stream().map(StrategyParameter::name).sorted().toList();

    assertThatThrownBy(() -> d.create(unknown))
        .hasMessage("federation.strategy.zeta: unknown parameter for " + d.type() + "; known: " + String.join(", ", known));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void modifiesNoInputAndReturnsANewVectorOfTheSameLength(StrategyDefinition d) {
    float[] global = {1, 2, 3};
    List<SiteUpdate> updates = updates();

    Aggregation a = example(d).aggregate(global, updates, StrategyState.EMPTY);

    assertThat(global).containsExactly(1f, 2f, 3f);
    assertThat(updates.get(4).delta()).containsExactly(0.4f, -0.2f, 0.8f);
    assertThat(a.global()).hasSize(3).isNotSameAs(global);
    assertThat(a.state().rounds()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void isAPureFunctionOfItsArguments(StrategyDefinition d) {
    AggregationStrategy s = example(d);
    float[] global = {1, 2, 3};

    Aggregation first = s.aggregate(global, updates(), StrategyState.EMPTY);
    Aggregation second = s.aggregate(global, updates(), StrategyState.EMPTY);
    Aggregation fromCheckpoint = s.aggregate(first.global(), updates(), StrategyState.fromMap(first.state().toMap()));
    Aggregation direct = s.aggregate(first.global(), updates(), first.state());

    assertThat(second.global()).containsExactly(first.global());
    assertThat(fromCheckpoint.global()).containsExactly(direct.global());
    assertThat(fromCheckpoint.state()).isEqualTo(direct.state());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void sitesThatAgreeMoveTheAveragingStrategiesByTheirDelta(StrategyDefinition d) {
    // The server optimizers rescale the step, so they are left out of this one
    if (Set.of("fedadam", "fedyogi", "fedadagrad").contains(d.type())) {
      return;
    }
    List<SiteUpdate> same = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      same.add(new SiteUpdate("s" + k, new float[] {0.5f, -1f}, k + 1, 2, new float[2]));
    }

    float[] merged = example(d).aggregate(new float[] {1, 1}, same, StrategyState.EMPTY).global();

    assertThat(merged[0]).isCloseTo(1.5f, within(1e-6f));
    assertThat(merged[1]).isCloseTo(0f, within(1e-6f));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void mergesRangeByRangeAsOnOneMachine(StrategyDefinition d) {
    // Prepare: the 5 x 3 fixture, two rounds so that the state is carried; 1, 2 and 3 ranges
    AggregationStrategy s = example(d);
    List<SiteUpdate> updates = updates();
    UpdateFacts facts = UpdateFacts.of(updates);
    List<float[]> deltas = updates.stream().map(SiteUpdate::delta).toList();
    float[] global = {1, 2, 3};
    Aggregation oracle1 = s.aggregate(global, updates, StrategyState.EMPTY);
    Aggregation oracle2 = s.aggregate(oracle1.global(), updates, oracle1.state());

    for (int shards = 1; shards <= 3; shards++) {
      // Execute
      UpdateRanges ranges = UpdateRanges.of(deltas, shards);
      Aggregation ranged1 = ShardedAggregation.aggregate(s, global, facts, StrategyState.EMPTY, ranges);
      Aggregation ranged2 = ShardedAggregation.aggregate(s, ranged1.global(), facts, ranged1.state(), ranges);

      // Assert: the same floats (no update is clipped at the examples' parameters)
      assertThat(ranged1.global()).as(shards + " ranges").containsExactly(oracle1.global());
      assertThat(ranged2.global()).as(shards + " ranges").containsExactly(oracle2.global());
      assertThat(ranged2.state()).isEqualTo(oracle2.state());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void mergesClippedUpdatesRangeByRangeAsOnOneMachine(StrategyDefinition d) {
    // Prepare: clipNorm 0.3 clips sites 2 to 4 (norms 0.35, 0.58, 0.92); for dp-fedavg its own clipNorm
    Map<String, Object> params = new LinkedHashMap<>(d.example());
    params.put("clipNorm", 0.3);
    AggregationStrategy s = d.create(params);
    List<SiteUpdate> updates = updates();
    float[] global = {1, 2, 3};

    // Execute
    Aggregation oracle = s.aggregate(global, updates, StrategyState.EMPTY);
    Aggregation ranged = ShardedAggregation.aggregate(s, global, UpdateFacts.of(updates), StrategyState.EMPTY,
        UpdateRanges.of(updates.stream().map(SiteUpdate::delta).toList(), 2));

    // Assert: to float rounding, since each norm is summed range by range
    assertThat(ranged.global()).containsExactly(oracle.global(), within(1e-6f));
  }
}
