package org.sparkgrid.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules between Spark's GPU and memory settings, one rule per test, values checked by hand. */
class SparkResourceRulesTest {

  private static final Map<String, String> FOUR_TASKS_PER_GPU = Map.of(
      "spark.executor.cores", "4", "spark.task.cpus", "1",
      "spark.executor.resource.gpu.amount", "1", "spark.task.resource.gpu.amount", "0.25");

  @Test
  void aConfigurationWithoutGpusOrJavaCppLimitsHasNoProblem() {
    assertThat(SparkResourceRules.problems(Map.of("spark.executor.memory", "4g"))).isEmpty();
    assertThat(SparkResourceRules.requestsGpus(Map.of())).isFalse();
  }

  @Test
  void fourTasksByGpuAndFourByCpuAgree() {
    assertThat(SparkResourceRules.problems(FOUR_TASKS_PER_GPU)).isEmpty();
    assertThat(SparkResourceRules.requestsGpus(FOUR_TASKS_PER_GPU)).isTrue();
  }

  @Test
  void wholeGpusPerTaskCountTasksByDivision() {
    // 2 GPUs, 1 per task: 2 tasks; 4 cores, 2 per task: 2 tasks
    assertThat(SparkResourceRules.problems(Map.of("spark.executor.cores", "4", "spark.task.cpus", "2",
        "spark.executor.resource.gpu.amount", "2", "spark.task.resource.gpu.amount", "1"))).isEmpty();
  }

  @Test
  void moreCoresThanGpuSharesAreRefused() {
    assertThat(SparkResourceRules.problems(Map.of("spark.executor.cores", "8",
        "spark.executor.resource.gpu.amount", "1", "spark.task.resource.gpu.amount", "0.25")))
        .containsExactly("tasks per executor disagree: spark.executor.resource.gpu.amount"
            + " / spark.task.resource.gpu.amount = 1 / 0.25 allows 4 by GPU, but spark.executor.cores"
            + " / spark.task.cpus = 8 / 1 allows 8 by CPU; make them equal, or the cores beyond the smaller count"
            + " stay idle.");
  }

  @Test
  void aGpuAmountWithoutItsPairIsRefused() {
    assertThat(SparkResourceRules.problems(Map.of("spark.executor.resource.gpu.amount", "1")))
        .containsExactly("spark.task.resource.gpu.amount must be set when spark.executor.resource.gpu.amount is (1):"
            + " Spark needs both to schedule GPUs.");
  }

  @Test
  void aFractionAboveOneHalfIsRefused() {
    assertThat(SparkResourceRules.problems(Map.of("spark.executor.cores", "1",
        "spark.executor.resource.gpu.amount", "1", "spark.task.resource.gpu.amount", "0.7")))
        .containsExactly("spark.task.resource.gpu.amount must be at most 0.5 or a whole number (Spark's rule for"
            + " sharing a GPU). Current value is 0.7.");
  }

  @Test
  void gpusWithoutExecutorCoresAreRefused() {
    assertThat(SparkResourceRules.problems(Map.of(
        "spark.executor.resource.gpu.amount", "1", "spark.task.resource.gpu.amount", "1")))
        .containsExactly("spark.executor.cores must be set when GPUs are requested, so that tasks per GPU can be"
            + " matched to task slots (spark.executor.resource.gpu.amount is 1).");
  }

  @Test
  void rapidsNeedsExactlyOneGpuPerExecutor() {
    assertThat(SparkResourceRules.problems(Map.of("spark.plugins", "com.nvidia.spark.SQLPlugin")))
        .containsExactly("spark.plugins loads the RAPIDS Accelerator (com.nvidia.spark.SQLPlugin), which uses one GPU"
            + " per executor, so spark.executor.resource.gpu.amount must be 1. Current value is unset.");
  }

  @Test
  void anUnparsableAmountIsReportedAndCountsAsAskingForGpus() {
    Map<String, String> conf = Map.of("spark.task.resource.gpu.amount", "one");

    assertThat(SparkResourceRules.requestsGpus(conf)).isTrue();
    assertThat(SparkResourceRules.problems(conf))
        .containsExactly("spark.task.resource.gpu.amount must be a number. Current value is \"one\".");
  }

