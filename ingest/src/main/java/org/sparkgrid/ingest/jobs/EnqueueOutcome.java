package org.sparkgrid.ingest.jobs;

/**
 * What {@link JobStore#enqueueAll} did with one request, with the sequence number of the event
 * that reports it (taken in the same transaction).
 */
public sealed interface EnqueueOutcome {

  /** The sequence number for the event that reports this outcome. */
  long eventSeq();

  /** The request is a new QUEUED job; {@code eventSeq} is 1, for its {@code queued} event. */
  record Queued(long eventSeq) implements EnqueueOutcome {}

  /**
   * A job with the request's id was already there (stored before, or earlier in the same batch)
   * and is left as it is.
   *
   * @param state       the existing job's state
   * @param sameRequest whether the existing job's request is this one
   * @param eventSeq    the existing job's next sequence number, for its {@code duplicate} event
   */
  record Duplicate(JobState state, boolean sameRequest, long eventSeq) implements EnqueueOutcome {}
}
