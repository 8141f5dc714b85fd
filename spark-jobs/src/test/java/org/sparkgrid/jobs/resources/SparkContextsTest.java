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
  void aLocalContextRunsWithTheShippedFilesSecuritySettings() throws Exception {
    SparkConf conf = new SparkConf(false).setMaster("local[2]").setAppName("SparkContextsTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("..", "conf", "spark-defaults.conf"))) {
      String[] kv = line.strip().split("\\s+", 2);
      if (kv[0].startsWith("spark.") && kv.length == 2) {
        conf.set(kv[0], kv[1]);
      }
    }
    assertThat(conf.get("spark.authenticate")).isEqualTo("true");
    assertThat(conf.get("spark.network.crypto.enabled")).isEqualTo("true");
    assertThat(conf.get("spark.io.encryption.enabled")).isEqualTo("true");

    try (JavaSparkContext sc = SparkContexts.start(conf)) {
      // a broadcast and a shuffle, both through Spark's encrypted block store; local mode draws its own secret
      var factor = sc.broadcast(3);
      java.util.Map<Integer, Integer> sums = sc.parallelize(java.util.List.of(1, 2, 3, 4, 5, 6), 3)
          .mapToPair(i -> new scala.Tuple2<>(i % 2, i * factor.value()))
          .reduceByKey(Integer::sum, 2)
          .collectAsMap();

      assertThat(sums).containsEntry(0, 36).containsEntry(1, 27).hasSize(2);
      assertThat(sc.getConf().contains("spark.authenticate.secret")).as("local mode keeps it out of the conf").isFalse();
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
