package org.sparkgrid.ingest.jobs;

import java.time.Instant;

/**
 * One job as the {@link JobStore} holds it: a snapshot, not a live view.
 *
 * @param id          the request's id (the client's idempotency key)
 * @param requestJson the request as canonical JSON ({@code RequestCodec.write}), every default filled in
 * @param state       where the job is
 * @param priority    higher runs first; 0 by default
 * @param attempts    earlier attempts that did not finish (the service died, the job was requeued):
 *                    0 on a first run; a job claimed with {@code attempts > 0} resumes from its checkpoint
 * @param createdAt   when it was enqueued
 * @param updatedAt   when it last changed
 * @param startedAt   when it last went RUNNING, {@code null} if never
 * @param finishedAt  when it reached a terminal state, {@code null} if not yet
 * @param error       why it failed, was cancelled or timed out; {@code null} otherwise
 * @param phase       what it is doing ({@code data}, {@code train}, {@code checkpoint}, {@code settle}); for a
 *                    timed-out job, the phase that ran out of time; {@code null} if not set
 * @param resultJson  what it produced, e.g. {@code {"model":"fmnist-mlp","version":"3"}}; {@code null} if nothing yet
 * @param source      where the request was read, {@code null} if it did not come from Kafka
 * @param eventSeq    the sequence number of the job's latest event, 0 before its first
 * @param owner       the service instance that claimed it last ({@link JobStore#owner()}): while RUNNING, the one
 *                    running it; once over, the one that ran it; {@code null} while QUEUED or if never claimed
 * @param heartbeatAt when its owner last claimed it, changed it or sent a heartbeat; {@code null} if not RUNNING
 * @param leaseExpiresAt when another instance may take it over unless its owner sends a heartbeat first;
 *                    {@code null} if not RUNNING
 * @param requester   the registered requester that submitted it (its name in the requester registry): whose
 *                    {@code cancel-own} commands it obeys; {@code null} for a job stored from an unsigned request
 */
public record Job(
    String id,
    String requestJson,
    JobState state,
    int priority,
    int attempts,
    Instant createdAt,
    Instant updatedAt,
    Instant startedAt,
    Instant finishedAt,
    String error,
    String phase,
    String resultJson,
    RecordSource source,
    long eventSeq,
    String owner,
    Instant heartbeatAt,
    Instant leaseExpiresAt,
    String requester) {

  /** A job without a requester (stored from an unsigned request, or before requesters existed). */
  public Job(String id, String requestJson, JobState state, int priority, int attempts, Instant createdAt,
      Instant updatedAt, Instant startedAt, Instant finishedAt, String error, String phase, String resultJson,
      RecordSource source, long eventSeq, String owner, Instant heartbeatAt, Instant leaseExpiresAt) {
    this(id, requestJson, state, priority, attempts, createdAt, updatedAt, startedAt, finishedAt, error, phase,
        resultJson, source, eventSeq, owner, heartbeatAt, leaseExpiresAt, null);
  }

  /** A job without owner or lease (one that was never claimed), as before leases existed. */
  public Job(String id, String requestJson, JobState state, int priority, int attempts, Instant createdAt,
      Instant updatedAt, Instant startedAt, Instant finishedAt, String error, String phase, String resultJson,
      RecordSource source, long eventSeq) {
    this(id, requestJson, state, priority, attempts, createdAt, updatedAt, startedAt, finishedAt, error, phase,
        resultJson, source, eventSeq, null, null, null, null);
  }
}
