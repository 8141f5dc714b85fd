package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.sparkgrid.federation.strategy.Updates.strategy;
import static org.sparkgrid.federation.strategy.Updates.u;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The merge range by range against the strategies' own {@code aggregate} (the single-machine oracle). */
class ShardedAggregationTest {

  /** Types whose every coordinate goes through the same operations: equal bit for bit. */
  private static final Set<String> EXACT = Set.of("fedavg", "fedavgm", "fedprox", "fednova", "scaffold", "fedadam",
      "fedyogi", "fedadagrad", "median", "trimmed-mean", "krum", "multi-krum");

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String type : Strategies.types()) {
      for (int shards : new int[] {1, 3, 7}) {
        out.add(Arguments.of(type, shards, false));
        if (!type.equals("dp-fedavg")) {
          out.add(Arguments.of(type, shards, true));
        }
      }
    }
    return out.stream();
  }

  /**
   * 7 updates of 1,001 random values with unequal example counts (enough for Krum with f = 1), local
   * steps 1 to 7 (FedNova) and random control-variate deltas (SCAFFOLD).
   */
  private static List<SiteUpdate> random(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<SiteUpdate> out = new ArrayList<>();
    for (int k = 0; k < 7; k++) {
      float[] d = new float[1_001];
      for (int i = 0; i < d.length; i++) {
        d[i] = (float) (r.nextGaussian() * (k + 1) * 0.01);
      }
      float[] dc = new float[d.length];
      for (int i = 0; i < dc.length; i++) {
        dc[i] = (float) (r.nextGaussian() * 0.01);
      }
      out.add(new SiteUpdate("s" + k, d, 10 + 7 * k, k + 1, dc));
    }
    return out;
  }

  private static List<float[]> deltas(List<SiteUpdate> updates) {
    return updates.stream().map(SiteUpdate::delta).toList();
  }

  @ParameterizedTest(name = "{0}, {1} ranges, clipped {2}")
  @MethodSource("cases")
  void equalsTheStrategyOnOneMachineOverTwoRounds(String type, int shards, boolean clipped) {
    // Prepare: dp-fedavg always clips; clipNorm 0.2 clips most of these updates (norms about 0.3 to 2.2)
    Object[] required = Fixtures.requiredParams(type);
    Object[] params = clipped ? append(required, "clipNorm", 0.2) : type.equals("dp-fedavg")
        ? new Object[] {"clipNorm", 0.2, "noiseMultiplier", 0.5} : required;
    // with secure noise the two paths draw different noise: equal given the same test seed (dp-fedavg)
    AggregationStrategy s = Updates.seeded(strategy(type, params), 11);
    float[] global = new float[1_001];
    java.util.Arrays.fill(global, 0.5f);
    List<SiteUpdate> round1 = random(1);
    List<SiteUpdate> round2 = random(2);

    // Execute: two rounds, so the server optimizers' state is carried
    Aggregation oracle1 = s.aggregate(global, round1, StrategyState.EMPTY);
    Aggregation oracle2 = s.aggregate(oracle1.global(), round2, oracle1.state());
    Aggregation sharded1 = ShardedAggregation.aggregate(s, global, UpdateFacts.of(round1), StrategyState.EMPTY,
        UpdateRanges.of(deltas(round1), shards));
    Aggregation sharded2 = ShardedAggregation.aggregate(s, sharded1.global(), UpdateFacts.of(round2), sharded1.state(),
        UpdateRanges.of(deltas(round2), shards));

    // Assert
    if (EXACT.contains(type) && !clipped) {
      assertThat(sharded1.global()).containsExactly(oracle1.global());
      assertThat(sharded2.global()).containsExactly(oracle2.global());
      assertThat(sharded2.state()).isEqualTo(oracle2.state());
    } else {
      assertThat(sharded2.global()).containsExactly(oracle2.global(), within(1e-6f));
      assertThat(sharded2.state().rounds()).isEqualTo(2);
    }
  }

  private static Object[] append(Object[] a, Object... more) {
    Object[] out = java.util.Arrays.copyOf(a, a.length + more.length);
    System.arraycopy(more, 0, out, a.length, more.length);
    return out;
  }

  @Test
  void fedAvgOfTwoSitesCutIntoSingleCoordinates() {
    // Prepare: (1 * [2, 0, 4] + 3 * [2, 4, 0]) / 4 = [2, 3, 1], added to [1, 1, 1]
    List<SiteUpdate> updates = List.of(u("a", 1, 2, 0, 4), u("b", 3, 2, 4, 0));

    // Execute
    Aggregation a = ShardedAggregation.aggregate(Strategies.fedAvg(), new float[] {1, 1, 1}, new long[] {1, 3},
        StrategyState.EMPTY, UpdateRanges.of(deltas(updates), 3));

    // Assert
    assertThat(a.global()).containsExactly(3f, 4f, 2f);
  }

  @Test
  void krumPicksTheSameUpdateFromPartialDistances() {
    // The hand-checked case of RobustStrategiesTest: b (delta 1) has the lowest score; two ranges of 2
    List<SiteUpdate> updates = List.of(u("a", 1, 0, 0), u("b", 3, 1, 1), u("c", 1, 3, 3), u("d", 1, 10, 10));

    Aggregation a = ShardedAggregation.aggregate(strategy("krum", "f", 0.0), new float[] {5, 5},
        new long[] {1, 3, 1, 1}, StrategyState.EMPTY, UpdateRanges.of(deltas(updates), 2));

    assertThat(a.global()).containsExactly(6f, 6f);
  }

  @Test
  void refusesCountsThatDoNotMatchTheUpdates() {
    UpdateRanges ranges = UpdateRanges.of(List.of(new float[] {1, 2}, new float[] {3, 4}), 1);

    assertThatThrownBy(() -> ShardedAggregation.aggregate(Strategies.fedAvg(), new float[2], new long[] {1},
        StrategyState.EMPTY, ranges))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("1 example counts for 2 updates; need one per update, at least one");
    assertThatThrownBy(() -> ShardedAggregation.aggregate(Strategies.fedAvg(), new float[3], new long[] {1, 1},
        StrategyState.EMPTY, ranges))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("updates have 2 values but the global parameters have 3");
  }

  @Test
  void krumBelowItsMinimumFailsAsOnOneMachine() {
    UpdateRanges ranges = UpdateRanges.of(List.of(new float[] {1}, new float[] {2}), 1);

    assertThatThrownBy(() -> ShardedAggregation.aggregate(strategy("krum", "f", 1.0), new float[1],
        new long[] {1, 1}, StrategyState.EMPTY, ranges))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("krum with f = 1 needs at least 2f + 3 = 5 updates, got 2");
  }

  @Test
  void scaledRangesMultiplyEachUpdateByItsScale() {
    // [3, 4] * 0.5 = [1.5, 2]; [1, 1] * 2 = [2, 2]; in ranges [0, 1) and [1, 2)
    UpdateRanges ranges = UpdateRanges.of(List.of(new float[] {3, 4}, new float[] {1, 1}), 2).scaled(new double[] {0.5, 2});

    List<List<Float>> seen = ranges.map(slice -> List.of(slice.deltas().get(0)[slice.from() - slice.offset()],
        slice.deltas().get(1)[slice.from() - slice.offset()]));

    assertThat(seen).containsExactly(List.of(1.5f, 2f), List.of(2f, 2f));
    assertThatThrownBy(() -> ranges.scaled(new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("1 scales for 2 updates");
  }

  @Test
  void clippingBeforeFedAvgScalesTheUpdatesOnTheRanges() {
    // [3, 4] has norm 5, clipped to norm 1: [0.6, 0.8]; [0, 0.5] is within; (1 * [0.6, 0.8] + 1 * [0, 0.5]) / 2
    List<SiteUpdate> updates = List.of(u("a", 1, 3, 4), u("b", 1, 0, 0.5f));

    Aggregation a = ShardedAggregation.aggregate(strategy("fedavg", "clipNorm", 1.0), new float[] {0, 0},
        new long[] {1, 1}, StrategyState.EMPTY, UpdateRanges.of(deltas(updates), 2));

    assertThat(a.global()).containsExactly(new float[] {0.3f, 0.65f}, within(1e-7f));
  }

  @Test
  void rangesAreNearEqualAndCoverEveryCoordinate() {
    assertThat(UpdateRanges.bounds(10, 3)).containsExactly(0, 3, 6, 10);
    assertThat(UpdateRanges.bounds(2, 5)).containsExactly(0, 1, 2);
    assertThatThrownBy(() -> UpdateRanges.bounds(0, 1)).hasMessage("cannot cut 0 coordinates into 1 ranges");
  }

  @Test
  void aSliceMustHoldItsRange() {
    assertThatThrownBy(() -> new UpdateSlice(2, 5, 2, List.of(new float[2])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("deltas[0] has 2 values at offset 2; it does not hold coordinates [2, 5)");
    assertThat(new UpdateSlice(2, 5, 2, List.of(new float[3])).size()).isEqualTo(3);
  }
}
