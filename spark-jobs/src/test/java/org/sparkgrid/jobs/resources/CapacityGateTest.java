package org.sparkgrid.jobs.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.capacity.CapacityMatch;
import org.sparkgrid.core.capacity.CapacityMatch.Need;
import org.sparkgrid.core.capacity.Executor;

/** Holding a job until the executors can hold it: the wait loop, without Spark. */
class CapacityGateTest {

  private static final Need TWO_GPU_WORKERS = new Need(2, 1, null, 1);
  private static final Executor ONE_GPU = new Executor("1", "w1", 4, 4096, 1);
  private static final Executor TWO_GPUS = new Executor("1", "w1", 4, 4096, 2);

  @Test
  void aJobThatFitsDoesNotWait() throws Exception {
    List<String> told = new ArrayList<>();

    CapacityGate.await(() -> List.of(TWO_GPUS), TWO_GPU_WORKERS, 0, told::add, () -> false);

    assertThat(told).isEmpty();
  }

  @Test
  void aJobWaitsSayingWhyUntilTheCapacityAppears() throws Exception {
    List<String> told = new ArrayList<>();
    AtomicInteger polls = new AtomicInteger();

    // the third look finds an executor with two GPUs
    CapacityGate.await(() -> polls.incrementAndGet() < 3 ? List.of(ONE_GPU) : List.of(TWO_GPUS),
        TWO_GPU_WORKERS, 0, told::add, () -> false);

    assertThat(polls.get()).isEqualTo(3);
    assertThat(told).containsExactly("waiting for capacity: slots: engine.workers is 2 and all of them train at once,"
        + " but the executors can run only 1 such worker at once (each of the 2 workers needs 1 core, 1 GPU;"
        + " executor 1 on w1: 1)");
  }

  @Test
  void theReasonIsToldAgainOnlyWhenItChanges() throws Exception {
    List<String> told = new ArrayList<>();
    AtomicInteger polls = new AtomicInteger();

    CapacityGate.await(() -> switch (polls.incrementAndGet()) {
      case 1, 2 -> List.of();
      case 3 -> List.of(ONE_GPU);
      default -> List.of(ONE_GPU, new Executor("2", "w2", 4, 4096, 1));
    }, TWO_GPU_WORKERS, 0, told::add, () -> false);

    assertThat(told).hasSize(2);
    assertThat(told.get(0)).startsWith("waiting for capacity: no executor has registered yet");
    assertThat(told.get(1)).startsWith("waiting for capacity: slots:");
  }

  @Test
  void aCancelledJobStopsWaitingWithTheReason() {
    assertThatThrownBy(() -> CapacityGate.await(List::of, TWO_GPU_WORKERS, 0, r -> { }, () -> true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cancelled while waiting for capacity: no executor has registered yet");
  }

  @Test
  void aWaitWithATimeoutGivesUpNamingTheSetting() {
    assertThatThrownBy(() -> CapacityGate.await(() -> List.of(ONE_GPU), TWO_GPU_WORKERS, 600, r -> { }, () -> false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("gave up after 600 ms (spark.sparkgrid.capacity.waitTimeoutMs) waiting for capacity:"
            + " slots:");
  }

  @Test
  void localModeFailsAtOnceWhenTheDriverIsTooSmall() {
    assertThatThrownBy(() -> CapacityGate.checkLocal("local[2]", new Need(1, 4, null, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("engine.resources: Spark master local[2] can never run this job: cores: each of the 1"
            + " workers needs 4 cores, but the largest executor has 2 cores (executor driver on localhost)");
  }

  @Test
  void localModeRefusesGpus() {
    assertThatThrownBy(() -> CapacityGate.checkLocal("local[2]", new Need(1, 1, null, 1)))
        .hasMessage("engine.resources.gpus is 1 but Spark's local mode (master local[2]) cannot schedule GPUs; run on"
            + " a cluster master with GPU workers, or set engine.resources.gpus to 0 to train on CPU");
  }

  @Test
  void localModeTakesAJobThatFitsOnTheDriversThreads() {
    // local[2,3]: 2 task threads (3 is the number of task failures allowed), so two 1-core workers fit exactly
    CapacityMatch.Match m = CapacityGate.checkLocal("local[2,3]", new Need(2, 1, 1L, 0));

    assertThat(m.fits()).isTrue();
    assertThat(m.slots()).isEqualTo(2);
    assertThat(m.reason()).isEmpty();
  }

  @Test
  void readsTheThreadsOfALocalMaster() {
    assertThat(CapacityGate.localThreads("local")).isEqualTo(1);
    assertThat(CapacityGate.localThreads("local[3]")).isEqualTo(3);
    assertThat(CapacityGate.localThreads("local[2,4]")).isEqualTo(2);
    assertThat(CapacityGate.localThreads("local[*]")).isEqualTo(Runtime.getRuntime().availableProcessors());
  }
}
