package org.sparkgrid.jobs.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.capacity.Executor;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.request.WorkerResources;
import org.sparkgrid.jobs.compute.ComputeJob;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;
import scala.reflect.ClassTag$;

/**
 * Matching jobs to capacity on a real standalone cluster: {@code local-cluster[1,2,1024]} starts a
 * master and a worker in this JVM and the executor in its own JVM (2 cores, 1024 MiB heap). The
 * worker offers two GPUs that a stand-in discovery script reports (this machine has none), so
 * Spark's GPU scheduling runs for real: the executor registers with GPUs "0" and "1".
 *
 * <p>A job asking for more cores, memory or GPUs than the executor has is held with a message
 * naming the resource (and, here, gives up after {@code spark.sparkgrid.capacity.waitTimeoutMs});
 * a job within capacity trains on a task resource profile, and its two workers get different GPUs.
 *
 * <p>Spark's worker starts executors from a Spark installation: in tests (the {@code spark.testing}
 * property) it takes the installation from {@code spark.test.home} (a directory with a RELEASE file
 * and an empty jars/) and gives executors this JVM's classpath.
 */
class ClusterCapacitySparkTest {
  private static JavaSparkContext sc;
  @TempDir static Path dir;
  private static String train;

  @BeforeAll
  static void startCluster() throws Exception {
    LocalClusters.standInSparkHome(dir);
    Path gpus = dir.resolve("fake-gpus.sh");
    Files.writeString(gpus, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}'\n");
    Files.setPosixFilePermissions(gpus, PosixFilePermissions.fromString("rwxr-xr-x"));

    SparkConf conf = SparkContexts.trackExecutors(new SparkConf(false)
        .setMaster("local-cluster[1,2,1024]").setAppName("ClusterCapacitySparkTest")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.executorEnv.SPARK_SCALA_VERSION", "2.12")
        .set("spark.executorEnv.OMP_NUM_THREADS", "1")
        .set("spark.executor.extraJavaOptions", String.join(" ", jvmFlags()))
        .set("spark.worker.resource.gpu.amount", "2")
        .set("spark.worker.resource.gpu.discoveryScript", gpus.toString())
        .set("spark.executor.cores", "2")
        .set("spark.executor.resource.gpu.amount", "2")
        .set("spark.task.resource.gpu.amount", "1"));
    sc = new JavaSparkContext(conf);
    sc.setLogLevel("WARN");
    awaitExecutor();
    train = writeData(dir.resolve("data"));
  }

  @AfterAll
  static void stopCluster() {
    if (sc != null) {
      sc.stop();
    }
    System.clearProperty("spark.testing");
    System.clearProperty("spark.test.home");
  }

  @Test
  void theExecutorRegistersWithItsCoresMemoryAndGpus() {
    List<Executor> executors = ExecutorTracker.of(sc).executors();

    assertThat(executors).hasSize(1);
    Executor e = executors.get(0);
    assertThat(e.cores()).isEqualTo(2);
    assertThat(e.memoryMb()).isEqualTo(1024);
    assertThat(e.gpus()).isEqualTo(2);
  }

  @Test
  void twoWorkersOnAGpuProfileGetDifferentGpus() {
    RDD<Integer> two = sc.parallelize(List.of(0, 1), 2).rdd();
    RDD<GpuDevice.Selection> selections = two.barrier().mapPartitions(
        new SelectGpu(), false, ClassTag$.MODULE$.apply(GpuDevice.Selection.class));

    List<GpuDevice.Selection> got = WorkerProfiles.apply(sc.sc(), selections, new WorkerResources(1, null, 1))
        .toJavaRDD().collect();

    assertThat(got).extracting(GpuDevice.Selection::address).containsExactlyInAnyOrder("0", "1");
    assertThat(got).extracting(GpuDevice.Selection::note)
        .allMatch(n -> n.endsWith("assigned, but ND4J runs on its CPU backend: the GPU is not used"));
  }

