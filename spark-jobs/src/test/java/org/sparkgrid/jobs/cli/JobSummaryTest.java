package org.sparkgrid.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.RecordSource;

/** What {@code bin/sparkgrid job ID} prints. */
class JobSummaryTest {
  private static final Instant CREATED = Instant.parse("2025-01-31T10:15:30Z");
  private static final Instant STARTED = Instant.parse("2025-01-31T10:15:31Z");
  private static final Instant FINISHED = Instant.parse("2025-01-31T10:16:02.500Z");

  private static Job job(JobState state, String error, String resultJson) {
    return new Job("j-1", "{}", state, 0, 1, CREATED, FINISHED, STARTED, FINISHED, error, "train", resultJson,
        new RecordSource("sparkgrid.requests", 0, 41), 9);
  }

  @Test
  void aSweepShowsItsLeaderboardBestFirst() {
    String result = """
        {"model":"fmnist-mlp","version":4,"sweep":{"method":"grid","select":"accuracy","winner":2,"trials":[
          {"trial":0,"id":"j-1-trial-0","overrides":{"training.updater.learningRate":1.0E-4},"status":"succeeded",
           "metrics":{"accuracy":0.61,"loss":1.2,"trainSeconds":2.0}},
          {"trial":1,"id":"j-1-trial-1","overrides":{"training.updater.learningRate":0.5},"status":"failed",
           "metrics":{},"error":"boom"},
          {"trial":2,"id":"j-1-trial-2","overrides":{"training.updater.learningRate":0.003},"status":"succeeded",
           "metrics":{"accuracy":0.78,"loss":0.62,"trainSeconds":1.9}}]}}""";

    String text = JobSummary.format(job(JobState.SUCCEEDED, null, result));

    assertThat(text).isEqualTo("""
        job       j-1
        state     SUCCEEDED
        attempts  1 (priority 0)
        created   2025-01-31T10:15:30Z
        started   2025-01-31T10:15:31Z
        finished  2025-01-31T10:16:02.500Z (31.5 s)
        phase     train
        source    sparkgrid.requests partition 0 offset 41
        model     fmnist-mlp@4

        sweep (grid, best by test accuracy): trial 2 registered
        RANK  TRIAL  STATUS     ACCURACY  LOSS    TRAIN_S  OVERRIDES
        1 *   2      succeeded  0.7800    0.6200  1.9      training.updater.learningRate=0.003
        2     0      succeeded  0.6100    1.2000  2.0      training.updater.learningRate=0.0001
        -     1      failed     -         -       -        training.updater.learningRate=0.5  error: boom
        """);
  }

  @Test
  void aFailedJobShowsItsError() {
    String text = JobSummary.format(job(JobState.FAILED, "data.train: /x does not exist", null));

    assertThat(text).contains("state     FAILED\n").contains("error     data.train: /x does not exist\n")
        .doesNotContain("model").doesNotContain("sweep");
  }

  @Test
  void otherResultFieldsAreShownAsTheyAre() {
    String text = JobSummary.format(job(JobState.SUCCEEDED, null, "{\"model\":\"m\",\"version\":2,\"tx\":\"0xab\"}"));

    assertThat(text).contains("model     m@2\n").contains("result    {\"tx\":\"0xab\"}\n");
  }

  private static Job owned(String id, JobState state, String owner, Instant heartbeat, Instant lease) {
    return new Job(id, "{}", state, 0, 1, CREATED, STARTED, STARTED, state.terminal() ? FINISHED : null, null,
        "train", null, null, 3, owner, heartbeat, lease);
  }

  @Test
  void aRunningJobShowsTheInstanceHoldingItsLease() {
    Instant beat = Instant.parse("2025-01-31T10:15:50Z");
    Instant until = Instant.parse("2025-01-31T10:16:50Z");

    String text = JobSummary.format(owned("j-2", JobState.RUNNING, "service-b", beat, until));

    assertThat(text).contains("phase     train\nowner     service-b\n"
        + "lease     until 2025-01-31T10:16:50Z (heartbeat 2025-01-31T10:15:50Z)\n");
  }

  @Test
  void theJobListShowsEachJobsOwnerAndADashWhileQueued() {
    String table = JobSummary.table(java.util.List.of(
        owned("j-run", JobState.RUNNING, "service-a", STARTED, FINISHED),
        owned("j-done", JobState.SUCCEEDED, "service-b", null, null),
        owned("j-wait", JobState.QUEUED, null, null, null)));

    assertThat(table.lines().toList()).containsExactly(
        "JOB                              STATE      ATTEMPTS OWNER                    UPDATED                    RESULT / ERROR",
        "j-run                            RUNNING    1        service-a                2025-01-31T10:15:31Z       ",
        "j-done                           SUCCEEDED  1        service-b                2025-01-31T10:15:31Z       ",
        "j-wait                           QUEUED     1        -                        2025-01-31T10:15:31Z       ");
  }
}
