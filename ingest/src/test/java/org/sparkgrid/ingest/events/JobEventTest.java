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
        new JobEvent.Trial(0, Map.of("training.updater.learningRate", 0.005, "training.batchSize", 128L), Map.of("accuracy", 0.5)),
        new JobEvent.Succeeded("fmnist-mlp", "3", Map.of("accuracy", 0.875)),
        new JobEvent.Failed("data.train: not found"),
        new JobEvent.Cancelled(true),
        new JobEvent.TimedOut("train"));
    for (JobEvent.Payload p : all) {
      JobEvent e = new JobEvent("j-1", 1, T, p);
      assertThat(JobEvent.fromJson(e.toJson())).as(p.type()).isEqualTo(e);
    }
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
  }

  @Test
  void refusesAnUnknownType() {
    byte[] json = "{\"job\":\"j\",\"seq\":1,\"time\":\"2025-01-31T10:15:30Z\",\"type\":\"exploded\"}".getBytes(UTF_8);

    assertThatThrownBy(() -> JobEvent.fromJson(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown event type exploded");
  }
}
