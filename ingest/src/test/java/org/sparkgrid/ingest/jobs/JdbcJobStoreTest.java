package org.sparkgrid.ingest.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.ingest.TestRequests;

class JdbcJobStoreTest {

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
  private JdbcJobStore store;

  @BeforeEach
  void open() {
    store = open(dir);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private JdbcJobStore open(Path d) {
    return JdbcJobStore.open(JdbcJobStore.h2Url(d), new Properties(), clock);
  }

  private void enqueue(String id, int priority) {
    assertThat(store.enqueue(TestRequests.request(id), priority, null)).isTrue();
    clock.advance(1000);
  }

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
  void claimNextMovesTheJobToRunningWithAStartTime() {
    enqueue("a", 0);

    Job job = store.claimNext().orElseThrow();

    assertThat(job.state()).isEqualTo(JobState.RUNNING);
    assertThat(job.startedAt()).isEqualTo(Instant.parse("2025-01-01T00:00:01Z"));
    assertThat(store.get("a").orElseThrow().state()).isEqualTo(JobState.RUNNING);
  }

  @Test
  void aSucceededJobCannotStartAgain() {
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
  void recoverAfterRestartRequeuesRunningJobsWithOneMoreAttempt() {
    enqueue("running", 0);
    enqueue("queued", 0);
    enqueue("done", 0);
    store.start("running");
    store.start("done");
    store.succeed("done", "{}");
    store.close();

    store = open(dir); // the service restarts on the same file
    int requeued = store.recoverAfterRestart();

    assertThat(requeued).isEqualTo(1);
    Job job = store.get("running").orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.QUEUED);
    assertThat(job.attempts()).isEqualTo(1);
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
  void eventSequenceRisesByOnePerEventAndSurvivesARestart() {
    enqueue("a", 0);

    assertThat(store.nextEventSeq("a")).isEqualTo(1);
    assertThat(store.nextEventSeq("a")).isEqualTo(2);
    store.close();
    store = open(dir);
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

  @Test
  void largeTextTypeFollowsTheDatabase() {
    assertThat(JdbcJobStore.largeTextType("PostgreSQL")).isEqualTo("TEXT");
    assertThat(JdbcJobStore.largeTextType("MySQL")).isEqualTo("MEDIUMTEXT");
    assertThat(JdbcJobStore.largeTextType("H2")).isEqualTo("CLOB");
  }

  @Test
  void aStoreThatCannotOpenSaysWhichDatabase() {
    assertThatThrownBy(() -> JdbcJobStore.open("jdbc:nosuchdb:x"))
        .isInstanceOf(JobStoreException.class)
        .hasMessageStartingWith("job store jdbc:nosuchdb:x: cannot create table sparkgrid_jobs");
  }

  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant start) {
      now = start;
    }

    void advance(long millis) {
      now = now.plusMillis(millis);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
