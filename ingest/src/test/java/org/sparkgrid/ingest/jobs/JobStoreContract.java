package org.sparkgrid.ingest.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.ingest.TestRequests;

/**
 * What every {@link JdbcJobStore} database must do, run against each: H2, a real PostgreSQL and a
 * real MariaDB ({@code JdbcJobStore*Test}). Each test gets a new empty database of the class's
 * server; the server starts once per class.
 */
abstract class JobStoreContract {

  static final Duration LEASE = Duration.ofSeconds(30);
  static final String A = "svc-a";
  static final String B = "svc-b";

  @TempDir
  Path dir;

  final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  TestDatabase.Target target;
  JdbcJobStore store;
  private final List<JdbcJobStore> opened = new ArrayList<>();

  /** The server of the subclass, started before its first test. */
  abstract TestDatabase database();

  @BeforeEach
  void openStore() throws Exception {
    target = database().fresh();
    store = open(A);
  }

  @AfterEach
  void closeStores() {
    opened.forEach(JdbcJobStore::close);
  }

  /** A store on this test's database acting for {@code owner}, closed after the test. */
  JdbcJobStore open(String owner) {
    JdbcJobStore s = JdbcJobStore.open(target.settings(owner, LEASE), clock);
    opened.add(s);
    return s;
  }

  private void enqueue(String id, int priority) {
    assertThat(store.enqueue(TestRequests.request(id), priority, null)).isTrue();
    clock.advance(1000);
  }

  // ---- jobs, states and events

