package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.sparkgrid.federation.strategy.Updates.strategy;
import static org.sparkgrid.federation.strategy.Updates.u;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Server optimizers on a fixture whose pseudo-gradient is d = [0.3, -0.2] every round:
 * two sites with equal examples sending [0.2, -0.4] and [0.4, 0.0].
 */
class ServerOptimizerTest {

  private static final List<SiteUpdate> UPDATES = List.of(u("s1", 5, 0.2f, -0.4f), u("s2", 5, 0.4f, 0.0f));
  private static final float[] GLOBAL = {1, 2};

  @Test
  void fedAvgMAccumulatesServerMomentum() {
    // Prepare: global [0], d = 1 each round, momentum 0.5, eta 1: v = 1 then 0.5 * 1 + 1 = 1.5
    AggregationStrategy s = strategy("fedavgm", "momentum", 0.5, "eta", 1.0);
    List<SiteUpdate> updates = List.of(u("s1", 1, 1f));

    // Execute
    Aggregation r1 = s.aggregate(new float[] {0}, updates, StrategyState.EMPTY);
    Aggregation r2 = s.aggregate(r1.global(), updates, r1.state());

    // Assert
    assertThat(r1.global()).containsExactly(1f);
    assertThat(r2.global()).containsExactly(2.5f);
    assertThat(r2.state().vector("momentum")).containsExactly(1.5f);
    assertThat(r2.state().rounds()).isEqualTo(2);
  }

  @Test
  void fedAdamFirstStepIsEtaTimesTheSignOfD() {
    // m = 0.1 d = [0.03, -0.02]; v = 0.01 d^2 = [0.0009, 0.0004]; m / sqrt(v) = [1, -1]; step eta = 0.1
    Aggregation a = strategy("fedadam", "eta", 0.1, "beta1", 0.9, "beta2", 0.99, "tau", 1e-9)
        .aggregate(GLOBAL, UPDATES, StrategyState.EMPTY);

    assertThat(a.global()[0]).isCloseTo(1.1f, within(1e-6f));
    assertThat(a.global()[1]).isCloseTo(1.9f, within(1e-6f));
    assertThat(a.state().vector("m")[0]).isCloseTo(0.03f, within(1e-7f));
    assertThat(a.state().vector("v")[0]).isCloseTo(0.0009f, within(1e-9f));
  }

  @Test
  void fedAdamAndFedYogiDifferInTheSecondMomentOfRoundTwo() {
    // Round 2, first coordinate, d^2 = 0.09: Adam v = 0.99 * 0.0009 + 0.01 * 0.09 = 0.001791;
    // Yogi v = 0.0009 - 0.01 * 0.09 * sign(0.0009 - 0.09) = 0.0018; m = 0.9 * 0.03 + 0.1 * 0.3 = 0.057 for both
    AggregationStrategy adam = strategy("fedadam", "eta", 0.1, "tau", 1e-9);
    AggregationStrategy yogi = strategy("fedyogi", "eta", 0.1, "tau", 1e-9);

    Aggregation adam2 = twoRounds(adam);
    Aggregation yogi2 = twoRounds(yogi);

    assertThat(adam2.state().vector("v")[0]).isCloseTo(0.001791f, within(1e-9f));
    assertThat(yogi2.state().vector("v")[0]).isCloseTo(0.0018f, within(1e-9f));
    assertThat(adam2.state().vector("m")[0]).isCloseTo(0.057f, within(1e-7f));
    // global: 1.1 + 0.1 * 0.057 / sqrt(v)
    assertThat(adam2.global()[0]).isCloseTo((float) (1.1 + 0.0057 / Math.sqrt(0.001791)), within(1e-6f));
    assertThat(yogi2.global()[0]).isCloseTo((float) (1.1 + 0.0057 / Math.sqrt(0.0018)), within(1e-6f));
  }

