package org.sparkgrid.ingest.jobs;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.sparkgrid.core.request.TrainingRequest;

/**
 * The durable list of jobs: what was accepted, what runs, how each ended. The request consumer
 * commits a Kafka offset only after {@link #enqueue} returned, so an accepted request is never
 * lost; the request id is the key, so it is never run twice.
 *
 * <p>Every state change is checked against {@link JobState#canMoveTo} and applied only if the job
 * is still in the state it was read in (compare and set), so two threads or two services cannot
 * both start one job. Methods throw {@link JobStoreException} when the database cannot be
 * reached; that is never a verdict on the job.
 *
 * <pre>{@code
 * try (JobStore store = JdbcJobStore.openH2(Path.of("/var/lib/sparkgrid/jobs"))) {
 *   store.recoverAfterRestart();                 // RUNNING jobs of a dead service: QUEUED again
 *   store.enqueue(request, new RecordSource("sparkgrid.requests", 0, 42));
 *   Optional<Job> next = store.claimNext();      // QUEUED -> RUNNING, highest priority, oldest first
 *   next.ifPresent(job -> store.succeed(job.id(), "{\"version\":\"3\"}"));
 * }
 * }</pre>
 */
public interface JobStore extends AutoCloseable {

  /**
   * Adds a request as a QUEUED job with priority 0, unless a job with its id exists.
   *
   * @param source where it was read; {@code null} if not from Kafka
   * @return {@code true} if the job is new, {@code false} if the id was already there (the
   *     existing job is left as it is, whatever its state or request)
   */
  default boolean enqueue(TrainingRequest request, RecordSource source) {
    return enqueue(request, 0, source);
  }

  /**
   * Adds a request as a QUEUED job, unless a job with its id exists.
   *
   * @param priority higher runs first
   * @param source   where it was read; {@code null} if not from Kafka
   * @return {@code true} if the job is new, {@code false} if the id was already there
   */
  boolean enqueue(TrainingRequest request, int priority, RecordSource source);

  /**
   * Adds a batch of requests in one transaction: each one whose id no job has becomes a QUEUED
   * job; each other one (its id stored before, or earlier in this batch) leaves the existing job
   * as it is. In the same transaction it takes the sequence number of the event that reports
   * each outcome: 1 for a new job's {@code queued} event, the existing job's next for a
   * {@code duplicate} event (publish them with {@code EventPublisher.publish(id, seq, payload)}).
   * All or nothing: when it throws, nothing of the batch is stored.
   *
   * @return one outcome per request, in the batch's order
   * @throws JobStoreException if the database failed; nothing of the batch was stored
   */
  List<EnqueueOutcome> enqueueAll(List<NewJob> batch);

  /** The job with this id, if any. */
  Optional<Job> get(String id);

  /** The jobs in the filter's states, oldest first (by creation, then id), at most its limit. */
  List<Job> list(JobFilter filter);

  /**
   * Moves the next QUEUED job to RUNNING and returns it: the highest priority first, then the
   * oldest (by creation time, then id). Atomic: a job is handed to one caller only.
   *
   * @return the job now RUNNING, or empty if none is queued
   */
  Optional<Job> claimNext();

  /**
   * Moves a QUEUED job to RUNNING (when the caller picks the job rather than {@link #claimNext}).
   *
   * @throws NoSuchElementException if there is no such job
   * @throws IllegalStateException  if the job is not QUEUED, naming both states
   */
  Job start(String id);

  /**
   * Records the phase a live job is in, for timeouts and the job list.
   *
   * @throws NoSuchElementException if there is no such job
   * @throws IllegalStateException  if the job is over
   */
  Job setPhase(String id, String phase);

  /**
   * RUNNING to SUCCEEDED, with what it produced.
   *
   * @param resultJson e.g. {@code {"model":"fmnist-mlp","version":"3"}}
   * @throws NoSuchElementException if there is no such job
   * @throws IllegalStateException  if the job is not RUNNING, naming both states
   */
  Job succeed(String id, String resultJson);

  /**
   * QUEUED or RUNNING to FAILED.
   *
   * @throws NoSuchElementException if there is no such job
   * @throws IllegalStateException  if the job is over, naming both states
   */
  Job fail(String id, String error);

  /**
   * QUEUED or RUNNING to TIMED_OUT; {@link Job#phase()} keeps the phase that ran out of time.
   *
   * @throws NoSuchElementException if there is no such job
   * @throws IllegalStateException  if the job is over, naming both states
   */
  Job timeOut(String id, String phase);

  /**
   * QUEUED or RUNNING to CANCELLED. A RUNNING job's Spark work is the caller's to stop.
   *
   * @return the job as it was before, so the caller sees whether it was RUNNING
   * @throws NoSuchElementException if there is no such job
   * @throws IllegalStateException  if the job is over, naming both states
   */
  Job cancel(String id);

  /**
   * RUNNING back to QUEUED with {@code attempts + 1}, e.g. after its executors were lost; it
   * resumes from its checkpoint when next claimed.
   *
   * @throws NoSuchElementException if there is no such job
   * @throws IllegalStateException  if the job is not RUNNING, naming both states
   */
  Job requeue(String id);

  /**
   * Puts every RUNNING job back to QUEUED with {@code attempts + 1}: call once when the service
   * starts, before claiming, since a job RUNNING then belongs to a service that died. (With
   * several services on one store, only the one that owns all jobs may call it.)
   *
   * @return how many jobs were requeued
   */
  int recoverAfterRestart();

  /**
   * Increments and returns the job's event sequence number: 1 for its first event. Kept in the
   * store, so numbers keep rising across restarts.
   *
   * @throws NoSuchElementException if there is no such job
   */
  long nextEventSeq(String id);

  /** Releases the database connection. */
  @Override
  void close();
}
