package org.sparkgrid.core.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.capacity.CapacityMatch.Match;
import org.sparkgrid.core.capacity.CapacityMatch.Need;

/** Matching workers to executors by capacity; tiny clusters, counts checked by hand. */
class CapacityMatchTest {

  private static final Executor GPU_BOX = new Executor("1", "gpu-a", 4, 8192, 1);
  private static final Executor CPU_BOX = new Executor("2", "cpu-b", 8, 16384, 0);

  @Test
  void countsWorkersPerExecutorByTheScarcestResource() {
    assertThat(CapacityMatch.slots(CPU_BOX, new Need(1, 2, null, 0))).isEqualTo(4);     // 8 cores / 2
    assertThat(CapacityMatch.slots(GPU_BOX, new Need(1, 1, null, 1))).isEqualTo(1);     // 1 GPU / 1, not 4 cores
    assertThat(CapacityMatch.slots(CPU_BOX, new Need(1, 1, null, 1))).isZero();         // no GPU
    assertThat(CapacityMatch.slots(GPU_BOX, new Need(1, 1, 8193L, 0))).isZero();        // 1 MiB short
    assertThat(CapacityMatch.slots(GPU_BOX, new Need(1, 1, 8192L, 0))).isEqualTo(4);    // exactly enough
  }

  @Test
  void aJobFitsWhenTheExecutorsTogetherHoldAllItsWorkers() {
    Match m = CapacityMatch.match(List.of(GPU_BOX, CPU_BOX), new Need(6, 2, 4096L, 0));   // 2 + 4 slots

    assertThat(m.fits()).isTrue();
    assertThat(m.slots()).isEqualTo(6);
    assertThat(m.reason()).isEmpty();
  }

  @Test
  void namesCoresWhenNoExecutorHasEnough() {
    Match m = CapacityMatch.match(List.of(GPU_BOX, CPU_BOX), new Need(1, 16, null, 0));

    assertThat(m.fits()).isFalse();
    assertThat(m.reason()).contains("cores: each of the 1 workers needs 16 cores, but the largest executor has"
        + " 8 cores (executor 2 on cpu-b) among 2 executors");
  }

  @Test
  void namesMemoryWhenNoExecutorHasEnough() {
    Match m = CapacityMatch.match(List.of(GPU_BOX, CPU_BOX), new Need(2, 1, 32768L, 0));

    assertThat(m.reason()).contains("memoryMb: each of the 2 workers needs 1 core, 32768 MiB, but the largest"
        + " executor has 16384 MiB (executor 2 on cpu-b) among 2 executors");
  }

  @Test
  void namesGpusWhenNoExecutorHasOne() {
    Match m = CapacityMatch.match(List.of(CPU_BOX), new Need(1, 1, null, 1));

    assertThat(m.reason()).contains("gpus: each of the 1 workers needs 1 core, 1 GPU, but no executor has a GPU"
        + " among 1 executor");
  }

  @Test
  void namesTheSlotsWhenEachResourceExistsButNotEnoughWorkersFitAtOnce() {
    Match m = CapacityMatch.match(List.of(GPU_BOX, CPU_BOX), new Need(2, 4, 8192L, 1));

    assertThat(m.slots()).isEqualTo(1);
    assertThat(m.reason()).contains("slots: engine.workers is 2 and all of them train at once, but the executors"
        + " can run only 1 such worker at once (each of the 2 workers needs 4 cores, 8192 MiB, 1 GPU;"
        + " executor 1 on gpu-a: 1)");
  }

  @Test
  void saysSoWhenNoExecutorHasRegistered() {
    Match m = CapacityMatch.match(List.of(), new Need(2, 1, null, 0));

    assertThat(m.reason()).contains("no executor has registered yet; each of the 2 workers needs 1 core");
  }

  @Test
  void refusesANeedThatMakesNoSense() {
    assertThatThrownBy(() -> new Need(0, 1, null, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("workers and coresPerWorker must be >= 1");
  }
}
