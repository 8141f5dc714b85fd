package org.sparkgrid.jobs.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.capacity.Executor;

/**
 * The start-up check of a GPU configuration, on this machine (no GPU, and this build's ND4J backend
 * is the CPU one: the refusal of a GPU configuration with a CPU build is checked for real).
 */
class GpuPreflightTest {

  private static Map<String, String> gpuConf(String master) {
    Map<String, String> m = new HashMap<>(Map.of(
        "spark.executor.cores", "4", "spark.task.cpus", "1",
        "spark.executor.resource.gpu.amount", "1", "spark.task.resource.gpu.amount", "0.25"));
    m.put("spark.master", master);
    return m;
  }

  @Test
  void aCpuConfigurationPassesAskingForNoGpus() {
    assertThat(GpuPreflight.checkConf(Map.of("spark.master", "local[2]"))).isFalse();
    assertThat(GpuPreflight.checkConf(Map.of("spark.master", "spark://m:7077", "spark.executor.cores", "4"))).isFalse();
  }

  @Test
  void thisBuildHasTheCpuBackend() {
    assertThat(GpuPreflight.cudaBackendPresent()).isFalse();
  }

  @Test
  void gpusWithTheCpuBuildAreRefusedSayingHowToRunOnCpu() {
    assertThatThrownBy(() -> GpuPreflight.checkConf(gpuConf("spark://master:7077")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spark.executor.resource.gpu.amount=1 asks for GPUs, but this SparkGrid build has ND4J's CPU"
            + " backend (nd4j-native), which cannot train on them. Build the GPU jar with mvn -Dcuda -DskipTests"
            + " package. To train on CPU instead, use conf/spark-defaults.conf (not conf/spark-defaults-gpu.conf) and"
            + " drop any --conf spark.executor.resource.gpu.amount and spark.task.resource.gpu.amount.");
  }

  @Test
  void gpusWithALocalMasterAreRefusedEvenWithTheCudaBuild() {
    assertThatThrownBy(() -> GpuPreflight.checkConf(gpuConf("local[*]"), "local[*]", true))
        .hasMessageStartingWith("spark.executor.resource.gpu.amount=1 asks for GPUs, but Spark's local mode (master"
            + " local[*]) cannot schedule GPUs and would wait forever.")
        .hasMessageEndingWith("To train on CPU instead, use conf/spark-defaults.conf (not conf/spark-defaults-gpu.conf)"
            + " and drop any --conf spark.executor.resource.gpu.amount and spark.task.resource.gpu.amount.");
  }

  @Test
  void aTaskGpuAmountAloneCountsAsAskingForGpus() {
    assertThatThrownBy(() -> GpuPreflight.checkSchedulable(Map.of("spark.master", "local",
        "spark.task.resource.gpu.amount", "1", "spark.executor.resource.gpu.amount", "1", "spark.executor.cores", "1")))
        .hasMessageContaining("Spark's local mode (master local) cannot schedule GPUs");
  }

  @Test
  void aGpuConfigurationPassesOnAClusterMasterWithTheCudaBuild() {
    assertThat(GpuPreflight.checkConf(gpuConf("spark://m:7077"), "spark://m:7077", true)).isTrue();
    // local-cluster starts real executors (separate JVMs) that Spark can give GPUs to: not local mode
    assertThat(GpuPreflight.checkConf(gpuConf("local-cluster[2,4,1024]"), "local-cluster[2,4,1024]", true)).isTrue();
    assertThat(GpuPreflight.isLocal("local-cluster[2,1,1024]")).isFalse();
  }

  @Test
  void inconsistentAmountsAreRefusedBeforeSparkStarts() {
    Map<String, String> conf = gpuConf("spark://m:7077");
    conf.put("spark.executor.cores", "8");

    assertThatThrownBy(() -> GpuPreflight.checkConf(conf, "spark://m:7077", true))
        .hasMessageStartingWith("tasks per executor disagree");
  }

  @Test
  void whenNoExecutorWithAGpuRegistersStartUpStopsSayingSo() {
    List<Executor> cpuOnly = List.of(new Executor("0", "w1", 4, 1024, 0));

    assertThatThrownBy(() -> GpuPreflight.awaitGpuExecutor(gpuConf("spark://m:7077"), () -> cpuOnly, 1_000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("spark.executor.resource.gpu.amount=1 asks for GPUs, but no executor with a GPU"
            + " registered within 1000 ms (spark.sparkgrid.gpu.startupTimeoutMs; 1 executor without one)")
        .hasMessageContaining("run conf/gpu-discovery.sh")
        .hasMessageEndingWith("spark.task.resource.gpu.amount.");
  }

  @Test
  void anExecutorWithAGpuEndsTheWait() throws Exception {
    Executor cpu = new Executor("0", "w1", 4, 1024, 0);
    Executor gpu = new Executor("1", "w2", 4, 1024, 1);
    AtomicInteger looks = new AtomicInteger();

    // the first look finds a CPU executor only, the second one also an executor with a GPU
    List<Executor> found = GpuPreflight.awaitGpuExecutor(gpuConf("spark://m:7077"),
        () -> looks.incrementAndGet() == 1 ? List.of(cpu) : List.of(cpu, gpu), 60_000);

    assertThat(found).containsExactly(gpu);
    assertThat(looks.get()).isEqualTo(2);
  }

  @Test
  void withoutGpusThereIsNothingToWaitFor() throws Exception {
    AtomicInteger looks = new AtomicInteger();

    List<Executor> found = GpuPreflight.awaitGpuExecutor(Map.of("spark.master", "spark://m:7077"), () -> {
      looks.incrementAndGet();
      return List.of();
    }, 60_000);

    assertThat(found).isEmpty();
    assertThat(looks.get()).as("times the executors were looked at").isZero();
  }
}