  @Test
  void theDefaultsAreThePapersBetasAndAdaptivityWithFlowersServerLearningRates() {
    assertThat(List.of(FedAdam.ETA.defaultValue(), FedAdam.BETA1.defaultValue(), FedAdam.BETA2.defaultValue(),
        FedAdam.TAU.defaultValue())).containsExactly(0.1, 0.9, 0.99, 1e-3);
    assertThat(List.of(FedYogi.ETA.defaultValue(), FedYogi.BETA1.defaultValue(), FedYogi.BETA2.defaultValue(),
        FedYogi.TAU.defaultValue())).containsExactly(0.01, 0.9, 0.99, 1e-3);
    assertThat(List.of(FedAdagrad.ETA.defaultValue(), FedAdagrad.BETA1.defaultValue(), FedAdagrad.TAU.defaultValue()))
        .containsExactly(0.1, 0.0, 1e-3);
  }

  @Test
  void fedAdamWithTheDefaultAdaptivityStepsLessForSmallDeltas() {
    // d = [0.003, -0.002] (a tenth of the fixture's): m = 0.1 d, sqrt(v) = 0.1 |d|; step 0.1 * 0.1 d / (0.1 |d| + 1e-3)
    List<SiteUpdate> small = List.of(u("s1", 5, 0.002f, -0.004f), u("s2", 5, 0.004f, 0.0f));

    Aggregation a = strategy("fedadam").aggregate(GLOBAL, small, StrategyState.EMPTY);

    assertThat(a.global()[0]).isCloseTo((float) (1 + 0.1 * 0.0003 / (0.0003 + 1e-3)), within(1e-6f));
    assertThat(a.global()[1]).isCloseTo((float) (2 - 0.1 * 0.0002 / (0.0002 + 1e-3)), within(1e-6f));
  }

  @Test
  void fedAdagradSumsSquaredPseudoGradients() {
    // beta1 0 (default): m = d. v = 0.09 then 0.18; steps 0.1 * 0.3 / 0.3 = 0.1 and 0.1 * 0.3 / sqrt(0.18)
    Aggregation a = twoRounds(strategy("fedadagrad", "eta", 0.1, "tau", 1e-9));

    assertThat(a.state().vector("v")[0]).isCloseTo(0.18f, within(1e-7f));
    assertThat(a.global()[0]).isCloseTo((float) (1 + 0.1 + 0.03 / Math.sqrt(0.18)), within(1e-6f));
    assertThat(a.global()[1]).isCloseTo((float) (2 - 0.1 - 0.02 / Math.sqrt(0.08)), within(1e-6f));
  }

  @Test
  void resumingFromACheckpointEqualsRunningThrough() {
    // Prepare
    AggregationStrategy yogi = strategy("fedyogi");
    Aggregation straight = yogi.aggregate(GLOBAL, UPDATES, StrategyState.EMPTY);
    straight = yogi.aggregate(straight.global(), UPDATES, straight.state());
    straight = yogi.aggregate(straight.global(), UPDATES, straight.state());

    // Execute: one round, checkpoint through a map, two more
    Aggregation first = yogi.aggregate(GLOBAL, UPDATES, StrategyState.EMPTY);
    StrategyState restored = StrategyState.fromMap(first.state().toMap());
    Aggregation resumed = yogi.aggregate(first.global(), UPDATES, restored);
    resumed = yogi.aggregate(resumed.global(), UPDATES, resumed.state());

    // Assert: bit for bit
    assertThat(resumed.global()).containsExactly(straight.global());
    assertThat(resumed.state()).isEqualTo(straight.state());
  }

  @Test
  void refusesAStateVectorOfAnotherLength() {
    StrategyState wrong = new StrategyState(1, Map.of("m", new float[3], "v", new float[3]));

    assertThatThrownBy(() -> strategy("fedadam").aggregate(GLOBAL, UPDATES, wrong))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("strategy state vector m has 3 values but the global parameters have 2");
  }

  private static Aggregation twoRounds(AggregationStrategy s) {
    Aggregation r1 = s.aggregate(GLOBAL, UPDATES, StrategyState.EMPTY);
    return s.aggregate(r1.global(), UPDATES, r1.state());
  }
}
