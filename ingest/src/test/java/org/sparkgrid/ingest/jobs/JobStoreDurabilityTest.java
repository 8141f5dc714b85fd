package org.sparkgrid.ingest.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.ingest.TestRequests;

/**
 * The H2 job store keeps every commit when its process dies without closing it: a child JVM
 * enqueues a job, moves it on and halts at once (as SIGKILL would, no shutdown hooks), and a new
 * store on the same file finds all of it. What the request consumer relies on when it commits a
 * Kafka offset right after {@link JobStore#enqueue}.
 */
class JobStoreDurabilityTest {
  @TempDir Path dir;

  /** Run in the child JVM: writes, then halts without closing anything. */
  public static void main(String[] args) {
    JdbcJobStore store = JdbcJobStore.openH2(Path.of(args[0]));
    store.enqueue(TestRequests.request("written-then-killed"), null);
    store.claimNext();
    store.setPhase("written-then-killed", "train");
    store.nextEventSeq("written-then-killed");
    store.nextEventSeq("written-then-killed");
    Runtime.getRuntime().halt(9);
  }

  @Test
  void commitsSurviveAProcessKilledRightAfterThem() throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), JobStoreDurabilityTest.class.getName(), dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as("halted right after its writes").isEqualTo(9);

    try (JdbcJobStore store = JdbcJobStore.openH2(dir)) {
      List<Job> jobs = store.list(JobFilter.all());

      assertThat(jobs).hasSize(1);
      assertThat(jobs.get(0).state()).isEqualTo(JobState.RUNNING);
      assertThat(jobs.get(0).phase()).isEqualTo("train");
      assertThat(jobs.get(0).eventSeq()).isEqualTo(2);
    }
  }
}
