package org.sparkgrid.core.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which trial of a sweep wins, and how the leaderboard reads. */
class LeaderboardTest {

  private static TrialOutcome ok(int trial, double accuracy, double loss) {
    return TrialOutcome.succeeded(trial, "s-trial-" + trial, Map.of("training.batchSize", 32 * (trial + 1)),
        Map.of("accuracy", accuracy, "loss", loss, "trainSeconds", 1.5));
  }

  private static TrialOutcome failed(int trial, String error) {
    return TrialOutcome.failed(trial, "s-trial-" + trial, Map.of("training.batchSize", 32 * (trial + 1)), error);
  }

  @Test
  void accuracyPicksTheHighest() {
    Leaderboard board = new Leaderboard("grid", "accuracy", List.of(ok(0, 0.70, 0.9), ok(1, 0.80, 0.8), ok(2, 0.75, 0.5)));

    assertThat(board.best()).get().extracting(TrialOutcome::trial).isEqualTo(1);
    assertThat(board.ranked()).extracting(TrialOutcome::trial).containsExactly(1, 2, 0);
  }

  @Test
  void lossPicksTheLowest() {
    Leaderboard board = new Leaderboard("grid", "loss", List.of(ok(0, 0.70, 0.9), ok(1, 0.80, 0.8), ok(2, 0.75, 0.5)));

    assertThat(board.best()).get().extracting(TrialOutcome::trial).isEqualTo(2);
    assertThat(board.ranked()).extracting(TrialOutcome::trial).containsExactly(2, 1, 0);
  }

  @Test
  void aTieGoesToTheLowerTrialNumber() {
    Leaderboard board = new Leaderboard("grid", "accuracy", List.of(ok(3, 0.8, 0.5), ok(1, 0.8, 0.6), ok(2, 0.7, 0.1)));

    assertThat(board.best()).get().extracting(TrialOutcome::trial).isEqualTo(1);
    assertThat(board.ranked()).extracting(TrialOutcome::trial).containsExactly(1, 3, 2);
  }

  @Test
  void failedTrialsRankLastAndNeverWin() {
    Leaderboard board = new Leaderboard("grid", "accuracy", List.of(failed(0, "boom"), ok(1, 0.1, 2.0), failed(2, "x")));

    assertThat(board.best()).get().extracting(TrialOutcome::trial).isEqualTo(1);
    assertThat(board.ranked()).extracting(TrialOutcome::trial).containsExactly(1, 0, 2);
  }

  @Test
  void aTrialWithoutTheSelectedMetricCannotWin() {
    TrialOutcome diverged = TrialOutcome.succeeded(0, "s-trial-0", Map.of(), Map.of("accuracy", 0.1, "loss", Double.NaN));

    Leaderboard byLoss = new Leaderboard("grid", "loss", List.of(diverged, failed(1, "x")));
    Leaderboard byAccuracy = new Leaderboard("grid", "accuracy", List.of(diverged));

    assertThat(diverged.metrics()).containsOnlyKeys("accuracy");
    assertThat(byLoss.best()).isEmpty();
    assertThat(byLoss.ranked()).extracting(TrialOutcome::trial).containsExactly(0, 1);
    assertThat(byAccuracy.best()).get().extracting(TrialOutcome::trial).isEqualTo(0);
  }

  @Test
  void noWinnerWhenEveryTrialFailed() {
    assertThat(new Leaderboard("grid", "accuracy", List.of(failed(0, "a"), failed(1, "b"))).best()).isEmpty();
  }

  @Test
  void betterFollowsTheRanking() {
    Leaderboard board = new Leaderboard("grid", "accuracy", List.of());

    assertThat(board.better(ok(2, 0.8, 1), ok(1, 0.7, 1))).isTrue();
    assertThat(board.better(ok(2, 0.8, 1), ok(1, 0.8, 1))).isFalse();
    assertThat(board.better(ok(1, 0.8, 1), ok(2, 0.8, 1))).isTrue();
  }

  @Test
  void theTableListsTrialsBestFirstAndMarksTheWinner() {
    Leaderboard board = new Leaderboard("grid", "accuracy",
        List.of(failed(0, "training.updater.learningRate: diverged\n  at ..."), ok(1, 0.7240, 0.79021), ok(2, 0.78104, 0.6177)));

    assertThat(board.table()).isEqualTo("""
        RANK  TRIAL  STATUS     ACCURACY  LOSS    TRAIN_S  OVERRIDES
        1 *   2      succeeded  0.7810    0.6177  1.5      training.batchSize=96
        2     1      succeeded  0.7240    0.7902  1.5      training.batchSize=64
        -     0      failed     -         -       -        training.batchSize=32  error: training.updater.learningRate: diverged
        """);
  }

  @Test
  void overridesReadPlainly() {
    Map<String, Object> overrides = new java.util.LinkedHashMap<>();
    overrides.put("training.updater.learningRate", 0.0003);
    overrides.put("training.batchSize", 64);
    overrides.put("model.mlp.activation", "tanh");
    overrides.put("training.l2", 1.0);

    assertThat(TrialOutcome.failed(0, "t", overrides, "x").overridesText())
        .isEqualTo("training.updater.learningRate=0.0003, training.batchSize=64, model.mlp.activation=tanh, training.l2=1");
  }

  @Test
  void roundTripsThroughJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Leaderboard board = new Leaderboard("random", "loss", List.of(ok(0, 0.7, 0.9), failed(1, "boom"), ok(2, 0.75, 0.5)));

    Map<String, Object> read = json.readValue(json.writeValueAsBytes(board.toMap()), new TypeReference<>() {});
    Leaderboard again = Leaderboard.fromMap(read);

    assertThat(read).containsEntry("winner", 2).containsEntry("select", "loss").containsEntry("method", "random");
    assertThat(again.ranked()).isEqualTo(board.ranked());
  }

  @Test
  void refusesAnUnknownMetric() {
    assertThatThrownBy(() -> new Leaderboard("grid", "f1", List.of()))
        .hasMessage("select must be accuracy or loss, got f1");
  }

  @Test
  void aFailedTrialNeedsAnErrorAndOnlyIt() {
    assertThatThrownBy(() -> new TrialOutcome(0, "t", Map.of(), TrialOutcome.Status.FAILED, Map.of(), null))
        .hasMessage("trial 0: a failed trial has an error and only a failed one, got status failed and error null");
  }

  @Test
  void readingARowNamesWhatIsWrong() {
    assertThatThrownBy(() -> TrialOutcome.fromMap(Map.of("trial", 1, "id", "t", "status", "lost")))
        .hasMessage("trial 1: status must be succeeded or failed, got lost");
    assertThatThrownBy(() -> TrialOutcome.fromMap(Map.of("trial", 1, "id", "t", "status", "succeeded",
        "metrics", Map.of("accuracy", "high"))))
        .hasMessage("trial 1: metric accuracy must be a number, got high");
  }
}
