package org.sparkgrid.jobs.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.capacity.Executor;

/** The context SparkGrid's entry points start: executors tracked, GPU configurations checked first. */
class SparkContextsTest {

  @Test
  void theExecutorTrackerIsAddedOnceBesideOtherListeners() {
    SparkConf c = new SparkConf(false).set("spark.extraListeners", "com.example.Audit");

    SparkContexts.trackExecutors(SparkContexts.trackExecutors(c));

    assertThat(c.get("spark.extraListeners")).isEqualTo("com.example.Audit," + ExecutorTracker.class.getName());
  }

  @Test
  void aStartedContextTracksItsExecutors() throws Exception {
    SparkConf conf = SparkContexts.trackExecutors(new SparkConf(false).setMaster("local[1]").setAppName("SparkContextsTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.executor.memory", "768m"));

    try (JavaSparkContext sc = SparkContexts.start(conf)) {
      // local mode's one executor is the driver: 1 task thread for local[1], no GPU; Spark's listener bus
      // delivers its registration asynchronously
      ExecutorTracker tracker = ExecutorTracker.of(sc);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (tracker.executors().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }

      assertThat(tracker.executors())
          .extracting(Executor::id, Executor::cores, Executor::memoryMb, Executor::gpus)
          .containsExactly(tuple("driver", 1, 768L, 0));
    }
  }

  @Test
  void aGpuConfigurationWithALocalMasterIsRefusedBeforeSparkStarts() {
    SparkConf conf = new SparkConf(false).setMaster("local[2]").setAppName("SparkContextsTest")
        .set("spark.executor.cores", "1")
        .set("spark.executor.resource.gpu.amount", "1").set("spark.task.resource.gpu.amount", "1");

    assertThatThrownBy(() -> SparkContexts.start(conf))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Spark's local mode (master local[2]) cannot schedule GPUs");
  }

  @Test
  void aContextStartedWithoutTheTrackerSaysHowToGetOne() {
    try (JavaSparkContext sc = new JavaSparkContext(new SparkConf(false).setMaster("local[1]")
        .setAppName("SparkContextsTest").set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"))) {
      assertThatThrownBy(() -> ExecutorTracker.of(sc))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("this Spark context does not track its executors: start it with SparkContexts.conf(...) or add"
              + " org.sparkgrid.jobs.resources.ExecutorTracker to spark.extraListeners");
    }
  }
}
