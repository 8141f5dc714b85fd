package org.sparkgrid.ingest.jobs;

/**
 * What {@link JobStore#storePoll} did with one {@link PollRecord}.
 *
 * @param replayed whether the record's nonce was used before by its account for another record (or
 *                 earlier in the same poll): then no job was stored and the {@code replayed} verdict audited
 * @param enqueued the outcome of its job ({@link EnqueueOutcome.Queued} or {@link EnqueueOutcome.Duplicate},
 *                 with the number of the event that reports it); {@code null} if it had none or was replayed
 */
public record PollResult(boolean replayed, EnqueueOutcome enqueued) {

  /** A replay: nothing stored but its verdict. */
  public static final PollResult REPLAYED = new PollResult(true, null);

  /** Not a replay, and no job to store: only its verdict was audited. */
  public static final PollResult NO_JOB = new PollResult(false, null);

  public PollResult {
    if (replayed && enqueued != null) {
      throw new IllegalArgumentException("enqueued: a replayed record stores no job, got " + enqueued);
    }
  }
}
