package org.sparkgrid.jobs.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** The context SparkGrid's entry points start: executors tracked, GPU configurations checked first. */
class SparkContextsTest {

  @Test
  void theExecutorTrackerIsAddedOnceBesideOtherListeners() {
    SparkConf c = new SparkConf(false).set("spark.extraListeners", "com.example.Audit");

    SparkContexts.trackExecutors(SparkContexts.trackExecutors(c));

    assertThat(c.get("spark.extraListeners")).isEqualTo("com.example.Audit," + ExecutorTracker.class.getName());
  }

  @Test
  void aStartedContextTracksItsExecutors() {
    SparkConf conf = SparkContexts.trackExecutors(new SparkConf(false).setMaster("local[1]").setAppName("SparkContextsTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));

    try (JavaSparkContext sc = SparkContexts.start(conf)) {
      assertThat(ExecutorTracker.of(sc)).isNotNull();
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
