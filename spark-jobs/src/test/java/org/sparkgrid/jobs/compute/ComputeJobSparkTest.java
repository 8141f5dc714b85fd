package org.sparkgrid.jobs.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.dataset.api.preprocessor.Normalizer;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.core.store.StoreJson;
import org.sparkgrid.jobs.engine.TrainingEngine;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;

/**
 * Compute mode end to end on real Spark ({@code local[2]}) and a subset of the real
 * Fashion-MNIST: train, evaluate, register; start from a registered model; resume a killed run.
 */
class ComputeJobSparkTest {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  private static JavaSparkContext sc;
  @TempDir static Path store;

  @BeforeAll
  static void startSpark() {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")),
        "Fashion-MNIST missing: apt-get install dataset-fashion-mnist (bin/sparkgrid test does)");
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("ComputeJobSparkTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.rpc.message.maxSize", "256"));
    sc.setLogLevel("WARN");
  }

  @AfterAll
  static void stopSpark() {
    if (sc != null) {
      sc.stop();
    }
  }

  private static TrainingRequest request(String name, String extraModel, String engine, int epochs, int limit) {
    return request(name, extraModel, engine, epochs, limit, FMNIST + "/train");
  }

  private static TrainingRequest request(String name, String extraModel, String engine, int epochs, int limit,
      String train) {
    String json = """
        {"schema": 1, "id": "%s",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [64]}%s},
         "data": {"format": "idx", "train": "file:%s", "test": "file:%s/t10k", "limit": %d},
         "training": {"epochs": %d, "batchSize": 32, "seed": 5, "updater": {"type": "adam", "learningRate": 0.002}},
         "engine": {"type": "%s", "workers": 2, "averagingFrequency": 5}}
        """.formatted(name, name, extraModel, train, FMNIST, limit, epochs, engine);
    return RequestCodec.parse(json);
  }

  private static ComputeJob job(ProgressListener progress) {
    SparkGridConfig config = SparkGridConfig.from(Map.of(
        "spark.sparkgrid.store.root", store.toUri().toString(),
        "spark.sparkgrid.engine.jobsPerEpoch", "3",
        "spark.sparkgrid.checkpoint.keep", "2"));
    return new ComputeJob(sc, config, models(), new HadoopCheckpointStore(store.toUri().toString(),
        sc.hadoopConfiguration()), progress);
  }

  private static ModelStore models() {
    return new HadoopModelStore(store.toUri().toString(), sc.hadoopConfiguration());
  }

  @Test
  void trainsEvaluatesAndRegistersALoadableModel() throws Exception {
    ComputeJob.Result r = job(ProgressListener.NONE).run(request("it-mlp", "", "sparkgrid", 2, 3000), "it-mlp-job");

    assertThat(r.evaluation().accuracy()).as("10 classes: chance is 0.1").isGreaterThan(0.7);
    assertThat(r.epochs()).hasSize(2);
    assertThat(r.epochs().get(1).examples()).isEqualTo(3000);
    assertThat(r.version().name()).isEqualTo("it-mlp");
    Map<String, Object> metrics;
    try (InputStream in = models().open(r.version(), "metrics.json")) {
      metrics = StoreJson.read(in, "metrics.json");
    }
    assertThat(((Number) metrics.get("accuracy")).doubleValue()).isEqualTo(r.evaluation().accuracy());
    try (InputStream in = models().open(r.version(), "model.zip")) {
      Pair<MultiLayerNetwork, Normalizer> p = ModelSerializer.restoreMultiLayerNetworkAndNormalizer(in, false);
      assertThat(p.getSecond()).isInstanceOf(ImagePreProcessingScaler.class);
      assertThat(p.getFirst().numParams()).isEqualTo(784 * 64 + 64 + 64 * 10 + 10);
    }
  }

  @Test
  void startsFromTheBestRegisteredModel() throws Exception {
    ComputeJob.Result first = job(ProgressListener.NONE).run(request("it-mlp", "", "sparkgrid", 1, 2000), "init-src");
    TrainingRequest next = request("it-mlp", ", \"initFrom\": \"it-mlp@" + first.version().version() + "\"",
        "sparkgrid", 1, 500);

    ComputeJob.Result r = job(ProgressListener.NONE).run(next, "init-next");

    Map<String, Object> lineage;
    try (InputStream in = models().open(r.version(), "lineage.json")) {
      lineage = StoreJson.read(in, "lineage.json");
    }
    assertThat(lineage.get("initFrom")).isEqualTo("it-mlp@" + first.version().version());
    // 500 more examples from a trained start beat what 500 examples from scratch could reach
    assertThat(r.evaluation().accuracy()).isGreaterThan(first.evaluation().accuracy() - 0.05);
  }

  @Test
  void aKilledRunResumesToTheSameModelAsAnUninterruptedOne() throws Exception {
    TrainingRequest req = request("it-resume", "", "sparkgrid", 2, 1200);
    ComputeJob.Result whole = job(ProgressListener.NONE).run(req, "resume-whole");
    ProgressListener killer = new ProgressListener() {
      int segments;

      @Override
      public void segment(TrainingEngine.SegmentReport r) {
        if (++segments == 5) { // epoch 2, second job: its checkpoint is never written
          throw new IllegalStateException("killed");
        }
      }
    };
    assertThatThrownBy(() -> job(killer).run(req, "resume-killed")).hasMessage("killed");

    ComputeJob.Result resumed = job(ProgressListener.NONE).resume("resume-killed");

    assertThat(resumed.epochs()).hasSize(2);
    float[] a = read(whole.version());
    float[] b = read(resumed.version());
    assertThat(b).containsExactly(a);
  }

  @Test
  void dl4jSparkEngineRunsTheSameRequest() throws Exception {
    ComputeJob.Result r = job(ProgressListener.NONE).run(request("it-dl4j", "", "dl4j", 1, 2000), "it-dl4j");

    assertThat(r.evaluation().accuracy()).isGreaterThan(0.6);
  }

  @Test
  void missingDataPathIsRefusedNamingTheField() {
    TrainingRequest req = request("it-missing", "", "sparkgrid", 1, 100, "/nonexistent/train");

    assertThatThrownBy(() -> job(ProgressListener.NONE).run(req, "it-missing"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("data.train")
        .hasMessageContaining("/nonexistent/train");
  }

  @Test
  void aJobIdThatRanBeforeIsRefusedPointingToResume() throws Exception {
    TrainingRequest req = request("it-again", "", "sparkgrid", 1, 200);
    job(ProgressListener.NONE).run(req, "it-again");

    assertThatThrownBy(() -> job(ProgressListener.NONE).run(req, "it-again"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("job 'it-again' has run before and has checkpoints in the store: continue it with --resume"
            + " it-again, or start afresh under another id (--job-id)");
  }

  @Test
  void unknownInitFromModelIsRefused() {
    TrainingRequest req = request("it-unknown", ", \"initFrom\": \"no-such-model@best\"", "sparkgrid", 1, 100);

    assertThatThrownBy(() -> job(ProgressListener.NONE).run(req, "init-unknown"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("no-such-model");
  }

  private static float[] read(ModelVersion v) throws Exception {
    try (InputStream in = models().open(v, "model.zip")) {
      return NetworkFactory.params(ModelSerializer.restoreMultiLayerNetwork(in, false));
    }
  }
}
