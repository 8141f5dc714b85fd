package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkgrid.core.request.MlpSpec;
import org.sparkgrid.core.request.ModelSpec;
import org.sparkgrid.core.request.TrainingSpec;
import org.sparkgrid.core.request.UpdaterSpec;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.model.NetworkFactory;

/**
 * SparkGrid's engine on real Spark ({@code local[2]}, barrier mode), its workers averaging among
 * themselves (the default) or through the driver, against a single-machine oracle: with plain SGD and averaging after every minibatch, averaging K workers' parameters
 * weighted by examples equals one network fitting the K minibatches merged into one.
 */
class AveragingEngineSparkTest {
  private static final int FEATURES = 12;
  private static final int CLASSES = 3;
  private static JavaSparkContext sc;

  @BeforeAll
  static void startSpark() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("AveragingEngineSparkTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    sc.setLogLevel("WARN");
  }

  @AfterAll
  static void stopSpark() {
    sc.stop();
  }

  @Test
  void equalShardsMatchTheSingleMachineOracle() {
    List<ExampleShard> shards = List.of(shard(48, 1), shard(48, 2));

    float[][] both = trainBothWays(sc, shards, 8, 2);

    assertThat(maxAbsDiff(both[0], both[1])).isLessThan(1e-5f);
    assertThat(maxAbsDiff(both[0], both[2])).as("training moved the parameters").isGreaterThan(1e-3f);
  }

  @Test
  void unequalShardsAreWeightedByExamples() {
    // worker 1 holds 20 examples: minibatches of 8, 8 and 4, then nothing for the remaining steps
    List<ExampleShard> shards = List.of(shard(56, 3), shard(20, 4));

    float[][] both = trainBothWays(sc, shards, 8, 1);

    assertThat(maxAbsDiff(both[0], both[1])).isLessThan(1e-5f);
  }

  @Test
  void theDriverReducedExchangeMatchesTheOracleToo() {
    List<ExampleShard> shards = List.of(shard(56, 3), shard(20, 4));

    float[][] both = trainBothWays(sc, shards, 8, 1, ExchangeMode.DRIVER);

    assertThat(maxAbsDiff(both[0], both[1])).isLessThan(1e-5f);
  }

  @Test
  void eachEngineHasItsOwnExchangeSecret() {
    List<ExampleShard> shards = List.of(shard(8, 1), shard(8, 2));
    JavaRDD<ExampleShard> rdd = sc.parallelize(shards, 2);
    String json = network(new TrainingSpec(1, 8, 7, new UpdaterSpec("sgd", 0.1, 0.0), 0.0)).toJson();
    AveragingEngine.Settings settings = AveragingEngine.Settings.of(json, null, CLASSES, 8, 1, false, 7, 1);

    try (AveragingEngine a = new AveragingEngine(sc, rdd, new int[] {8, 8}, settings);
        AveragingEngine b = new AveragingEngine(sc, rdd, new int[] {8, 8}, settings)) {
      assertThat(a.endpoint().secret()).hasSize(32).isNotEqualTo(b.endpoint().secret());
      assertThat(a.endpoint().encrypted()).as("spark.network.crypto.enabled is off here").isFalse();
    }
  }

  @Test
  void theExchangeEncryptsWhenSparkDoesExceptOnLoopbackInLocalMode() {
    assertThat(AveragingEngine.encryptsExchange(false, true)).isTrue();
    assertThat(AveragingEngine.encryptsExchange(true, true)).isFalse();
    assertThat(AveragingEngine.encryptsExchange(false, false)).isFalse();
  }

  static org.deeplearning4j.nn.conf.MultiLayerConfiguration network(TrainingSpec training) {
    ModelSpec model = new ModelSpec("t", ModelSpec.Architecture.MLP,
        new MlpSpec(List.of(10), "tanh", 0.0), null, null, null);
    return NetworkFactory.build(model, training, new int[] {FEATURES}, CLASSES);
  }

  /**
   * Trains on {@code sc} with the engine and, in this JVM, the single-machine oracle; returns
   * {engine params, oracle params, initial params}.
   */
  static float[][] trainBothWays(JavaSparkContext sc, List<ExampleShard> shards, int batch, int epochs) {
    return trainBothWays(sc, shards, batch, epochs, ExchangeMode.PEERS);
  }

  /** {@link #trainBothWays(JavaSparkContext, List, int, int)} with the workers averaging in {@code mode}. */
  static float[][] trainBothWays(JavaSparkContext sc, List<ExampleShard> shards, int batch, int epochs,
      ExchangeMode mode) {
    TrainingSpec training = new TrainingSpec(epochs, batch, 7, new UpdaterSpec("sgd", 0.1, 0.0), 0.0);
    String json = network(training).toJson();
    MultiLayerNetwork init = NetworkFactory.init(network(training));
    ModelState start = new ModelState(NetworkFactory.params(init), NetworkFactory.updaterState(init), 0);

    JavaRDD<ExampleShard> rdd = sc.parallelize(shards, shards.size()).cache();
    int[] counts = shards.stream().mapToInt(ExampleShard::count).toArray();
    ModelState s = start;
    List<TrainingEngine.SegmentReport> reports = new ArrayList<>();
    int steps;
    AveragingEngine.Settings d = AveragingEngine.Settings.of(json, null, CLASSES, batch, 1, false, 7, 3);
    AveragingEngine.Settings settings = new AveragingEngine.Settings(d.networkJson(), d.normalizer(), d.numClasses(),
        d.batchSize(), d.averagingFrequency(), d.shuffle(), d.seed(), d.threadsPerTask(), d.jobsPerEpoch(),
        d.syncTimeoutMs(), d.exchangePort(), d.mergeThreads(), mode);
    try (AveragingEngine engine = new AveragingEngine(sc, rdd, counts, settings)) {
      for (int e = 0; e < epochs; e++) {
        s = engine.fitEpoch(e, 0, s, reports::add);
      }
      steps = engine.plan().steps();
    }
    assertThat(reports).hasSize(3 * epochs);
    assertThat(reports.stream().mapToLong(TrainingEngine.SegmentReport::examples).sum())
        .isEqualTo((long) epochs * (counts[0] + counts[1]));

    MultiLayerNetwork oracle = NetworkFactory.fromParams(json, start.params(), start.updaterState());
    for (int e = 0; e < epochs; e++) {
      for (int step = 0; step < steps; step++) {
        List<DataSet> parts = new ArrayList<>();
        for (ExampleShard sh : shards) {
          int from = step * batch;
          if (from < sh.count()) {
            parts.add(Minibatches.batch(sh, null, from, Math.min(from + batch, sh.count()), CLASSES, null));
          }
        }
        oracle.fit(DataSet.merge(parts));
      }
    }
    return new float[][] {s.params(), NetworkFactory.params(oracle), start.params()};
  }

  static ExampleShard shard(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * FEATURES];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(CLASSES);
      for (int f = 0; f < FEATURES; f++) {
        x[i * FEATURES + f] = (float) (r.nextGaussian() + (f % CLASSES == y[i] ? 1.5 : 0));
      }
    }
    return ExampleShard.of(new int[] {FEATURES}, x, y);
  }

  static float maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
