package org.sparkgrid.ingest.events;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.RecordSource;

class JobEventTest {

  private static final Instant T = Instant.parse("2025-01-31T10:15:30.120Z");

  @Test
  void writesOneFlatObject() {
    JobEvent e = new JobEvent("j-1", 4, T, new JobEvent.Epoch(3, Map.of("loss", 0.5, "accuracy", 0.75)));

    assertThat(new String(e.toJson(), UTF_8)).isEqualTo(
        "{\"job\":\"j-1\",\"seq\":4,\"time\":\"2025-01-31T10:15:30.120Z\",\"type\":\"epoch\",\"epoch\":3,"
            + "\"metrics\":{\"accuracy\":0.75,\"loss\":0.5}}");
  }

  @Test
  void everyPayloadReadsBackEqual() {
    List<JobEvent.Payload> all = List.of(
        new JobEvent.Queued(5),
        new JobEvent.Duplicate(JobState.RUNNING, true, new RecordSource("sparkgrid.requests", 2, 17)),
        new JobEvent.Duplicate(JobState.QUEUED, false, null),
        new JobEvent.Waiting("waiting for capacity: gpus: no executor has a GPU"),
        new JobEvent.Started(2),
        new JobEvent.Epoch(1, Map.of("loss", 0.25)),
        new JobEvent.Round(2, 30, Map.of("testAccuracy", 0.8125, "testLoss", 0.5),
            List.of("site-01", "site-03"), Map.of("site-02", "missed the round deadline of 60000 ms"),
            List.of("site-07"), List.of(new JobEvent.SiteContribution("site-01", 5400, 0.5, 0.0125, Double.NaN),
                new JobEvent.SiteContribution("site-03", 5400, 0.5, -0.25, 0.125))),
        new JobEvent.Round(0, 1, Map.of(), List.of(), Map.of(), List.of(), List.of()),
        new JobEvent.SiteExcluded("site-07"),
        new JobEvent.Trial(0, Map.of("training.updater.learningRate", 0.005, "training.batchSize", 128L), Map.of("accuracy", 0.5),
            null),
        new JobEvent.Trial(1, Map.of("training.updater.type", "sgd"), Map.of(), "loss diverged"),
        new JobEvent.Succeeded("fmnist-mlp", "3", Map.of("accuracy", 0.875)),
        new JobEvent.Failed("data.train: not found"),
        new JobEvent.Cancelled(true),
        new JobEvent.TimedOut("train"),
        new JobEvent.CommandRefused("cancel", "cancel: no job 'j-9' in the job store"),
        new JobEvent.CommandRefused(null, "not a JSON control command: Unexpected end-of-input"));
    for (JobEvent.Payload p : all) {
      JobEvent e = new JobEvent("j-1", 1, T, p);
      assertThat(JobEvent.fromJson(e.toJson())).as(p.type()).isEqualTo(e);
    }
  }

  @Test
  void writesARoundWithItsSitesAndAContributionNotComputedAsNull() {
    JobEvent e = new JobEvent("fed-1", 5, T, new JobEvent.Round(1, 3, Map.of("testAccuracy", 0.75),
        List.of("site-01"), Map.of("site-02", "update of site site-02 is not signed"), List.of("site-03"),
        List.of(new JobEvent.SiteContribution("site-01", 600, 1.0, Double.NaN, Double.NaN))));

    assertThat(new String(e.toJson(), UTF_8)).isEqualTo(
        "{\"job\":\"fed-1\",\"seq\":5,\"time\":\"2025-01-31T10:15:30.120Z\",\"type\":\"round\",\"round\":1,"
            + "\"rounds\":3,\"metrics\":{\"testAccuracy\":0.75},\"accepted\":[\"site-01\"],"
            + "\"rejected\":{\"site-02\":\"update of site site-02 is not signed\"},\"excluded\":[\"site-03\"],"
            + "\"contributions\":[{\"site\":\"site-01\",\"examples\":600,\"exampleShare\":1.0,"
            + "\"lossImprovement\":null,\"shapley\":null}]}");
  }

  @Test
  void writesASiteExclusion() {
    JobEvent e = new JobEvent("fed-1", 6, T, new JobEvent.SiteExcluded("site-03"));

    assertThat(new String(e.toJson(), UTF_8)).isEqualTo("{\"job\":\"fed-1\",\"seq\":6,"
        + "\"time\":\"2025-01-31T10:15:30.120Z\",\"type\":\"site-excluded\",\"site\":\"site-03\"}");
  }

  @Test
  void onlySucceededFailedCancelledAndTimedOutAreTerminal() {
    assertThat(new JobEvent.Succeeded("m", "1", Map.of()).terminal()).isTrue();
    assertThat(new JobEvent.Failed("x").terminal()).isTrue();
    assertThat(new JobEvent.Cancelled(false).terminal()).isTrue();
    assertThat(new JobEvent.TimedOut("fetch").terminal()).isTrue();
    assertThat(new JobEvent.Queued(0).terminal()).isFalse();
    assertThat(new JobEvent.Waiting("cores").terminal()).isFalse();
    assertThat(new JobEvent.Epoch(1, Map.of()).terminal()).isFalse();
    assertThat(new JobEvent.Round(0, 1, Map.of(), List.of(), Map.of(), List.of(), List.of()).terminal()).isFalse();
    assertThat(new JobEvent.SiteExcluded("s").terminal()).isFalse();
  }

  @Test
  void refusesAnUnknownType() {
    byte[] json = "{\"job\":\"j\",\"seq\":1,\"time\":\"2025-01-31T10:15:30Z\",\"type\":\"exploded\"}".getBytes(UTF_8);

    assertThatThrownBy(() -> JobEvent.fromJson(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown event type exploded");
  }
}