  @Test
  void theOverheadMustHoldJavaCppsMaxBytesAndTheJvmsShare() {
    // heap 10g: JVM share 1g (10%); maxbytes 2g: 3g needed, 2g given
    Map<String, String> conf = Map.of("spark.executor.memory", "10g", "spark.executor.memoryOverhead", "2048",
        "spark.executor.extraJavaOptions", "-Xss4m -Dorg.bytedeco.javacpp.maxbytes=2G");

    assertThat(SparkResourceRules.problems(conf)).containsExactly("spark.executor.memoryOverhead is 2048 but an"
        + " executor may use off-heap 2g for ND4J (org.bytedeco.javacpp.maxbytes=2G) + 1g for the JVM itself (10% of"
        + " spark.executor.memory, at least 384m): raise it to at least 3g, or lower org.bytedeco.javacpp.maxbytes.");
  }

  @Test
  void anUnsetOverheadIsSparksDefault() {
    // heap 1g (default): Spark's overhead 384m, all of it the JVM's; maxbytes 512m does not fit
    Map<String, String> conf = Map.of("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxbytes=512m");

    assertThat(SparkResourceRules.problems(conf)).singleElement().asString()
        .startsWith("spark.executor.memoryOverhead is unset (Spark's default 384m) but an executor may use off-heap"
            + " 512m for ND4J");
  }

  @Test
  void maxPhysicalBytesLiesBetweenHeapPlusMaxBytesAndTheContainer() {
    // heap 4g, maxbytes 2g, overhead 3g: maxphysicalbytes must be in [6g, 7g]
    String base = "-Dorg.bytedeco.javacpp.maxbytes=2g -Dorg.bytedeco.javacpp.maxphysicalbytes=";
    Map<String, String> ok = Map.of("spark.executor.memory", "4g", "spark.executor.memoryOverhead", "3g",
        "spark.executor.extraJavaOptions", base + "6656m");
    Map<String, String> low = Map.of("spark.executor.memory", "4g", "spark.executor.memoryOverhead", "3g",
        "spark.executor.extraJavaOptions", base + "5g");
    Map<String, String> unlimited = Map.of("spark.executor.memory", "4g", "spark.executor.memoryOverhead", "3g",
        "spark.executor.extraJavaOptions", base + "0");

    assertThat(SparkResourceRules.problems(ok)).isEmpty();
    assertThat(SparkResourceRules.problems(unlimited)).isEmpty();
    assertThat(SparkResourceRules.problems(low)).containsExactly("org.bytedeco.javacpp.maxphysicalbytes=5g is below"
        + " spark.executor.memory + org.bytedeco.javacpp.maxbytes = 6g: JavaCPP would refuse ND4J allocations before"
        + " org.bytedeco.javacpp.maxbytes is reached.");
  }

  @Test
  void checkThrowsWithEveryProblem() {
    assertThatThrownBy(() -> SparkResourceRules.check(Map.of("spark.plugins", "com.nvidia.spark.SQLPlugin",
        "spark.task.resource.gpu.amount", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be 1. Current value is unset.; spark.executor.resource.gpu.amount must be set");
  }

  @Test
  void readsSizesAsSparkAndJavaCppDo() {
    assertThat(SparkResourceRules.sparkBytes("k", "512")).isEqualTo(512L << 20);
    assertThat(SparkResourceRules.sparkBytes("k", "2GB")).isEqualTo(2L << 30);
    assertThat(SparkResourceRules.javacppBytes("p", "4096")).isEqualTo(4096L);
    assertThat(SparkResourceRules.javacppBytes("p", "6G")).isEqualTo(6L << 30);
    assertThatThrownBy(() -> SparkResourceRules.sparkBytes("spark.executor.memory", "lots"))
        .hasMessage("spark.executor.memory must be a size such as 512m or 8g. Current value is \"lots\".");
  }

  @Test
  void findsTheLastSystemPropertyInJavaOptions() {
    assertThat(SparkResourceRules.systemProperty("-Da=1 -Xmx1g -Da=2", "a")).isEqualTo("2");
    assertThat(SparkResourceRules.systemProperty("-Dab=1", "a")).isNull();
  }
}
