package org.sparkgrid.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.sweep.Leaderboard;
import org.sparkgrid.core.sweep.TrialOutcome;

/** metrics.json as a record: the keys each mode wrote before, and a JSON round trip. */
class RunMetricsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final EvaluationResult EVAL = EvaluationResult.fromCounts(new int[][] {{3, 1}, {0, 4}}, 2.0);

  private static Map<String, Object> throughJson(Map<String, Object> m) throws Exception {
    return JSON.readValue(JSON.writeValueAsBytes(m), new TypeReference<>() {});
  }

  @Test
  void computeMetricsSumTheEpochsAndRoundTrip() throws Exception {
    List<EpochMetrics> epochs = List.of(new EpochMetrics(1, 0.9, 0.7, 0.8, 100, 2.0, 50),
        new EpochMetrics(2, 0.5, 0.875, 0.25, 100, 3.0, 33.3));
    RunMetrics m = RunMetrics.compute(EVAL, epochs);

    Map<String, Object> written = throughJson(m.toMap());

    assertThat(written.keySet()).containsExactly("accuracy", "loss", "epochs", "trainSeconds", "examplesPerSecond",
        "evaluation");
    assertThat(m.accuracy()).isEqualTo(0.875);
    assertThat(m.trainSeconds()).isEqualTo(5.0);
    assertThat(m.examplesPerSecond()).isEqualTo(40.0);
    assertThat(RunMetrics.fromMap(written)).isEqualTo(m);
  }

  @Test
  void treeMetricsHoldTheRoundsAndRoundTrip() throws Exception {
    RunMetrics m = RunMetrics.tree(null, List.of(new RoundMetrics(0, Double.NaN, Double.NaN, List.of("a", "b"),
        List.of("a"), Map.of("b", "deadline"), 1.5, 1.2)));

    Map<String, Object> written = throughJson(m.toMap());

    assertThat(written.keySet()).containsExactly("rounds");
    assertThat(RunMetrics.fromMap(written).rounds().get(0).rejected()).isEqualTo(Map.of("b", "deadline"));
    assertThat(RunMetrics.fromMap(written).evaluation()).isNull();
  }

  @Test
  void aRoundsEpsilonIsWrittenOnlyForADpStrategyAndReadBack() throws Exception {
    RoundMetrics plain = new RoundMetrics(0, Double.NaN, Double.NaN, List.of("a"), List.of("a"), Map.of(), 1.5, 1.2);
    RoundMetrics dp = new RoundMetrics(1, Double.NaN, Double.NaN, List.of("a"), List.of("a"), Map.of(), 1.5, 1.2,
        3.25);
    RoundMetrics noNoise = new RoundMetrics(2, Double.NaN, Double.NaN, List.of("a"), List.of("a"), Map.of(), 1.5,
        1.2, Double.POSITIVE_INFINITY);

    List<RoundMetrics> read = RunMetrics.fromMap(throughJson(RunMetrics.tree(null, List.of(plain, dp, noNoise))
        .toMap())).rounds();

    assertThat(plain.toMap()).doesNotContainKey("epsilon");
    assertThat(dp.toMap()).containsEntry("epsilon", 3.25);
    assertThat(read.get(0).epsilon()).isNaN();
    assertThat(read.get(1).epsilon()).isEqualTo(3.25);
    assertThat(read.get(2).epsilon()).isInfinite();
  }

  @Test
  void aSweepsLeaderboardIsReadBackAsOne() throws Exception {
    Leaderboard board = new Leaderboard("grid", TrialOutcome.ACCURACY, List.of(
        TrialOutcome.succeeded(0, "s-trial-0", Map.of("x", 1), Map.of(TrialOutcome.ACCURACY, 0.5)),
        TrialOutcome.succeeded(1, "s-trial-1", Map.of("x", 2), Map.of(TrialOutcome.ACCURACY, 0.75))));

    RunMetrics read = RunMetrics.fromMap(throughJson(RunMetrics.compute(EVAL, List.of()).withSweep(board).toMap()));

    assertThat(read.sweep().best().orElseThrow().trial()).isEqualTo(1);
  }

  @Test
  void aDamagedEvaluationReadsAsAbsent() {
    RunMetrics m = RunMetrics.fromMap(Map.of("accuracy", 0.5, "evaluation", Map.of("confusion", List.of(List.of(1, 2)))));

    assertThat(m.accuracy()).isEqualTo(0.5);
    assertThat(m.evaluation()).isNull();
  }

  @Test
  void aJobResultRoundTrips() throws Exception {
    Map<String, Object> written = throughJson(new JobResult("mlp", 3L, null).toMap());

    assertThat(written).isEqualTo(Map.of("model", "mlp", "version", 3));
    assertThat(JobResult.fromMap(written)).isEqualTo(new JobResult("mlp", 3L, null));
  }
}
