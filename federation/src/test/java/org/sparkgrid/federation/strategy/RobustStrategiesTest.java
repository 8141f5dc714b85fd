package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.sparkgrid.federation.strategy.Updates.strategy;
import static org.sparkgrid.federation.strategy.Updates.u;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RobustStrategiesTest {

  private static final float[] ZERO = {0};

  @Test
  void medianTakesTheMiddleValueOfEachCoordinateIgnoringExamples() {
    // Prepare: column medians of [1, 2, 10] and [-5, 0, 1]; the big site's weight does not matter
    List<SiteUpdate> updates = List.of(u("s1", 1, 1, -5), u("s2", 1, 2, 0), u("s3", 1000, 10, 1));

    // Execute
    float[] merged = strategy("median").aggregate(new float[] {1, 1}, updates, StrategyState.EMPTY).global();

    // Assert
    assertThat(merged).containsExactly(3f, 1f);
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
    List<SiteUpdate> updates = List.of(u("a", 1, 100), u("b", 1, 1), u("c", 1, 3), u("d", 1, 2));

    assertThat(strategy("median").aggregate(ZERO, updates, StrategyState.EMPTY).global()).containsExactly(2.5f);
  }

  @ParameterizedTest
  @CsvSource({
      "0.2, 3",    // floor(0.2 * 5) = 1 cut from each side: mean(2, 3, 4)
      "0.19, 22",  // floor(0.95) = 0: the plain mean of 1, 2, 3, 4, 100
      "0.4, 3"})   // 2 cut from each side: 3
  void trimmedMeanCutsFloorOfTrimTimesNFromEachSide(double trim, float expected) {
    List<SiteUpdate> updates = List.of(u("a", 1, 4), u("b", 1, 100), u("c", 1, 1), u("d", 1, 3), u("e", 1, 2));

    float[] merged = strategy("trimmed-mean", "trim", trim).aggregate(ZERO, updates, StrategyState.EMPTY).global();

    assertThat(merged).containsExactly(expected);
  }

  @Test
  void krumPicksTheUpdateClosestToItsNeighbours() {
    // Prepare: f = 0, so each score sums the n - 2 = 2 nearest squared distances:
    // a(0): 1 + 9 = 10, b(1): 1 + 4 = 5, c(3): 4 + 9 = 13, d(10): 49 + 81 = 130 -> b
    List<SiteUpdate> updates = List.of(u("a", 1, 0), u("b", 3, 1), u("c", 1, 3), u("d", 1, 10));

    // Execute
    float[] krum = strategy("krum", "f", 0.0).aggregate(new float[] {5}, updates, StrategyState.EMPTY).global();
    float[] multi = strategy("multi-krum", "f", 0.0, "m", 2.0).aggregate(new float[] {5}, updates, StrategyState.EMPTY)
        .global();

    // Assert: multi-krum keeps b and a, weighted by examples: (3 * 1 + 1 * 0) / 4
    assertThat(Krum.scores(Krum.distances(updates), 0)).containsExactly(10, 5, 13, 130);
    assertThat(krum).containsExactly(6f);
    assertThat(multi).containsExactly(5.75f);
  }

  @Test
  void krumNeedsTwoFPlusThreeUpdates() {
    List<SiteUpdate> six = List.of(u("a", 1, 0), u("b", 1, 0), u("c", 1, 0), u("d", 1, 0), u("e", 1, 0), u("f", 1, 0));

    assertThat(strategy("krum", "f", 2.0).minUpdates()).isEqualTo(7);
    assertThatThrownBy(() -> strategy("krum", "f", 2.0).aggregate(ZERO, six, StrategyState.EMPTY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("krum with f = 2 needs at least 2f + 3 = 7 updates, got 6");
  }

  @ParameterizedTest
  @CsvSource({"median", "trimmed-mean", "krum", "multi-krum"})
  void robustStrategiesStayNearTheHonestMeanWithTwoByzantineSitesOfTen(String type) {
    // Prepare: 8 honest sites near h, one sends 100 h, one sends -h (Updates.byzantine)
    AggregationStrategy robust = type.endsWith("krum") ? strategy(type, "f", 2.0) : strategy(type);
    float[] global = new float[4];

    // Execute
    float[] merged = robust.aggregate(global, Updates.byzantine(), StrategyState.EMPTY).global();
    float[] fedAvg = strategy("fedavg").aggregate(global, Updates.byzantine(), StrategyState.EMPTY).global();

    // Assert: ||h|| is 2.5; the robust result is within 0.05 of the honest mean, FedAvg is about 10 ||h|| away
    double robustError = Math.sqrt(Vectors.squaredDistance(merged, Updates.honestMean()));
    double fedAvgError = Math.sqrt(Vectors.squaredDistance(fedAvg, Updates.honestMean()));
    assertThat(robustError).isLessThan(0.05);
    assertThat(fedAvgError).isGreaterThan(20);
  }

  @Test
  void krumNeverSelectsTheByzantineSites() {
    int[] selected = Krum.select(Krum.distances(Updates.byzantine()), 2, 8);

    assertThat(selected).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void clipNormClipsEachUpdateBeforeTheStrategy() {
    // [3, 4] has norm 5 -> [0.6, 0.8]; [0.3, 0] is within norm 1 and stays; FedAvg of equal weights
    AggregationStrategy clipped = strategy("fedavg", "clipNorm", 1.0);

    float[] merged = clipped.aggregate(new float[2], List.of(u("a", 1, 3, 4), u("b", 1, 0.3f, 0)), StrategyState.EMPTY)
        .global();

    assertThat(merged[0]).isCloseTo(0.45f, within(1e-7f));
    assertThat(merged[1]).isCloseTo(0.4f, within(1e-7f));
    assertThat(clipped.type()).isEqualTo("fedavg");
  }
}
