package org.sparkgrid.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobState;

/** What the service logs, and stops a job with, when a lease renewal no longer returns the job. */
class LostBecauseTest {
  private static final Instant T = Instant.parse("2025-01-31T10:15:30Z");

  private static Optional<Job> job(JobState state, String owner) {
    return Optional.of(new Job("j", "{}", state, 0, 1, T, T, T, null, null, null, null, null, 2, owner, null, null));
  }

  @Test
  void aJobCancelledThroughAnotherInstanceEndedInTheStore() {
    assertThat(SparkGridService.lostBecause(job(JobState.CANCELLED, "service-a")))
        .isEqualTo("ended in the job store (CANCELLED)");
  }

  @Test
  void aJobTakenOverNamesTheInstanceHoldingItNow() {
    assertThat(SparkGridService.lostBecause(job(JobState.RUNNING, "service-b")))
        .isEqualTo("lost its lease to service instance service-b");
  }

  @Test
  void aJobPutBackInTheQueueSaysSo() {
    assertThat(SparkGridService.lostBecause(job(JobState.QUEUED, null))).isEqualTo("lost its lease to the queue");
  }

  @Test
  void aJobGoneFromTheStoreSaysSo() {
    assertThat(SparkGridService.lostBecause(Optional.empty())).isEqualTo("removed from the job store");
  }
}