  @Test
  void enqueueStoresAQueuedJobWithItsSourceAndCanonicalRequest() {
    RecordSource source = new RecordSource("sparkgrid.requests", 1, 42);

    boolean isNew = store.enqueue(TestRequests.request("a"), 3, source);

    Job job = store.get("a").orElseThrow();
    assertThat(isNew).isTrue();
    assertThat(job.state()).isEqualTo(JobState.QUEUED);
    assertThat(job.priority()).isEqualTo(3);
    assertThat(job.attempts()).isZero();
    assertThat(job.source()).isEqualTo(source);
    assertThat(job.createdAt()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
    assertThat(job.startedAt()).isNull();
    assertThat(job.owner()).isNull();
    assertThat(job.leaseExpiresAt()).isNull();
    assertThat(job.requestJson()).contains("\"batchSize\":64", "\"seed\":");
  }

  @Test
  void theSameIdTwiceIsNotNewAndLeavesTheFirstJob() {
    store.enqueue(TestRequests.request("a"), 0, new RecordSource("t", 0, 1));

    boolean second = store.enqueue(TestRequests.request("a"), 9, new RecordSource("t", 0, 2));

    assertThat(second).isFalse();
    assertThat(store.list(JobFilter.all())).hasSize(1);
    assertThat(store.get("a").orElseThrow().source().offset()).isEqualTo(1);
    assertThat(store.get("a").orElseThrow().priority()).isZero();
  }

  @Test
  void claimNextTakesHighestPriorityThenOldest() {
    enqueue("low-old", 0);
    enqueue("high-new", 5);
    enqueue("low-new", 0);
    enqueue("high-newer", 5);

    assertThat(store.claimNext().orElseThrow().id()).isEqualTo("high-new");
    assertThat(store.claimNext().orElseThrow().id()).isEqualTo("high-newer");
    assertThat(store.claimNext().orElseThrow().id()).isEqualTo("low-old");
    assertThat(store.claimNext().orElseThrow().id()).isEqualTo("low-new");
    assertThat(store.claimNext()).isEmpty();
  }

  @Test
  void claimNextMovesTheJobToRunningWithAStartTimeAnOwnerAndALease() {
    enqueue("a", 0);

    Job job = store.claimNext().orElseThrow();

    assertThat(job.state()).isEqualTo(JobState.RUNNING);
    assertThat(job.startedAt()).isEqualTo(Instant.parse("2025-01-01T00:00:01Z"));
    assertThat(job.owner()).isEqualTo(A);
    assertThat(job.heartbeatAt()).isEqualTo(Instant.parse("2025-01-01T00:00:01Z"));
    assertThat(job.leaseExpiresAt()).isEqualTo(Instant.parse("2025-01-01T00:00:31Z"));
    assertThat(store.get("a").orElseThrow()).isEqualTo(job);
  }

  @Test
  void aSucceededJobCannotStartAgainAndKeepsTheOwnerThatRanIt() {
    enqueue("a", 0);
    store.start("a");
    store.succeed("a", "{\"version\":\"3\"}");

    assertThatThrownBy(() -> store.start("a"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("job a: cannot go from SUCCEEDED to RUNNING");
    Job job = store.get("a").orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job.resultJson()).isEqualTo("{\"version\":\"3\"}");
    assertThat(job.finishedAt()).isNotNull();
    assertThat(job.owner()).isEqualTo(A);
    assertThat(job.leaseExpiresAt()).isNull();
  }

  @Test
  void aQueuedJobCannotSucceed() {
    enqueue("a", 0);

    assertThatThrownBy(() -> store.succeed("a", "{}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("job a: cannot go from QUEUED to SUCCEEDED");
  }

  @Test
  void anUnknownJobIsNamed() {
    assertThatThrownBy(() -> store.cancel("nope"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("no job nope");
  }

  @Test
  void cancelReturnsTheJobAsItWasBefore() {
    enqueue("a", 0);
    store.start("a");

    Job before = store.cancel("a");

    assertThat(before.state()).isEqualTo(JobState.RUNNING);
    assertThat(store.get("a").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThatThrownBy(() -> store.cancel("a"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("job a: cannot go from CANCELLED to CANCELLED");
  }

  @Test
  void timeOutKeepsThePhase() {
    enqueue("a", 0);
    store.start("a");
    store.setPhase("a", "fetch");

    Job job = store.timeOut("a", "fetch");

    assertThat(job.state()).isEqualTo(JobState.TIMED_OUT);
    assertThat(job.phase()).isEqualTo("fetch");
    assertThat(job.error()).isEqualTo("timed out in phase fetch");
  }

  @Test
  void failRecordsTheError() {
    enqueue("a", 0);

    Job job = store.fail("a", "data.train: file:/x does not exist");

    assertThat(job.state()).isEqualTo(JobState.FAILED);
    assertThat(job.error()).isEqualTo("data.train: file:/x does not exist");
  }

  @Test
  void requeueFreesTheJobWithOneMoreAttempt() {
    enqueue("a", 0);
    store.claimNext();

    Job job = store.requeue("a");

    assertThat(job.state()).isEqualTo(JobState.QUEUED);
    assertThat(job.attempts()).isEqualTo(1);
    assertThat(job.owner()).isNull();
    assertThat(job.leaseExpiresAt()).isNull();
  }

  @Test
  void recoverAfterRestartRequeuesRunningJobsWithOneMoreAttempt() {
    enqueue("running", 0);
    enqueue("queued", 0);
    enqueue("done", 0);
    store.start("running");
    store.start("done");
    store.succeed("done", "{}");
    store.close();

    store = open(A); // the service restarts on the same database, under the same name
    int requeued = store.recoverAfterRestart();

    assertThat(requeued).isEqualTo(1);
    Job job = store.get("running").orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.QUEUED);
    assertThat(job.attempts()).isEqualTo(1);
    assertThat(job.owner()).isNull();
    assertThat(store.get("queued").orElseThrow().attempts()).isZero();
    assertThat(store.get("done").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(store.claimNext().orElseThrow().id()).isEqualTo("running"); // still the oldest
  }

  @Test
  void listFiltersByStateOldestFirst() {
    enqueue("a", 0);
    enqueue("b", 0);
    enqueue("c", 0);
    store.start("b");

    assertThat(store.list(JobFilter.in(JobState.QUEUED)).stream().map(Job::id)).containsExactly("a", "c");
    assertThat(store.list(JobFilter.all().limit(2)).stream().map(Job::id)).containsExactly("a", "b");
  }

  @Test
  void countByStateCountsEveryStateWithZerosForTheEmptyOnes() {
    enqueue("a", 0);
    enqueue("b", 0);
    enqueue("c", 0);
    store.start("b");
    store.fail("c", "broken");

    assertThat(store.countByState()).containsExactly(Map.entry(JobState.QUEUED, 1L), Map.entry(JobState.RUNNING, 1L),
        Map.entry(JobState.SUCCEEDED, 0L), Map.entry(JobState.FAILED, 1L), Map.entry(JobState.CANCELLED, 0L),
        Map.entry(JobState.TIMED_OUT, 0L));
  }

  @Test
  void eventSequenceRisesByOnePerEventAndSurvivesARestart() {
    enqueue("a", 0);

    assertThat(store.nextEventSeq("a")).isEqualTo(1);
    assertThat(store.nextEventSeq("a")).isEqualTo(2);
    store.close();
    store = open(A);
    assertThat(store.nextEventSeq("a")).isEqualTo(3);
    assertThatThrownBy(() -> store.nextEventSeq("b")).isInstanceOf(NoSuchElementException.class);
  }

  private static NewJob newJob(String id, int priority, long offset) {
    return new NewJob(TestRequests.request(id), priority, new RecordSource("sparkgrid.requests", 0, offset));
  }

  @Test
  void enqueueAllStoresNewJobsWithTheirFirstEventNumberAndReportsDuplicates() {
    enqueue("old", 0);
    store.nextEventSeq("old"); // "old" has had one event
    TrainingRequest otherOld = RequestCodec.parse(TestRequests.json("old").replace("\"epochs\": 2", "\"epochs\": 3"));

    List<EnqueueOutcome> outcomes = store.enqueueAll(List.of(
        newJob("a", 5, 10),
        newJob("old", 0, 11),
        newJob("a", 9, 12),
        newJob("b", -1, 13),
        new NewJob(otherOld, 0, new RecordSource("sparkgrid.requests", 0, 14)),
        newJob("a", 0, 15)));

    assertThat(outcomes).containsExactly(
        new EnqueueOutcome.Queued(1),
        new EnqueueOutcome.Duplicate(JobState.QUEUED, true, 2),
        new EnqueueOutcome.Duplicate(JobState.QUEUED, true, 2),
        new EnqueueOutcome.Queued(1),
        new EnqueueOutcome.Duplicate(JobState.QUEUED, false, 3),
        new EnqueueOutcome.Duplicate(JobState.QUEUED, true, 3));
    Job a = store.get("a").orElseThrow();
    assertThat(a.priority()).isEqualTo(5);
    assertThat(a.source().offset()).isEqualTo(10);
    assertThat(a.createdAt()).isEqualTo(clock.instant());
    assertThat(a.eventSeq()).isEqualTo(3);
    assertThat(store.get("b").orElseThrow().priority()).isEqualTo(-1);
    Job old = store.get("old").orElseThrow();
    assertThat(old.source()).isNull();
    assertThat(old.eventSeq()).isEqualTo(3);
    assertThat(store.list(JobFilter.all())).extracting(Job::id).containsExactlyInAnyOrder("old", "a", "b");
    assertThat(store.claimNext().orElseThrow().id()).isEqualTo("a");
    assertThat(store.nextEventSeq("a")).isEqualTo(4); // the next event goes on from the batch's numbers
  }

  @Test
  void enqueueAllReportsTheStateOfAJobStoredBefore() {
    enqueue("done", 0);
    store.claimNext();
    store.succeed("done", "{}");

    assertThat(store.enqueueAll(List.of(newJob("done", 0, 1))))
        .containsExactly(new EnqueueOutcome.Duplicate(JobState.SUCCEEDED, true, 1));
    assertThat(store.get("done").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(store.enqueueAll(List.of())).isEmpty();
  }

  @Test
  void aBatchThatFailsMidwayStoresNothing() {
    enqueue("old", 0);
    String tooLongTopic = "t".repeat(300); // the source_topic column holds 249 characters

    assertThatThrownBy(() -> store.enqueueAll(List.of(
        newJob("a", 0, 1),
        newJob("old", 0, 2),
        new NewJob(TestRequests.request("b"), 0, new RecordSource(tooLongTopic, 0, 3)),
        newJob("c", 0, 4))))
        .isInstanceOf(JobStoreException.class)
        .hasMessageContaining("cannot enqueue a batch of 4");

    assertThat(store.list(JobFilter.all())).extracting(Job::id).containsExactly("old");
    assertThat(store.get("old").orElseThrow().eventSeq()).isZero();
    // the store works on: the same batch without the bad record goes in whole
    assertThat(store.enqueueAll(List.of(newJob("a", 0, 1), newJob("old", 0, 2))))
        .containsExactly(new EnqueueOutcome.Queued(1), new EnqueueOutcome.Duplicate(JobState.QUEUED, true, 1));
    assertThat(store.list(JobFilter.all())).extracting(Job::id).containsExactlyInAnyOrder("old", "a");
  }

  // ---- a poll's nonces, verdicts and jobs at once (storePoll)

  static final String ALICE = "0x" + "a".repeat(40);
  static final Duration KEEP = Duration.ofMinutes(10);

  /** A signed record of alice's at offset {@code offset} with nonce {@code nonce}: a job, or refused when {@code id} is null. */
  private PollRecord signed(String nonce, long offset, String id, String refusal) {
    String source = "sparkgrid.requests-0@" + offset;
    NewJob job = id == null ? null
        : new NewJob(TestRequests.request(id), 0, new RecordSource("sparkgrid.requests", 0, offset), "alice");
    String jobId = id == null ? "alice.refused-" + offset : id;
    return new PollRecord(new JobStore.NonceUse(ALICE, nonce, source), job,
        new AuditRecord(clock.instant(), ALICE, "alice", "request", jobId, id != null, id != null ? null : refusal),
        new AuditRecord(clock.instant(), ALICE, null, "request", jobId, false, "unauthorized: replayed: " + nonce));
  }

  @Test
  void aPollStoresItsNoncesVerdictsAndJobsAndRefusesAReplayWithinIt() {
    List<PollResult> out = store.storePoll(List.of(
        signed("n1", 1, "alice.a", null),
        signed("n2", 2, null, "unauthorized: over-limit: engine.workers"),
        signed("n1", 3, "alice.b", null),                  // n1 again, another record: a replay
        PollRecord.unsigned(new NewJob(TestRequests.request("plain"), 0, null)),
        signed("n4", 4, "alice.a", null)), KEEP);          // a new nonce, but a job id stored earlier in the poll

    assertThat(out).containsExactly(
        new PollResult(false, new EnqueueOutcome.Queued(1)),
        PollResult.NO_JOB,
        PollResult.REPLAYED,
        new PollResult(false, new EnqueueOutcome.Queued(1)),
        new PollResult(false, new EnqueueOutcome.Duplicate(JobState.QUEUED, true, 2)));
    assertThat(store.list(JobFilter.all())).extracting(Job::id).containsExactlyInAnyOrder("alice.a", "plain");
    assertThat(store.get("alice.a").orElseThrow().requester()).isEqualTo("alice");
    assertThat(store.get("alice.a").orElseThrow().source().offset()).isEqualTo(1);
    assertThat(store.audit(null, 10)).extracting(a -> a.jobId() + " " + a.verdict() + " " + a.reason()).containsExactly(
        "alice.a accepted null",
        "alice.refused-2 refused unauthorized: over-limit: engine.workers",
        "alice.b refused unauthorized: replayed: n1",
        "alice.a accepted null");
    assertThat(open(B).useNonce(ALICE, "n2", "sparkgrid.requests-0@9", KEEP))
        .as("a refused record's nonce is used too, for every instance").isFalse();
  }

  @Test
  void aPollReadAgainIsNotAReplayOfItselfButANonceOfAnotherInstancesPollIs() {
    JdbcJobStore other = open(B);
    other.storePoll(List.of(signed("theirs", 7, "alice.theirs", null)), KEEP); // another instance, committed
    List<PollRecord> poll = List.of(signed("n1", 1, "alice.a", null), signed("theirs", 2, "alice.b", null));

    List<PollResult> first = store.storePoll(poll, KEEP);
    List<PollResult> again = store.storePoll(poll, KEEP); // offsets not committed: the same records again

    assertThat(first).containsExactly(new PollResult(false, new EnqueueOutcome.Queued(1)), PollResult.REPLAYED);
    assertThat(again).as("the same records: duplicates of their jobs, and the replay still a replay")
        .containsExactly(new PollResult(false, new EnqueueOutcome.Duplicate(JobState.QUEUED, true, 2)),
            PollResult.REPLAYED);
    assertThat(store.get("alice.b")).isEmpty();
    assertThat(other.storePoll(List.of(signed("n1", 8, "alice.c", null)), KEEP))
        .as("and this instance's nonce is a replay for the other").containsExactly(PollResult.REPLAYED);
  }

  @Test
  void aNonceStaysUsedAcrossARestart() {
    store.storePoll(List.of(signed("n1", 1, "alice.a", null)), KEEP);
    store.close();
    store = open(A);

    assertThat(store.storePoll(List.of(signed("n1", 2, "alice.b", null), signed("n1", 1, "alice.a", null)), KEEP))
        .containsExactly(PollResult.REPLAYED, new PollResult(false, new EnqueueOutcome.Duplicate(JobState.QUEUED, true,
            2)));
  }

  @Test
  void aPollThatFailsMidwayStoresNoNonceNoVerdictAndNoJob() {
    String tooLongTopic = "t".repeat(300); // the source_topic column holds 249 characters
    PollRecord bad = new PollRecord(new JobStore.NonceUse(ALICE, "n3", "x@3"),
        new NewJob(TestRequests.request("alice.c"), 0, new RecordSource(tooLongTopic, 0, 3)),
        new AuditRecord(clock.instant(), ALICE, "alice", "request", "alice.c", true, null), null);

    assertThatThrownBy(() -> store.storePoll(List.of(signed("n1", 1, "alice.a", null),
        signed("n2", 2, null, "unauthorized: over-limit"), bad), KEEP))
        .isInstanceOf(JobStoreException.class)
        .hasMessageContaining("cannot store a poll of 3 records");

    assertThat(store.list(JobFilter.all())).isEmpty();
    assertThat(store.audit(null, 10)).isEmpty();
    // read again without the bad record, even from other offsets: the nonces were never recorded
    assertThat(store.storePoll(List.of(signed("n1", 11, "alice.a", null), signed("n2", 12, null, "refused"),
        signed("n3", 13, null, "refused")), KEEP))
        .containsExactly(new PollResult(false, new EnqueueOutcome.Queued(1)), PollResult.NO_JOB, PollResult.NO_JOB);
    assertThat(store.audit(null, 10)).hasSize(3);
  }

  @Test
  void twoInstancesStoringOneNonceAtOnceAcceptItOnce() throws Exception {
    int rounds = 20;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<JdbcJobStore> stores = List.of(store, open(B));
      for (int r = 0; r < rounds; r++) {
        CyclicBarrier start = new CyclicBarrier(2);
        String nonce = "race-" + r;
        List<Future<PollResult>> results = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          JdbcJobStore s = stores.get(i);
          PollRecord rec = signed(nonce, 100L * r + i, "alice.r" + r + "-" + i, null);
          results.add(pool.submit(() -> {
            start.await(30, TimeUnit.SECONDS);
            while (true) {
              try {
                return s.storePoll(List.of(rec), KEEP).get(0);
              } catch (JobStoreException e) {
                // the other instance inserted the nonce at the same moment: nothing stored, read again
              }
            }
          }));
        }
        long accepted = 0;
        for (Future<PollResult> f : results) {
          accepted += f.get(60, TimeUnit.SECONDS).replayed() ? 0 : 1;
        }
        assertThat(accepted).as("round " + r + ": accepted once").isEqualTo(1);
      }
      assertThat(store.list(JobFilter.all().limit(1000))).hasSize(rounds);
      assertThat(store.audit(null, 1000)).filteredOn(a -> a.accepted()).hasSize(rounds);
      assertThat(store.audit(null, 1000)).filteredOn(a -> !a.accepted()).hasSize(rounds);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anEmptyPollStoresNothing() {
    assertThat(store.storePoll(List.of(), KEEP)).isEmpty();
    assertThat(store.storePoll(List.of(PollRecord.unsigned(null)), KEEP)).containsExactly(PollResult.NO_JOB);
    assertThat(store.audit(null, 10)).isEmpty();
  }

  // ---- leases: several service instances on one store

  // ---- requesters, nonces, audit (version 3)

  @Test
  void aJobKeepsTheRequesterThatSubmittedIt() {
    List<EnqueueOutcome> out = store.enqueueAll(List.of(
        new NewJob(TestRequests.request("alice.a"), 0, null, "alice"),
        new NewJob(TestRequests.request("plain"), 0, null)));

    assertThat(out).hasSize(2).allMatch(o -> o instanceof EnqueueOutcome.Queued);
    assertThat(store.get("alice.a").orElseThrow().requester()).isEqualTo("alice");
    assertThat(store.get("plain").orElseThrow().requester()).isNull();
    assertThat(store.claimNext().orElseThrow().requester()).as("kept through a claim").isEqualTo("alice");
  }

  @Test
  void aPollsNoncesAreRecordedAtOnceWithTheSameAnswersAsOneByOne() {
    String alice = "0x" + "a".repeat(40);
    String bob = "0x" + "b".repeat(40);
    Duration keep = Duration.ofMinutes(10);
    assertThat(store.useNonce(alice, "old", "r@1", keep)).isTrue();

    List<Boolean> answers = store.useNonces(List.of(
        new JobStore.NonceUse(alice, "new", "r@2"),
        new JobStore.NonceUse(alice, "old", "r@3"),      // used before by another record: a replay
        new JobStore.NonceUse(alice, "old", "r@1"),      // the same record read again
        new JobStore.NonceUse(bob, "old", "r@4"),        // another account's nonce
        new JobStore.NonceUse(alice, "new", "r@5"),      // twice in one poll: the second is a replay
        new JobStore.NonceUse(alice, "new", "r@2")), keep); // the first again

    assertThat(answers).containsExactly(true, false, true, true, false, true);
    assertThat(open(B).useNonce(alice, "new", "r@6", keep)).as("recorded for every instance").isFalse();
    assertThat(open(B).useNonce(bob, "old", "r@4", keep)).as("the same record").isTrue();
    assertThat(store.useNonces(List.of(), keep)).isEmpty();
  }

  @Test
  void aNonceIsUsedOnceByAnAccountButMayBeReadAgainFromTheSameRecord() {
    String alice = "0x" + "a".repeat(40);
    String bob = "0x" + "b".repeat(40);
    Duration keep = Duration.ofMinutes(10);

    assertThat(store.useNonce(alice, "n1", "sparkgrid.requests-0@1", keep)).isTrue();
    assertThat(store.useNonce(alice, "n1", "sparkgrid.requests-0@2", keep)).as("another record: a replay").isFalse();
    assertThat(store.useNonce(alice, "n1", "sparkgrid.requests-0@1", keep)).as("the same record read again").isTrue();
    assertThat(store.useNonce(bob, "n1", "sparkgrid.requests-0@3", keep)).as("another account's nonce").isTrue();
    assertThat(open(B).useNonce(alice, "n1", "sparkgrid.requests-0@4", keep)).as("shared by instances").isFalse();
  }

  @Test
  void noncesOlderThanTheirKeepArePruned() {
    String alice = "0x" + "a".repeat(40);
    Duration keep = Duration.ofMinutes(10);
    store.useNonce(alice, "old", "r@1", keep);

    clock.advance(Duration.ofMinutes(11).toMillis());
    JdbcJobStore later = open(B); // prunes on its first call

    assertThat(later.useNonce(alice, "fresh", "r@2", keep)).isTrue();
    assertThat(later.useNonce(alice, "old", "r@3", keep)).as("pruned: its signature has expired anyway").isTrue();
  }

  @Test
  void theAuditKeepsEveryVerdictAndReadsTheLatestOldestFirst() {
    Instant t = clock.instant();
    String alice = "0x" + "a".repeat(40);
    store.appendAudit(List.of(
        new AuditRecord(t, alice, "alice", "request", "alice.a", true, null),
        new AuditRecord(t.plusMillis(1), AuditRecord.UNSIGNED, null, "request", "x", false,
            "unauthorized: unsigned: no sparkgrid.signature header"),
        new AuditRecord(t.plusMillis(2), alice, "alice", "cancel", "alice.a", true, null)));
    store.appendAudit(List.of(new AuditRecord(t.plusMillis(3), alice, "alice", "exclude-site", "alice.a", false,
        "r".repeat(1500))));

    List<AuditRecord> all = store.audit(null, 100);
    assertThat(all).extracting(AuditRecord::kind).containsExactly("request", "request", "cancel", "exclude-site");
    assertThat(all.get(0)).isEqualTo(new AuditRecord(t, alice, "alice", "request", "alice.a", true, null));
    assertThat(all.get(1).account()).isEqualTo("unsigned");
    assertThat(all.get(1).verdict()).isEqualTo("refused");
    assertThat(all.get(3).reason()).hasSize(JdbcJobStore.MAX_AUDIT_REASON_CHARS).endsWith("...");
    assertThat(store.audit("alice.a", 2)).extracting(AuditRecord::kind).containsExactly("cancel", "exclude-site");
    assertThat(store.audit("nobody", 10)).isEmpty();
    assertThatThrownBy(() -> store.audit(null, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit: must be at least 1, got 0");
  }

  @Test
  void anExpiredLeaseIsTakenOverByAnotherOwnerWithOneMoreAttempt() {
    enqueue("a", 0);
    store.claimNext();
    JdbcJobStore other = open(B);
    assertThat(other.claimNext()).as("the lease runs for 30 s").isEmpty();

    clock.advance(LEASE.toMillis() + 1);
    Job taken = other.claimNext().orElseThrow();

    assertThat(taken.id()).isEqualTo("a");
    assertThat(taken.state()).isEqualTo(JobState.RUNNING);
    assertThat(taken.owner()).isEqualTo(B);
    assertThat(taken.attempts()).isEqualTo(1);
    assertThat(taken.startedAt()).isEqualTo(clock.instant());
    assertThat(taken.leaseExpiresAt()).isEqualTo(clock.instant().plus(LEASE));
  }

  @Test
  void aJobWhoseOwnerSendsHeartbeatsIsNotTakenOver() {
    enqueue("a", 0);
    store.claimNext();
    JdbcJobStore other = open(B);

    for (int i = 0; i < 4; i++) {
      clock.advance(LEASE.toMillis() / 2);
      assertThat(store.heartbeat(List.of("a"))).containsExactly("a");
      assertThat(other.claimNext()).isEmpty();
    }

    Job job = store.get("a").orElseThrow();
    assertThat(job.owner()).isEqualTo(A);
    assertThat(job.heartbeatAt()).isEqualTo(clock.instant());
    assertThat(job.leaseExpiresAt()).isEqualTo(clock.instant().plus(LEASE));
    assertThat(job.attempts()).isZero();
  }

  @Test
  void anOwnerNeverTakesOverItsOwnJob() {
    enqueue("a", 0);
    store.claimNext();
    clock.advance(LEASE.toMillis() * 3);

    assertThat(store.claimNext()).as("its own expired job is still running here").isEmpty();
    assertThat(store.get("a").orElseThrow().attempts()).isZero();
  }

  @Test
  void theOwnerThatLostAJobIsRefusedAndItsHeartbeatSaysSo() {
    enqueue("a", 0);
    enqueue("b", 0);
    store.claimNext();
    store.claimNext();
    clock.advance(LEASE.toMillis() + 1);
    JdbcJobStore other = open(B);
    other.claimNext(); // takes "a" over

    assertThat(store.heartbeat(List.of("a", "b", "unknown"))).containsExactly("b");
    assertThatThrownBy(() -> store.succeed("a", "{}"))
        .isInstanceOf(NotOwnerException.class)
        .hasMessage("job a: cannot go from RUNNING to SUCCEEDED: it is owned by svc-b, not by svc-a");
    assertThatThrownBy(() -> store.fail("a", "boom")).isInstanceOf(NotOwnerException.class);
    assertThatThrownBy(() -> store.timeOut("a", "train")).isInstanceOf(NotOwnerException.class);
    assertThatThrownBy(() -> store.requeue("a")).isInstanceOf(NotOwnerException.class);
    assertThatThrownBy(() -> store.setPhase("a", "train"))
        .isInstanceOf(NotOwnerException.class)
        .hasMessage("job a: cannot set phase train: it is owned by svc-b, not by svc-a");
    assertThat(other.succeed("a", "{\"version\":\"1\"}").owner()).isEqualTo(B);
  }

  @Test
  void anyoneMayCancelARunningJobAndItsOwnerLearnsAtTheNextHeartbeat() {
    enqueue("a", 0);
    store.claimNext();
    JdbcJobStore other = open(B);

    Job before = other.cancel("a");

    assertThat(before.owner()).isEqualTo(A);
    assertThat(store.heartbeat(List.of("a"))).isEmpty();
    Job job = store.get("a").orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.CANCELLED);
    assertThat(job.owner()).isEqualTo(A);
  }

  @Test
  void setPhaseByTheOwnerExtendsTheLease() {
    enqueue("a", 0);
    store.claimNext();
    clock.advance(20_000);

    Job job = store.setPhase("a", "train");

    assertThat(job.heartbeatAt()).isEqualTo(clock.instant());
    assertThat(job.leaseExpiresAt()).isEqualTo(clock.instant().plus(LEASE));
  }

  @Test
  void recoverAfterRestartLeavesOtherOwnersJobsAlone() {
    enqueue("mine", 0);
    enqueue("theirs", 0);
    store.claimNext();
    JdbcJobStore other = open(B);
    other.claimNext();
    clock.advance(LEASE.toMillis() * 2); // expired too: still not recoverAfterRestart's to take
    store.close();

    store = open(A);
    assertThat(store.recoverAfterRestart()).isEqualTo(1);

    assertThat(store.get("mine").orElseThrow().state()).isEqualTo(JobState.QUEUED);
    Job theirs = store.get("theirs").orElseThrow();
    assertThat(theirs.state()).isEqualTo(JobState.RUNNING);
    assertThat(theirs.owner()).isEqualTo(B);
    assertThat(theirs.attempts()).isZero();
  }

  @Test
  void twoStoresClaimingAtOnceNeverGetTheSameJob() throws Exception {
    int jobs = 100;
    for (int i = 0; i < jobs; i++) {
      store.enqueue(TestRequests.request(String.format("j%03d", i)), 0, null);
    }

    Map<String, List<String>> claimed = claimAtOnce(open(A), open(B));

    assertThat(Collections.disjoint(claimed.get(A), claimed.get(B))).isTrue();
    assertThat(claimed.get(A).size() + claimed.get(B).size()).isEqualTo(jobs);
    assertThat(claimed.get(A)).as("one job a round each").hasSize(jobs / 2);
    assertThat(claimed.get(B)).as("one job a round each").hasSize(jobs / 2);
    for (Job job : store.list(JobFilter.all())) {
      assertThat(job.state()).isEqualTo(JobState.RUNNING);
      assertThat(claimed.get(job.owner())).contains(job.id());
    }
  }

  @Test
  void twoStoresTakingOverAtOnceNeverGetTheSameJob() throws Exception {
    int jobs = 60;
    for (int i = 0; i < jobs; i++) {
      store.enqueue(TestRequests.request(String.format("j%03d", i)), 0, null);
    }
    while (store.claimNext().isPresent()) {
      // all A's
    }
    clock.advance(LEASE.toMillis() + 1); // A died: every lease expires

    Map<String, List<String>> claimed = claimAtOnce(open("svc-c"), open(B));

    assertThat(Collections.disjoint(claimed.get("svc-c"), claimed.get(B))).isTrue();
    assertThat(claimed.get("svc-c").size() + claimed.get(B).size()).isEqualTo(jobs);
    assertThat(claimed.get(B)).as("one job a round each").hasSize(jobs / 2);
    for (Job job : store.list(JobFilter.all())) {
      assertThat(job.attempts()).as(job.id()).isEqualTo(1);
      assertThat(claimed.get(job.owner())).contains(job.id());
    }
  }

  /**
   * Two stores claim in two threads, in rounds (each claims once, then both wait for the other,
   * so that every claim races one of the other store), until neither finds a job: what each got.
   */
  private static Map<String, List<String>> claimAtOnce(JdbcJobStore first, JdbcJobStore second) throws Exception {
    CyclicBarrier round = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (JdbcJobStore s : List.of(first, second)) {
        Callable<List<String>> claimer = () -> {
          List<String> got = new ArrayList<>();
          while (true) {
            round.await(60, TimeUnit.SECONDS);
            Optional<Job> j = s.claimNext();
            if (j.isEmpty()) {
              return got;
            }
            assertThat(j.get().owner()).isEqualTo(s.owner());
            got.add(j.get().id());
          }
        };
        results.add(pool.submit(claimer));
      }
      return Map.of(first.owner(), results.get(0).get(120, TimeUnit.SECONDS),
          second.owner(), results.get(1).get(120, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- schema: migrations from today's and from an older store

  /**
   * The versions in the schema history, with their type (SQL or BASELINE), in the order applied
   * (without Flyway's row for the history table itself, which has no version).
   */
  private List<String> history() throws SQLException {
    TestDatabase db = database();
    List<String> rows = new ArrayList<>();
    try (Connection c = target.connect(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT " + db.quote("version") + ", " + db.quote("type") + ", "
             + db.quote("success") + " FROM " + db.quote(JobStoreSchema.HISTORY_TABLE)
             + " WHERE " + db.quote("version") + " IS NOT NULL ORDER BY "
             + db.quote("installed_rank"))) {
      while (rs.next()) {
        rows.add(rs.getString(1) + " " + rs.getString(2) + (rs.getBoolean(3) ? "" : " FAILED"));
      }
    }
    return rows;
  }

  @Test
  void aNewStoreHasEveryVersionAndAReopenedOneAppliesNothing() throws Exception {
    assertThat(history()).containsExactly("1 SQL", "2 SQL", "3 SQL", "4 SQL");

    store.close();
    store = open(A);

    assertThat(history()).containsExactly("1 SQL", "2 SQL", "3 SQL", "4 SQL");
  }

  @Test
  void aStoreInADatabaseWithOtherTablesGetsEveryVersion() throws Exception {
    target = database().fresh();
    try (Connection c = target.connect(); Statement st = c.createStatement()) {
      st.executeUpdate("CREATE TABLE other_application (id INTEGER NOT NULL PRIMARY KEY)");
    }

    JdbcJobStore shared = open(A);
    shared.enqueue(TestRequests.request("a"), 0, null);

    assertThat(history()).containsExactly("0 BASELINE", "1 SQL", "2 SQL", "3 SQL", "4 SQL");
    assertThat(shared.claimNext().orElseThrow().owner()).isEqualTo(A);
  }

  /** The table exactly as JdbcJobStore created it before migrations (its CREATE TABLE, with this database's text type). */
  private void createTableAsBeforeMigrations(Connection c) throws SQLException {
    String text = database().legacyTextType();
    try (Statement st = c.createStatement()) {
      st.executeUpdate("CREATE TABLE sparkgrid_jobs ("
          + "id VARCHAR(128) NOT NULL PRIMARY KEY, "
          + "request_json " + text + " NOT NULL, "
          + "state VARCHAR(16) NOT NULL, "
          + "priority INTEGER NOT NULL, "
          + "attempts INTEGER NOT NULL, "
          + "created_at BIGINT NOT NULL, "
          + "updated_at BIGINT NOT NULL, "
          + "started_at BIGINT, "
          + "finished_at BIGINT, "
          + "error VARCHAR(4000), "
          + "phase VARCHAR(64), "
          + "result_json " + text + ", "
          + "source_topic VARCHAR(249), "
          + "source_partition INTEGER, "
          + "source_offset BIGINT, "
          + "event_seq BIGINT NOT NULL)");
      st.executeUpdate("CREATE INDEX sparkgrid_jobs_queue ON sparkgrid_jobs (state, priority, created_at)");
    }
  }

  @Test
  void aStoreCreatedBeforeMigrationsIsBaselinedAndUpgradedKeepingItsJobs() throws Exception {
    target = database().fresh();
    String json = new String(RequestCodec.write(TestRequests.request("old-running")), StandardCharsets.UTF_8);
    try (Connection c = target.connect()) {
      createTableAsBeforeMigrations(c);
      try (PreparedStatement st = c.prepareStatement("INSERT INTO sparkgrid_jobs (id, request_json, state, priority,"
          + " attempts, created_at, updated_at, started_at, finished_at, error, phase, result_json, source_topic,"
          + " source_partition, source_offset, event_seq) VALUES (?, ?, ?, 0, 0, 1000, 2000, ?, NULL, NULL, ?, NULL,"
          + " 'sparkgrid.requests', 2, 7, 4)")) {
        st.setString(1, "old-running");
        st.setString(2, json);
        st.setString(3, "RUNNING");
        st.setLong(4, 2000);
        st.setString(5, "train");
        st.executeUpdate();
        st.setString(1, "old-queued");
        st.setString(2, json.replace("old-running", "old-queued"));
        st.setString(3, "QUEUED");
        st.setNull(4, Types.BIGINT);
        st.setNull(5, Types.VARCHAR);
        st.executeUpdate();
      }
    }

    JdbcJobStore upgraded = open(A);

    assertThat(history()).containsExactly("1 BASELINE", "2 SQL", "3 SQL", "4 SQL");
    Job running = upgraded.get("old-running").orElseThrow();
    assertThat(running.state()).isEqualTo(JobState.RUNNING);
    assertThat(running.phase()).isEqualTo("train");
    assertThat(running.source()).isEqualTo(new RecordSource("sparkgrid.requests", 2, 7));
    assertThat(running.eventSeq()).isEqualTo(4);
    assertThat(running.owner()).isNull();
    assertThat(running.requestJson()).isEqualTo(json);
    assertThat(running.requester()).as("a job from before requesters has none").isNull();
    // the single service of before restarts: its running job (no owner) is its to requeue
    assertThat(upgraded.recoverAfterRestart()).isEqualTo(1);
    assertThat(upgraded.claimNext().orElseThrow().id()).isEqualTo("old-queued"); // created first: ids sort
    Job resumed = upgraded.claimNext().orElseThrow();
    assertThat(resumed.id()).isEqualTo("old-running");
    assertThat(resumed.attempts()).isEqualTo(1);
    assertThat(resumed.owner()).isEqualTo(A);
    upgraded.close();
    open(B).close();
    assertThat(history()).as("a second open applies nothing").containsExactly("1 BASELINE", "2 SQL", "3 SQL", "4 SQL");
  }

  // ---- durability and login

  /** Run in the child JVM: opens the store from configuration (password from the environment), writes, halts. */
  public static void main(String[] args) {
    Map<String, String> conf = new HashMap<>(Map.of(
        SparkGridConfig.JOBS_JDBC_URL.name(), args[0], SparkGridConfig.JOBS_OWNER.name(), "svc-child"));
    if (args.length > 1) {
      conf.put(SparkGridConfig.JOBS_USER.name(), args[1]);
    }
    JdbcJobStore child = JdbcJobStore.open(SparkGridConfig.from(conf));
    child.enqueue(TestRequests.request("written-then-killed"), null);
    child.claimNext();
    child.setPhase("written-then-killed", "train");
    child.nextEventSeq("written-then-killed");
    child.nextEventSeq("written-then-killed");
    Runtime.getRuntime().halt(9);
  }

  @Test
  void commitsSurviveAProcessKilledRightAfterThem() throws Exception {
    store.close(); // H2: the child opens the file itself
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), JobStoreContract.class.getName(), target.url()));
    if (target.user() != null) {
      command.add(target.user());
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.log").toFile());
    pb.environment().remove(JobStoreSettings.PASSWORD_ENV);
    if (target.password() != null) {
      pb.environment().put(JobStoreSettings.PASSWORD_ENV, target.password());
    }
    Process child = pb.start();
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as("halted right after its writes: " + ServerProcesses.tail(dir.resolve("child.log")))
        .isEqualTo(9);

    store = open(A);
    List<Job> jobs = store.list(JobFilter.all());

    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).state()).isEqualTo(JobState.RUNNING);
    assertThat(jobs.get(0).phase()).isEqualTo("train");
    assertThat(jobs.get(0).eventSeq()).isEqualTo(2);
    assertThat(jobs.get(0).owner()).isEqualTo("svc-child");
  }

  /** For the servers with logins: a wrong password is refused, and the message does not show it. */
  void aWrongPasswordIsRefusedWithoutShowingIt() {
    String wrong = "not-" + target.password();
    assertThatThrownBy(() -> JdbcJobStore.open(new TestDatabase.Target(target.url(), target.user(), wrong)
        .settings(A, LEASE), clock))
        .isInstanceOf(JobStoreException.class)
        .hasMessageStartingWith("job store " + target.url() + ": cannot migrate the schema: ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
  }

  /** For the servers with logins: the store opened from configuration with the password in a file works. */
  void thePasswordMayComeFromAFile() throws Exception {
    Path file = dir.resolve("db-password");
    Files.writeString(file, target.password() + "\n");
    SparkGridConfig config = SparkGridConfig.from(Map.of(
        SparkGridConfig.JOBS_JDBC_URL.name(), target.url(),
        SparkGridConfig.JOBS_USER.name(), target.user(),
        SparkGridConfig.JOBS_PASSWORD_FILE.name(), file.toString(),
        SparkGridConfig.JOBS_OWNER.name(), "svc-file"));
    try (JdbcJobStore fromConfig = JdbcJobStore.open(config)) {
      fromConfig.enqueue(TestRequests.request("a"), null);
      assertThat(fromConfig.claimNext().orElseThrow().owner()).isEqualTo("svc-file");
    }
  }
}
