package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.capacity.Executor;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.resources.ExecutorTracker;
import org.sparkgrid.jobs.resources.LocalClusters;
import org.sparkgrid.jobs.resources.SparkContexts;

/**
 * Spark's RPC authentication, RPC encryption and local-disk encryption on together, on a real
 * standalone cluster: {@code local-cluster[2,1,1024]} starts a master and two workers in this JVM and
 * each executor in its own JVM, so the driver's RPC, the broadcast that carries the exchange's secret
 * and the averaging exchange all cross process boundaries. {@link SparkContexts#start} draws the
 * cluster's secret (a local-cluster has none of its own).
 *
 * <p>A training job runs and equals the single-machine oracle, with the exchange encrypted because
 * {@code spark.network.crypto.enabled} is on. An executor JVM started by hand against the driver,
 * without the secret or with a wrong one, cannot fetch the application's configuration, let alone
 * register, while the same command with the secret does. (Executors of a standalone cluster get the secret from their worker, in the
 * {@code _SPARK_AUTH_SECRET} environment variable; see ClusterCapacitySparkTest for spark.test.home.)
 */
class SecureClusterSparkTest {
  private static JavaSparkContext sc;
  @TempDir static Path dir;

  @BeforeAll
  static void startCluster() throws Exception {
    LocalClusters.standInSparkHome(dir);

    sc = SparkContexts.start(SparkContexts.trackExecutors(new SparkConf(false)
        .setMaster("local-cluster[2,1,1024]").setAppName("SecureClusterSparkTest")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.authenticate", "true")
        .set("spark.network.crypto.enabled", "true")
        .set("spark.io.encryption.enabled", "true")
        .set("spark.executorEnv.SPARK_SCALA_VERSION", "2.12")
        .set("spark.executorEnv.OMP_NUM_THREADS", "1")
        .set("spark.executor.extraJavaOptions", String.join(" ", jvmFlags()))));
    sc.setLogLevel("WARN");
    for (int i = 0; i < 1200 && ExecutorTracker.of(sc).executors().size() < 2; i++) {
      Thread.sleep(100);
    }
    assertThat(ExecutorTracker.of(sc).executors()).as("both executors registered within 2 minutes").hasSize(2);
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
  void aTrainingJobRunsWithAuthenticationAndBothEncryptionsOnAndMatchesTheOracle() {
    assertThat(sc.getConf().get("spark.authenticate.secret")).as("drawn by SparkContexts").hasSize(64);
    List<ExampleShard> shards = List.of(AveragingEngineSparkTest.shard(48, 1), AveragingEngineSparkTest.shard(40, 2));

    float[][] both = AveragingEngineSparkTest.trainBothWays(sc, shards, 8, 1);

    assertThat(AveragingEngineSparkTest.maxAbsDiff(both[0], both[1])).isLessThan(1e-5f);
    assertThat(AveragingEngineSparkTest.maxAbsDiff(both[0], both[2])).as("training moved the parameters")
        .isGreaterThan(1e-3f);
    assertThat(ExecutorTracker.of(sc).executors()).extracting(Executor::id).containsExactlyInAnyOrder("0", "1");
  }

  @Test
  void theExchangeOfAJobOnThisClusterIsEncrypted() {
    String json = AveragingEngineSparkTest.network(
        new org.sparkgrid.core.request.TrainingSpec(1, 8, 7, new org.sparkgrid.core.request.UpdaterSpec("sgd", 0.1, 0.0), 0.0))
        .toJson();
    var rdd = sc.parallelize(List.of(AveragingEngineSparkTest.shard(8, 1)), 1);

    try (AveragingEngine engine = new AveragingEngine(sc, rdd, new int[] {8},
        AveragingEngine.Settings.of(json, null, 3, 8, 1, false, 7, 1))) {
      assertThat(engine.endpoint().encrypted()).isTrue();
    }
  }

  @Test
  void anExecutorWithoutTheSecretCannotReachTheDriver() throws Exception {
    Rogue r = rogue("90", List.of("-Dspark.authenticate=false"), null).finish();

    assertThat(r.exit()).as(r.output()).isNotZero();
    // the driver expected an authentication handshake and got a plain RPC
    assertThat(r.output()).as(r.output()).contains(REFUSED)
        .contains("Expected SaslMessage, received something else");
    assertThat(ExecutorTracker.of(sc).executors()).extracting(Executor::id).containsExactlyInAnyOrder("0", "1");
  }

  @Test
  void anExecutorWithAWrongSecretCannotReachTheDriver() throws Exception {
    Rogue r = rogue("91", List.of("-Dspark.authenticate=true", "-Dspark.network.crypto.enabled=true"),
        "not-the-clusters-secret").finish();

    assertThat(r.exit()).as(r.output()).isNotZero();
    // the driver refused its AES-based authentication, then the SASL fallback too
    assertThat(r.output()).as(r.output()).contains(REFUSED)
        .contains("AuthClientBootstrap.doSaslAuth");
    assertThat(ExecutorTracker.of(sc).executors()).extracting(Executor::id).containsExactlyInAnyOrder("0", "1");
  }

  @Test
  void theSameExecutorStartedWithTheSecretDoesRegister() throws Exception {
    // the control of the two tests above: their command line works, only the secret differs
    Started p = rogue("92", List.of("-Dspark.authenticate=true", "-Dspark.network.crypto.enabled=true"),
        sc.getConf().get("spark.authenticate.secret"));
    try {
      for (int i = 0; i < 1200 && ExecutorTracker.of(sc).executors().size() < 3; i++) {
        Thread.sleep(100);
      }
      assertThat(ExecutorTracker.of(sc).executors()).extracting(Executor::id).contains("92");
    } finally {
      p.process().destroy();
      p.finish();
      for (int i = 0; i < 600 && ExecutorTracker.of(sc).executors().size() > 2; i++) {
        Thread.sleep(100);
      }
    }
  }

  /** How the executor's first call to the driver (fetching the application's configuration) fails. */
  private static final String REFUSED = "Exception in thread \"main\"";

  /** What a hand-started executor JVM printed, and how it ended. */
  private record Rogue(int exit, String output) {}

  /** A hand-started executor JVM, its output collected on a thread. */
  private record Started(Process process, java.util.concurrent.Future<byte[]> output) {
    Rogue finish() throws Exception {
      if (!process.waitFor(3, TimeUnit.MINUTES)) {
        process.destroyForcibly();
      }
      return new Rogue(process.exitValue(), new String(output.get(), StandardCharsets.UTF_8));
    }
  }

  /** Starts Spark's executor main against this driver, as a worker would but with the given secret. */
  private static Started rogue(String id, List<String> props, String secret) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmFlags());
    cmd.addAll(props);
    cmd.addAll(List.of("-Dspark.network.timeout=20s", "-Dspark.rpc.askTimeout=20s",
        "-cp", System.getProperty("java.class.path"),
        "org.apache.spark.executor.CoarseGrainedExecutorBackend",
        "--driver-url", "spark://CoarseGrainedScheduler@127.0.0.1:" + sc.getConf().get("spark.driver.port"),
        "--executor-id", id, "--hostname", "127.0.0.1", "--cores", "1", "--app-id", sc.sc().applicationId(),
        "--resourceProfileId", "0"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("_SPARK_AUTH_SECRET");
    if (secret != null) {
      pb.environment().put("_SPARK_AUTH_SECRET", secret);
    }
    Process p = pb.start();
    java.util.concurrent.CompletableFuture<byte[]> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return p.getInputStream().readAllBytes();
      } catch (java.io.IOException e) {
        return new byte[0];
      }
    });
    return new Started(p, out);
  }

  private static List<String> jvmFlags() throws Exception {
    return LocalClusters.jvmFlags();
  }
}
