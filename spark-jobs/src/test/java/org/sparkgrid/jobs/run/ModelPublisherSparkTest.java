package org.sparkgrid.jobs.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.core.run.EpochMetrics;
import org.sparkgrid.core.run.EvaluationResult;
import org.sparkgrid.core.run.Lineage;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.core.run.RunMetrics;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.core.store.StoreJson;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.store.HadoopModelStore;

/** ModelPublisher registers a model whose metrics.json and lineage.json read back as the records it was given. */
class ModelPublisherSparkTest {
  private static JavaSparkContext sc;
  @TempDir static Path store;

  @BeforeAll
  static void startSpark() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[1]").setAppName("ModelPublisherSparkTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    sc.setLogLevel("WARN");
  }

  @AfterAll
  static void stopSpark() {
    if (sc != null) {
      sc.stop();
    }
  }

  private static TrainingRequest example(String file) throws Exception {
    return RequestCodec.parse(Files.readAllBytes(Path.of("..", "conf", "requests", file)));
  }

  private static MultiLayerNetwork network(TrainingRequest request) {
    return NetworkFactory.init(NetworkFactory.build(request.model(), request.training(), new int[] {1, 28, 28}, 10));
  }

  private static RunMetrics metricsOf(ModelStore models, ModelVersion v) {
    return RunMetrics.fromMap(StoreJson.read(models.open(v, ModelStore.METRICS_FILE), "metrics.json"));
  }

  private static Lineage lineageOf(ModelStore models, ModelVersion v) {
    return Lineage.fromMap(StoreJson.read(models.open(v, ModelStore.LINEAGE_FILE), "lineage.json"));
  }

  @Test
  void aComputeModelsMetricsAndLineageReadBackAsRecords() throws Exception {
    HadoopModelStore models = new HadoopModelStore(store.toUri().toString(), sc.hadoopConfiguration());
    ModelPublisher publisher = new ModelPublisher(sc, models);
    TrainingRequest request = example("fmnist-mlp.json");
    MultiLayerNetwork net = network(request);
    EvaluationResult eval = EvaluationResult.fromCounts(new int[][] {{3, 1}, {0, 4}}, 2.0);
    RunMetrics metrics = RunMetrics.compute(eval, List.of(new EpochMetrics(1, 0.9, 0.875, 0.25, 60, 2.0, 30)));

    ModelVersion v = publisher.publish(request, net, null, metrics, publisher.computeLineage(request, "job-c", null));

    assertThat(v.name()).isEqualTo(request.model().name());
    assertThat(v.accuracy()).as("@best compares metrics.json's accuracy").isEqualTo(0.875);
    assertThat(metricsOf(models, v)).isEqualTo(metrics);
    Lineage lineage = lineageOf(models, v);
    assertThat(lineage.job()).isEqualTo("job-c");
    assertThat(lineage.mode()).isEqualTo("compute");
    assertThat(lineage.engine()).isEqualTo(request.engine().type());
    assertThat(lineage.spark()).isEqualTo(new Lineage.SparkRun("local[1]", sc.sc().applicationId(), sc.version()));
    assertThat(lineage.request()).containsEntry("id", request.id());
    assertThat(lineage.publishedAt()).as("written by the store").isNotBlank();
    assertThat(lineage.sites()).isNull();
    try (InputStream in = models.open(v, ModelPublisher.MODEL_ZIP)) {
      assertThat(ModelSerializer.restoreMultiLayerNetwork(in, false).params()).isEqualTo(net.params());
    }
  }

  @Test
  void aFederationsLineageNamesItsSitesRoundsStrategyAndContributions() throws Exception {
    HadoopModelStore models = new HadoopModelStore(store.toUri().toString(), sc.hadoopConfiguration());
    ModelPublisher publisher = new ModelPublisher(sc, models);
    TrainingRequest request = example("fmnist-tree.json");
    List<Contribution> contributions = List.of(new Contribution(0, "site-1", 40, 0.4, 0.01, Double.NaN),
        new Contribution(0, "site-2", 60, 0.6, 0.02, Double.NaN));
    RunMetrics metrics = RunMetrics.tree(null, List.of(new RoundMetrics(0, Double.NaN, Double.NaN,
        List.of("site-1", "site-2"), List.of("site-1", "site-2"), java.util.Map.of(), 1.0, 0.8)));

    ModelVersion v = publisher.publish(request, network(request), null, metrics, publisher.treeLineage(request,
        "job-t", "fmnist-tree@1", List.of(new Lineage.Site("site-1", "0x01"), new Lineage.Site("site-2", "0x02")), 1,
        contributions));

    assertThat(metricsOf(models, v)).isEqualTo(metrics);
    Lineage lineage = lineageOf(models, v);
    assertThat(lineage.mode()).isEqualTo("tree");
    assertThat(lineage.strategy()).isEqualTo("fedavgm");
    assertThat(lineage.rounds()).isEqualTo(1);
    assertThat(lineage.initFrom()).isEqualTo("fmnist-tree@1");
    assertThat(lineage.sites()).extracting(Lineage.Site::id).containsExactly("site-1", "site-2");
    assertThat(lineage.contributions()).extracting(Contribution::siteId, Contribution::numExamples)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("site-1", 40L), org.assertj.core.groups.Tuple.tuple("site-2", 60L));
    assertThat(lineage.engine()).isNull();
  }
}
