package org.sparkgrid.jobs.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.split.DatasetSplits;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;
import org.sparkgrid.settlement.chain.LocalChain;

/**
 * The coordinator's Spark stage (leave-one-out scoring where the updates are cached, test
 * evaluation beside it) against the driver's computation on the same rounds, on real Spark
 * ({@code local[2]}): four sites with unequal Fashion-MNIST parts, trimmed mean as the round's
 * strategy (so the scores' FedAvg merges are not the round's merge), two rounds.
 *
 * <p>The sites train the same in both runs (same seeds, same global model), so the global models are
 * equal bit for bit and each leave-one-out merge differs only by float rounding: the driver sums
 * the other updates in float, the stage takes {@code S - n_i d_i} from a double sum. Each merged
 * parameter is then within a few float ulps (about 1e-7 relative), and the loss, an average of
 * smooth per-example losses over 1,000 examples, moves by about the gradient times that: well below
 * 1e-5. The scores themselves are differences of losses near 2.0 in round 1 and near 1.0 later, of
 * size 1e-3 to 1e-1, so 1e-5 is the tolerance: a score off by one site's update would miss it by orders of magnitude.
 */
class CoordinatorStageSparkTest {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  private static final double SCORE_TOLERANCE = 1e-5;
  private static JavaSparkContext sc;
  @TempDir static Path dir;
  private static Path federation;

  @BeforeAll
  static void setUp() throws IOException {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("CoordinatorStageSparkTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    sc.setLogLevel("ERROR");
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, FMNIST + "/train", 2400);
    int[][] split = DatasetSplits.dirichlet(all.labels(), 4, 1.0, 5);
    List<FederationFile.Site> sites = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      String id = "site-0" + (s + 1);
      Path p = dir.resolve(id);
      Files.createDirectories(p);
      IdxWriter.write(conf, p.resolve("train").toString(), all, split[s]);
      sites.add(new FederationFile.Site(id, "file:" + p.resolve("train"),
          LocalChain.derive(LocalChain.DEV_MNEMONIC, s + 1).address(), 1.0, List.of(),
          new FederationFile.SiteKey.Dev(s + 1)));
    }
    federation = dir.resolve("federation.json");
    Files.write(federation, new FederationFile(sites, new HashSet<>()).toJson());
  }

  @AfterAll
  static void tearDown() {
    if (sc != null) {
      sc.stop();
    }
  }

  private static TrainingRequest request(String id, String scoring) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%1$s", "mode": "tree",
         "model": {"name": "%1$s", "architecture": "mlp", "mlp": {"hidden": [32]}},
         "data": {"format": "idx", "train": "file:%2$s/t10k", "test": "file:%2$s/t10k", "limit": 1000},
         "training": {"epochs": 1, "batchSize": 32, "seed": 3, "updater": {"type": "adam", "learningRate": 0.003}},
         "federation": {"sites": "file:%3$s", "rounds": 2, "localEpochs": 1, "minSites": 4,
                        "strategy": {"type": "trimmed-mean", "trim": 0.25}},
         "reward": {"poolPerRound": "100", "scoring": "%4$s"}}
        """.formatted(id, FMNIST, federation, scoring));
  }

  private static FederationRunner.Result run(String id, String scoring, String aggregation,
      FederationRunner.Coordinator where) throws IOException {
    String store = dir.resolve("store").toUri().toString();
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.store.root", store,
        "spark.sparkgrid.home", dir.resolve("home").toString(), "spark.sparkgrid.federation.aggregation", aggregation));
    return new FederationRunner(sc, config, new HadoopModelStore(store, sc.hadoopConfiguration()),
        new HadoopCheckpointStore(store, sc.hadoopConfiguration()), ProgressListener.NONE, new LocalSiteTrainer())
        .coordinatedOn(where).run(request(id, scoring), id);
  }

  @Test
  void leaveOneOutOnTheExecutorsScoresAsTheDriverDoes() throws Exception {
    FederationRunner.Result stage = run("loo-stage", "loss-improvement", "spark", FederationRunner.Coordinator.EXECUTORS);
    FederationRunner.Result driver = run("loo-driver", "loss-improvement", "spark", FederationRunner.Coordinator.DRIVER);
    FederationRunner.Result driverMode = run("loo-driver-mode", "loss-improvement", "driver",
        FederationRunner.Coordinator.EXECUTORS);

    assertThat(stage.state().global()).containsExactly(driver.state().global());
    assertThat(driverMode.state().global()).containsExactly(driver.state().global());
    assertSameScores(stage.state().contributions(), driver.state().contributions());
    assertSameScores(driverMode.state().contributions(), driver.state().contributions());
    assertThat(stage.state().contributions()).hasSize(8).allMatch(c -> Double.isNaN(c.shapley()));
    for (int r = 0; r < 2; r++) {
      RoundMetrics s = stage.rounds().get(r);
      RoundMetrics d = driver.rounds().get(r);
      assertThat(s.testAccuracy()).as("round %d", r).isEqualTo(d.testAccuracy());
      assertThat(s.testLoss()).as("round %d", r).isCloseTo(d.testLoss(), within(1e-6));
      assertThat(s.phases().scoringMs()).as("round %d scoring", r).isPositive();
      assertThat(s.phases().evaluationMs()).as("round %d evaluation", r).isPositive();
    }
    assertThat(stage.evaluation().confusion()).isDeepEqualTo(driver.evaluation().confusion());
  }

  @Test
  void shapleyCollectsOnceAndMergesOnTheDriverToTheSameModelAndScores() throws Exception {
    FederationRunner.Result collected = run("shapley-collect", "shapley", "spark",
        FederationRunner.Coordinator.EXECUTORS);
    FederationRunner.Result driver = run("shapley-driver", "shapley", "spark", FederationRunner.Coordinator.DRIVER);

    assertThat(collected.state().global()).containsExactly(driver.state().global());
    assertThat(collected.state().contributions()).containsExactlyElementsOf(driver.state().contributions());
    assertThat(collected.state().contributions()).noneMatch(c -> Double.isNaN(c.shapley()));
    assertThat(collected.rounds().get(1).testAccuracy()).isEqualTo(driver.rounds().get(1).testAccuracy());
  }

  private static void assertSameScores(List<Contribution> actual, List<Contribution> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    double worst = 0;
    for (int k = 0; k < expected.size(); k++) {
      Contribution a = actual.get(k);
      Contribution e = expected.get(k);
      assertThat(a.round()).isEqualTo(e.round());
      assertThat(a.siteId()).isEqualTo(e.siteId());
      assertThat(a.numExamples()).isEqualTo(e.numExamples());
      assertThat(a.exampleShare()).isEqualTo(e.exampleShare());
      assertThat(a.lossImprovement()).as("%s round %d", e.siteId(), e.round())
          .isCloseTo(e.lossImprovement(), within(SCORE_TOLERANCE));
      worst = Math.max(worst, Math.abs(a.lossImprovement() - e.lossImprovement()));
    }
    System.out.printf("largest leave-one-out score difference: %.3g (scores %s)%n", worst,
        expected.stream().map(c -> String.format("%.4g", c.lossImprovement())).toList());
  }
}
