package org.sparkgrid.jobs.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.store.ArtifactWriter;
import org.sparkgrid.federation.round.RoundState;
import org.sparkgrid.federation.round.RoundStateBinary;
import org.sparkgrid.jobs.tree.FederationRunner;

/**
 * The background checkpoint writer on a real {@link HadoopCheckpointStore} over the local file
 * system: one write in flight, a write visible only when whole, and the previous checkpoint the
 * one a resume finds when a write fails or is killed half-way.
 */
class CheckpointWriterTest {
  private static final String JOB = "job-w";

  @TempDir Path dir;
  private CheckpointWriter writer;
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void open() {
    writer = new CheckpointWriter(store());
  }

  @AfterEach
  void close() {
    release.countDown();
    try {
      writer.close();
    } catch (IllegalStateException e) {
      // a test's failed write, asserted there
    }
  }

  private HadoopCheckpointStore store() {
    return new HadoopCheckpointStore(dir.resolve("store").toUri().toString(), new Configuration());
  }

  private static Map<String, ArtifactWriter> state(RoundState s) {
    return Map.of(FederationRunner.STATE_BIN, out -> RoundStateBinary.write(s, out));
  }

  /** A writer that writes half of {@code s}'s bytes, then waits for {@link #release}, then fails or finishes. */
  private ArtifactWriter halfThen(RoundState s, boolean fail) {
    byte[] bytes = RoundStateBinary.toBytes(s);
    return out -> {
      out.write(bytes, 0, bytes.length / 2);
      out.flush();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      if (fail) {
        throw new IOException("disk full (test)");
      }
      out.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
    };
  }

  private List<String> checkpointDirEntries() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("store/runs/" + JOB + "/checkpoints"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aCheckpointIsInvisibleUntilItsWriteEndsAndAwaitReturnsWhenItIsDurable() throws Exception {
    RoundState s1 = RoundState.initial(new float[] {1f, 2f, 3f});

    double waited = writer.submit(JOB, 1, Map.of(FederationRunner.STATE_BIN, halfThen(s1, false)), 3);
    Thread.sleep(200); // the background thread is now inside the write, holding half the bytes

    assertThat(waited).isLessThan(1000.0);
    assertThat(store().latest(JOB)).isEqualTo(OptionalLong.empty());
    assertThat(checkpointDirEntries()).singleElement().asString().startsWith("_tmp-");
    release.countDown();
    writer.await();
    assertThat(store().latest(JOB)).isEqualTo(OptionalLong.of(1));
    assertThat(FederationRunner.readState(store(), JOB, 1)).isEqualTo(s1);
    assertThat(writer.lastWrite().step()).isEqualTo(1);
    assertThat(writer.lastWrite().bytes()).isEqualTo(RoundStateBinary.toBytes(s1).length);
  }

  @Test
  void aSecondSaveWaitsForTheWriteInFlight() throws Exception {
    RoundState s1 = RoundState.initial(new float[] {1f});
    RoundState s2 = RoundState.initial(new float[] {2f});
    writer.submit(JOB, 1, Map.of(FederationRunner.STATE_BIN, halfThen(s1, false)), 3);
    Thread second = new Thread(() -> writer.submit(JOB, 2, state(s2), 3));

    second.start();
    second.join(300);

    assertThat(second.isAlive()).as("the second save waits while the first is in flight").isTrue();
    assertThat(store().steps(JOB)).isEmpty();
    release.countDown();
    second.join(10_000);
    assertThat(second.isAlive()).isFalse();
    writer.await();
    assertThat(store().steps(JOB)).containsExactly(1L, 2L);
    assertThat(FederationRunner.readState(store(), JOB, 2)).isEqualTo(s2);
  }

  @Test
  void aWriteThatFailsHalfWayLeavesThePreviousCheckpointForResume() throws Exception {
    RoundState s1 = RoundState.initial(new float[] {1f, 2f});
    RoundState s2 = new RoundState(2, new float[] {5f, 6f}, s1.strategyState(), List.of(), java.util.Set.of());
    writer.submit(JOB, 1, state(s1), 3);
    writer.submit(JOB, 2, Map.of(FederationRunner.STATE_BIN, halfThen(s2, true)), 3);

    release.countDown();

    assertThatThrownBy(writer::await).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("checkpoint job-w/2 could not be written: ").hasMessageContaining("disk full (test)");
    assertThat(store().latest(JOB)).isEqualTo(OptionalLong.of(1));
    assertThat(FederationRunner.readState(store(), JOB, 1)).isEqualTo(s1);
    assertThat(checkpointDirEntries()).containsExactly("1"); // the half-written temporary directory is gone
  }

  @Test
  void aWriteKilledHalfWayLeavesATemporaryDirectoryThatResumeIgnores() throws Exception {
    RoundState s1 = RoundState.initial(new float[] {1f, 2f});
    writer.submit(JOB, 1, state(s1), 3);
    writer.await();
    // what a SIGKILL in the middle of writing checkpoint 2 leaves: a temporary directory, half a file
    byte[] whole = RoundStateBinary.toBytes(new RoundState(2, new float[] {7f, 8f}, s1.strategyState(), List.of(),
        java.util.Set.of()));
    Path torn = dir.resolve("store/runs/" + JOB + "/checkpoints/_tmp-killed");
    Files.createDirectories(torn);
    Files.write(torn.resolve(FederationRunner.STATE_BIN), Arrays.copyOf(whole, whole.length / 2));

    assertThat(store().latest(JOB)).isEqualTo(OptionalLong.of(1));
    assertThat(FederationRunner.readState(store(), JOB, store().latest(JOB).getAsLong())).isEqualTo(s1);
  }

  @Test
  void aWriterKilledWithSigkillHalfWayLeavesThePreviousCheckpointForResume() throws Exception {
    Path log = dir.resolve("child.log");
    Process child = org.sparkgrid.jobs.service.ServiceProcess.start(CheckpointKillChild.class,
        List.of(dir.resolve("store").toUri().toString(), JOB), log);
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!(Files.exists(log) && Files.readString(log).contains("HALF WRITTEN"))) {
        assertThat(child.isAlive()).as("child still running; its log: %s",
            Files.exists(log) ? Files.readString(log) : "").isTrue();
        assertThat(System.nanoTime()).as("HALF WRITTEN within 120 s").isLessThan(end);
        Thread.sleep(100);
      }

      child.destroyForcibly(); // SIGKILL in the middle of checkpoint 2
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
      assertThat(store().latest(JOB)).isEqualTo(OptionalLong.of(1));
      assertThat(FederationRunner.readState(store(), JOB, 1)).isEqualTo(CheckpointKillChild.state(1));
      // what the kill left: checkpoint 1 and checkpoint 2's temporary directory, never a directory named 2
      assertThat(checkpointDirEntries()).hasSize(2).contains("1").noneMatch("2"::equals)
          .anyMatch(name -> name.startsWith("_tmp-"));
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  void closeWaitsForTheWriteInFlight() throws Exception {
    RoundState s1 = RoundState.initial(new float[] {3f});
    writer.submit(JOB, 1, Map.of(FederationRunner.STATE_BIN, halfThen(s1, false)), 3);
    new Thread(() -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      release.countDown();
    }).start();

    writer.close();

    assertThat(store().latest(JOB)).isEqualTo(OptionalLong.of(1));
    assertThat(FederationRunner.readState(store(), JOB, 1)).isEqualTo(s1);
  }
}