  @Test
  void aJobAskingForMoreCoresThanAnyExecutorHasIsHeldWithTheReason() {
    List<String> told = Collections.synchronizedList(new ArrayList<>());

    assertThatThrownBy(() -> job(told).run(request("held-cores", "{\"cores\": 3}"), "held-cores"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("gave up after 1000 ms (spark.sparkgrid.capacity.waitTimeoutMs) waiting for capacity: cores:"
            + " each of the 2 workers needs 3 cores, but the largest executor has 2 cores (executor 0 on " + host() + ")"
            + " among 1 executor");
    assertThat(told).containsExactly("waiting for capacity: cores: each of the 2 workers needs 3 cores, but the"
        + " largest executor has 2 cores (executor 0 on " + host() + ") among 1 executor");
  }

  @Test
  void aJobAskingForMoreMemoryThanAnyExecutorHasIsHeldWithTheReason() {
    List<String> told = Collections.synchronizedList(new ArrayList<>());

    assertThatThrownBy(() -> job(told).run(request("held-memory", "{\"memoryMb\": 4096}"), "held-memory"))
        .hasMessageEndingWith("waiting for capacity: memoryMb: each of the 2 workers needs 1 core, 4096 MiB, but the"
            + " largest executor has 1024 MiB (executor 0 on " + host() + ") among 1 executor");
    assertThat(told).hasSize(1);
  }

  @Test
  void aJobAskingForMoreGpusThanTheClusterCanGiveAtOnceIsHeldWithTheReason() {
    List<String> told = Collections.synchronizedList(new ArrayList<>());

    assertThatThrownBy(() -> job(told).run(request("held-gpus", "{\"gpus\": 2}"), "held-gpus"))
        .hasMessageEndingWith("waiting for capacity: slots: engine.workers is 2 and all of them train at once, but"
            + " the executors can run only 1 such worker at once (each of the 2 workers needs 1 core, 2 GPUs;"
            + " executor 0 on " + host() + ": 1)");
  }

  @Test
  void aJobWithinCapacityTrainsOnItsProfile() throws Exception {
    List<String> told = Collections.synchronizedList(new ArrayList<>());

    ComputeJob.Result r = job(told).run(request("fits", "{\"cores\": 1, \"memoryMb\": 512, \"gpus\": 1}"), "fits");

    assertThat(told).isEmpty();
    assertThat(r.epochs()).hasSize(1);
    assertThat(r.epochs().get(0).examples()).isEqualTo(40);
    assertThat(r.version().name()).isEqualTo("fits");
  }

  /** The barrier task of {@link #twoWorkersOnAGpuProfileGetDifferentGpus}: what each task selected. */
  private static final class SelectGpu extends scala.runtime.AbstractFunction1<
      scala.collection.Iterator<Integer>, scala.collection.Iterator<GpuDevice.Selection>>
      implements java.io.Serializable {
    @Override
    public scala.collection.Iterator<GpuDevice.Selection> apply(scala.collection.Iterator<Integer> ignored) {
      return scala.collection.JavaConverters.asScalaIterator(List.of(GpuDevice.selectForTask()).iterator());
    }
  }

  /** The executor's host as Spark reports it (127.0.0.1 or localhost, depending on the machine). */
  private static String host() {
    return ExecutorTracker.of(sc).executors().get(0).host();
  }

  private static ComputeJob job(List<String> told) {
    String root = dir.resolve("store").toUri().toString();
    SparkGridConfig config = SparkGridConfig.from(Map.of(
        "spark.sparkgrid.store.root", root,
        "spark.sparkgrid.capacity.waitTimeoutMs", "1000",
        "spark.sparkgrid.engine.jobsPerEpoch", "1"));
    ProgressListener progress = new ProgressListener() {
      @Override
      public void waiting(String reason) {
        told.add(reason);
      }
    };
    return new ComputeJob(sc, config, new HadoopModelStore(root, sc.hadoopConfiguration()),
        new HadoopCheckpointStore(root, sc.hadoopConfiguration()), progress);
  }

  private static TrainingRequest request(String id, String resources) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s", "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [4]}},
         "data": {"format": "idx", "train": "%s"},
         "training": {"epochs": 1, "batchSize": 5, "seed": 3},
         "engine": {"workers": 2, "averagingFrequency": 2, "resources": %s}}
        """.formatted(id, id, train, resources));
  }

  /** 40 images of 2x2 pixels, two classes. */
  private static String writeData(Path data) throws Exception {
    float[] x = new float[40 * 4];
    int[] y = new int[40];
    for (int i = 0; i < 40; i++) {
      y[i] = i % 2;
      for (int f = 0; f < 4; f++) {
        x[i * 4 + f] = y[i] == 0 ? f * 10 : 250 - f * 10;
      }
    }
    String prefix = data.resolve("train").toString();
    IdxWriter.write(new Configuration(), prefix, ExampleShard.of(new int[] {1, 2, 2}, x, y),
        IntStream.range(0, 40).toArray());
    return "file:" + prefix;
  }

  private static void awaitExecutor() throws InterruptedException {
    for (int i = 0; i < 1200 && ExecutorTracker.of(sc).executors().isEmpty(); i++) {
      Thread.sleep(100);
    }
    assertThat(ExecutorTracker.of(sc).executors()).as("the local-cluster executor registered within 2 minutes")
        .isNotEmpty();
  }

  private static List<String> jvmFlags() throws Exception {
    return LocalClusters.jvmFlags();
  }
}
