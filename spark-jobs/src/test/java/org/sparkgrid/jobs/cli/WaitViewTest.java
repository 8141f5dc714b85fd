package org.sparkgrid.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.RecordSource;

/** What {@code submit --wait} shows for each event, and the exit status it ends with. */
class WaitViewTest {
  private final WaitView epochs = new WaitView(false, 10);
  private final WaitView rounds = new WaitView(true, 30);

  private static JobEvent event(JobEvent.Payload p) {
    return new JobEvent("job-1", 1, Instant.EPOCH, p);
  }

  @Test
  void aComputeJobsStartOpensTheBarAtZero() {
    assertThat(epochs.on(event(new JobEvent.Started(1)))).isEqualTo(new WaitView.Update("started", 0, null, null));
  }

  @Test
  void anEpochMovesTheBarAndShowsLossAndAccuracyBesideIt() {
    WaitView.Update u = epochs.on(event(new JobEvent.Epoch(3, Map.of(
        "trainLoss", 0.41234, "testAccuracy", 0.85119, "testLoss", 0.45, "examplesPerSecond", 1520.4))));

    assertThat(u).isEqualTo(new WaitView.Update(null, 3, "loss 0.4123, accuracy 0.8512", null));
  }

  @Test
  void figuresPutTheWellKnownOnesFirstInShortForm() {
    assertThat(WaitView.figures(Map.of("examplesPerSecond", 1520.4, "testLoss", 0.45, "zeta", 2.0,
        "testAccuracy", 0.85119, "trainLoss", 0.41234)))
        .isEqualTo("loss 0.4123, accuracy 0.8512, test loss 0.4500, 1520 examples/s, zeta 2.0000");
  }

  @Test
  void anEpochWithoutATestSetShowsItsLossOnly() {
    assertThat(epochs.on(event(new JobEvent.Epoch(1, Map.of("trainLoss", 1.0)))).barMessage())
        .isEqualTo("loss 1.0000");
  }

  @Test
  void aRoundIsALineAndLeavesTheBarAlone() {
    java.util.Map<String, String> rejected = new java.util.LinkedHashMap<>();
    rejected.put("s9", "missed the round deadline of 1000 ms");
    rejected.put("s10", "bad signature");
    WaitView.Update u = rounds.on(event(new JobEvent.Round(3, 30, Map.of("testAccuracy", 0.8, "testLoss", 0.5,
        "seconds", 4.25), java.util.List.of("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"), rejected,
        java.util.List.of(), java.util.List.of())));

    assertThat(u).isEqualTo(WaitView.Update.line(
        "round 4/30: accuracy 0.8000, test loss 0.5000, 8 of 10 sites merged, 4.3 s (left out: s10, s9)"));
    assertThat(rounds.barLength()).isZero();
    assertThat(rounds.on(event(new JobEvent.Started(1))).barAt()).isEqualTo(-1);
  }

  @Test
  void aTrialIsALineWithItsSettingsAndFigures() {
    WaitView.Update u = epochs.on(event(new JobEvent.Trial(2,
        Map.of("training.updater.learningRate", 0.005, "training.batchSize", 32),
        Map.of("accuracy", 0.8812, "loss", 0.33), null)));

    assertThat(u.line()).isEqualTo(
        "trial 2 (training.batchSize=32, training.updater.learningRate=0.005): loss 0.3300, accuracy 0.8812");
    assertThat(u.barAt()).isEqualTo(-1);
    assertThat(u.exitStatus()).isNull();
  }

  @Test
  void aResumedJobSaysSoAndKeepsTheBarWhereItWas() {
    assertThat(epochs.on(event(new JobEvent.Started(2))))
        .isEqualTo(WaitView.Update.line("resumed from its last checkpoint (attempt 2)"));
  }

  @Test
  void queuedAndDuplicateAreLines() {
    assertThat(epochs.on(event(new JobEvent.Queued(0))).line()).isEqualTo("queued");
    assertThat(epochs.on(event(new JobEvent.Queued(5))).line()).isEqualTo("queued with priority 5");
    assertThat(epochs.on(event(new JobEvent.Duplicate(JobState.RUNNING, false,
        new RecordSource("sparkgrid.requests", 0, 7)))).line())
        .isEqualTo("a job with this id exists (RUNNING, with a different request): not run again; showing that job");
  }

  @Test
  void successEndsWithTheModelVersionAndStatusZero() {
    WaitView.Update u = epochs.on(event(new JobEvent.Succeeded("fmnist-mlp", "3", Map.of("accuracy", 0.8918))));

    assertThat(u).isEqualTo(WaitView.Update.end("succeeded: model fmnist-mlp@3 (accuracy 0.8918)", 0));
  }

  @Test
  void failureCancellationAndTimeoutEndWithTheReasonAndStatusOne() {
    assertThat(epochs.on(event(new JobEvent.Failed("data.train: file:/x does not exist"))))
        .isEqualTo(WaitView.Update.end("failed: data.train: file:/x does not exist", 1));
    assertThat(epochs.on(event(new JobEvent.Cancelled(true))))
        .isEqualTo(WaitView.Update.end("cancelled while running", 1));
    assertThat(epochs.on(event(new JobEvent.Cancelled(false))))
        .isEqualTo(WaitView.Update.end("cancelled before it started", 1));
    assertThat(epochs.on(event(new JobEvent.TimedOut("train"))))
        .isEqualTo(WaitView.Update.end("timed out in phase train", 1));
  }

  @Test
  void theViewOfARequestCountsEpochsOrRounds() {
    WaitView compute = WaitView.of(RequestCodec.parse("""
        {"schema": 1, "id": "r1", "model": {"name": "m", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:/d/train"}, "training": {"epochs": 7}}"""));
    WaitView tree = WaitView.of(RequestCodec.parse("""
        {"schema": 1, "id": "r2", "mode": "tree", "model": {"name": "m", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:/d/train"}, "training": {"epochs": 1},
         "federation": {"sites": "sites.json", "rounds": 12}}"""));

    assertThat(compute.barLength()).isEqualTo(7);
    assertThat(tree.barLength()).isZero();
    assertThat(tree.on(event(new JobEvent.Epoch(1, Map.of()))).line()).isEqualTo("round 1/12: no figures");
  }
}
