package org.sparkgrid.ingest.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * <p><b>Leases.</b> Several service instances may share one store. Each store handle acts for one
 * instance, its {@link #owner()}. A job it claims is RUNNING under its name until the lease expires
 * ({@link #leaseDuration()} after the claim or the last {@link #heartbeat}); then another instance's
 * {@link #claimNext} takes it over (with {@code attempts + 1}, so it resumes from its checkpoint).
 * While a job is RUNNING only its owner may move it on ({@link #succeed}, {@link #fail},
 * {@link #timeOut}, {@link #requeue}, {@link #setPhase}); anyone may {@link #cancel} it. The owner
 * calls {@link #heartbeat} for its running jobs well within the lease (every third of it, say), and
 * stops the work on any job the heartbeat no longer returns.
 *
 * <pre>{@code
 * try (JobStore store = JdbcJobStore.open(JobStoreSettings.fromConfig(config, System.getenv()), Clock.systemUTC())) {
 *   store.recoverAfterRestart();                 // this instance's RUNNING jobs (it died): QUEUED again
 *   store.enqueue(request, new RecordSource("sparkgrid.requests", 0, 42));
 *   Optional<Job> next = store.claimNext();      // QUEUED (or another's expired) -> RUNNING, ours
 *   // every leaseDuration() / 3, from a timer:   Set<String> held = store.heartbeat(runningIds);
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
   * How many jobs the store holds in each state, every state present (0 where none): what the
   * service's metrics report. This default counts {@link #list} (up to 100000 jobs); a store
   * counts in the database.
   *
   * @throws JobStoreException if the database failed
   */
  default Map<JobState, Long> countByState() {
    Map<JobState, Long> counts = new EnumMap<>(JobState.class);
    for (JobState s : JobState.values()) {
      counts.put(s, 0L);
    }
    for (Job j : list(JobFilter.all().limit(100_000))) {
      counts.merge(j.state(), 1L, Long::sum);
    }
    return counts;
  }

  /**
   * The service instance this handle acts for: the owner of the jobs it claims, and the only one
   * whose changes to them it makes. Fixed when the store is opened.
   */
  String owner();

  /** How long a job claimed here stays this owner's without a {@link #heartbeat}. */
  Duration leaseDuration();

  /**
   * Claims the next job for {@link #owner()} and returns it, RUNNING with a fresh lease: a QUEUED
   * job, or a RUNNING job of another owner whose lease has expired (taken over, with
   * {@code attempts + 1}); the highest priority first, then the oldest (by creation time, then
   * id). Atomic, across processes too: a job is handed to one caller only, and a job whose owner
   * sent a heartbeat after it was read is not taken. A job of this owner is never taken over here,
   * however old its lease: this owner is still running it (or {@link #recoverAfterRestart} requeues it).
   *
   * @return the job now RUNNING, or empty if none is queued or expired
   */
  Optional<Job> claimNext();

  /**
   * Extends the lease of those of {@code jobIds} that are RUNNING and owned by {@link #owner()},
   * to {@link #leaseDuration()} from now.
   *
   * @return the ids among {@code jobIds} this owner still holds, in their order; one missing was
   *     lost (cancelled, taken over by another instance after its lease expired, or over): stop its work
   */
  Set<String> heartbeat(Collection<String> jobIds);

  /**
   * Moves a QUEUED job to RUNNING for {@link #owner()} (when the caller picks the job rather than
   * {@link #claimNext}).
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
   * @throws NotOwnerException      if the job is RUNNING for another owner
   */
  Job setPhase(String id, String phase);

  /**
   * RUNNING to SUCCEEDED, with what it produced.
   *
   * @param resultJson e.g. {@code {"model":"fmnist-mlp","version":"3"}}
   * @throws NoSuchElementException if there is no such job
   * @throws IllegalStateException  if the job is not RUNNING, naming both states
   * @throws NotOwnerException      if the job is RUNNING for another owner
   */
  Job succeed(String id, String resultJson);

  /**
   * QUEUED or RUNNING to FAILED.
   *
   * @throws NoSuchElementException if there is no such job
   * @throws IllegalStateException  if the job is over, naming both states
   * @throws NotOwnerException      if the job is RUNNING for another owner
   */
  Job fail(String id, String error);

  /**
   * QUEUED or RUNNING to TIMED_OUT; {@link Job#phase()} keeps the phase that ran out of time.
   *
   * @throws NoSuchElementException if there is no such job
   * @throws IllegalStateException  if the job is over, naming both states
   * @throws NotOwnerException      if the job is RUNNING for another owner
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
   * @throws NotOwnerException      if the job is RUNNING for another owner
   */
  Job requeue(String id);

  /**
   * Puts the RUNNING jobs of {@link #owner()} back to QUEUED with {@code attempts + 1}: call once
   * when the service instance starts, before claiming, since a job RUNNING under its name then
   * belongs to its previous run, which died. RUNNING jobs without an owner (from a store written
   * before leases) are requeued too; other instances' jobs are left to them, or to
   * {@link #claimNext} once their lease expires.
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

  /**
   * Records that {@code account} signed a record with {@code nonce}, unless it already did: the
   * replay guard of signed requests and commands, shared by every service instance on this store.
   * A nonce seen before from the same {@code source} (the same Kafka record, read again after a
   * failure) is not a replay. Nonces first seen more than {@code keep} ago are pruned (from time to
   * time, not on every call); the caller refuses records signed that long ago anyway.
   *
   * @param source where the record was read, e.g. {@code sparkgrid.requests-0@42}
   * @return {@code true} if this is the nonce's first use by the account (or the same record again),
   *     {@code false} if the account used it before for another record
   * @throws JobStoreException if the database failed
   */
  boolean useNonce(String account, String nonce, String source, Duration keep);

  /** One signed record's nonce, for {@link #useNonces}. */
  record NonceUse(String account, String nonce, String source) {
    public NonceUse {
      Objects.requireNonNull(account, "account");
      Objects.requireNonNull(nonce, "nonce");
    }
  }

  /**
   * {@link #useNonce} for a poll's records at once, in one transaction where the store can: the
   * answer for each use, in order. A nonce used twice within {@code uses} by one account is a replay
   * the second time (unless from the same source). This default calls {@link #useNonce} for each.
   *
   * @throws JobStoreException if the database failed (or another instance recorded one of these
   *     nonces at the same moment): nothing of the batch is recorded, read the records again
   */
  default List<Boolean> useNonces(List<NonceUse> uses, Duration keep) {
    List<Boolean> out = new ArrayList<>(uses.size());
    for (NonceUse u : uses) {
      out.add(useNonce(u.account(), u.nonce(), u.source(), keep));
    }
    return out;
  }

  /**
   * Stores what a poll of the requests topic decided, in one transaction where the store can (one
   * commit per poll): each record's nonce ({@link #useNonces}'s rules: a nonce the account used before
   * for another record, or earlier in {@code poll}, is a replay; the same record read again is not),
   * then each record's verdict in the audit ({@link PollRecord#replayed} for a replay, else
   * {@link PollRecord#verdict}), then the jobs of the records that are not replays
   * ({@link #enqueueAll}'s rules and event numbers). All or nothing: when it throws, nothing of the
   * poll is stored (read the records again). This default makes the three calls one after another
   * (three transactions: nonces recorded before a failure stay, and the records read again are not
   * replays of themselves).
   *
   * <pre>{@code
   * List<PollResult> done = store.storePoll(List.of(
   *     new PollRecord(new JobStore.NonceUse(account, "n-1", "sparkgrid.requests-0@7"), job, accepted, replayed),
   *     PollRecord.unsigned(null)), Duration.ofMinutes(10));
   * if (done.get(0).replayed()) ...           // dead-letter it as replayed
   * else if (done.get(0).enqueued() instanceof EnqueueOutcome.Queued q) ... // publish queued with q.eventSeq()
   * }</pre>
   *
   * @param nonceKeep how long nonces are kept ({@link #useNonce}); not read when no record of the poll has a nonce
   * @return one result per record, in the poll's order
   * @throws JobStoreException if the database failed (or another instance recorded one of these
   *     nonces or stored one of these jobs at the same moment): nothing of the poll is stored
   */
  default List<PollResult> storePoll(List<PollRecord> poll, Duration nonceKeep) {
    List<NonceUse> uses = poll.stream().map(PollRecord::nonce).filter(Objects::nonNull).toList();
    Iterator<Boolean> fresh = useNonces(uses, nonceKeep).iterator();
    List<Boolean> replays = poll.stream().map(r -> r.nonce() != null && !fresh.next()).toList();
    List<AuditRecord> audit = new ArrayList<>();
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < poll.size(); i++) {
      PollRecord r = poll.get(i);
      AuditRecord a = r.audited(replays.get(i));
      if (a != null) {
        audit.add(a);
      }
      if (!replays.get(i) && r.job() != null) {
        jobs.add(r.job());
      }
    }
    appendAudit(audit);
    Iterator<EnqueueOutcome> outcomes = jobs.isEmpty() ? Collections.emptyIterator()
        : enqueueAll(jobs).iterator();
    List<PollResult> out = new ArrayList<>(poll.size());
    for (int i = 0; i < poll.size(); i++) {
      out.add(replays.get(i) ? PollResult.REPLAYED
          : poll.get(i).job() == null ? PollResult.NO_JOB : new PollResult(false, outcomes.next()));
    }
    return out;
  }

  /**
   * Appends verdicts to the audit table, in one transaction.
   *
   * @throws JobStoreException if the database failed; none was appended
   */
  void appendAudit(List<AuditRecord> records);

  /**
   * The latest {@code limit} audit records, oldest of them first; only those about {@code jobId}
   * when it is not {@code null}.
   *
   * @throws IllegalArgumentException if {@code limit} is less than 1
   */
  List<AuditRecord> audit(String jobId, int limit);

  /** Releases the database connection. */
  @Override
  void close();
}
