package org.sparkgrid.ingest.jobs;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a job is in its life. The allowed moves:
 *
 * <pre>
 * QUEUED  -&gt; RUNNING, CANCELLED, FAILED, TIMED_OUT
 * RUNNING -&gt; SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, QUEUED (requeued after a restart)
 * SUCCEEDED, FAILED, CANCELLED, TIMED_OUT: terminal, no move out
 * </pre>
 */
public enum JobState {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED,
  TIMED_OUT;

  /** Whether the job is over: no move out of this state is allowed. */
  public boolean terminal() {
    return this != QUEUED && this != RUNNING;
  }

  /** Whether a job in this state may move to {@code next}. */
  public boolean canMoveTo(JobState next) {
    return next(this).contains(next);
  }

  private static Set<JobState> next(JobState s) {
    return switch (s) {
      case QUEUED -> EnumSet.of(RUNNING, CANCELLED, FAILED, TIMED_OUT);
      case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, QUEUED);
      default -> EnumSet.noneOf(JobState.class);
    };
  }
}
