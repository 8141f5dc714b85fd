package org.sparkgrid.jobs.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.strategy.Scaffold;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;
import org.sparkgrid.settlement.chain.LocalChain;

/**
 * The site side of FedNova and SCAFFOLD on real Spark ({@code local[2]}): two sites of unequal size
 * (300 and 100 Fashion-MNIST examples, batch 32, so 10 and 4 local steps a round), plain SGD. The
 * real site trainer runs; a wrapper records what each site received and sent (the tasks run in this
 * JVM), and the merged model is checked against the merge computed by hand from those records.
 */
class HeterogeneousSitesSparkTest {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  private static final double LR = 0.05;
  private static final org.nd4j.linalg.dataset.api.preprocessor.DataNormalization SCALE =
      new org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler(0, 1);
  private static JavaSparkContext sc;
  @TempDir static Path dir;
  private static Path federation;

  /** What each site's task received and returned, by site and round (the tests run one federation at a time). */
  private static final Map<String, SiteTask> TASKS = new ConcurrentHashMap<>();
  private static final Map<String, SiteResult> RESULTS = new ConcurrentHashMap<>();

  private static final SiteTrainer RECORDING = (task, conf) -> {
    SiteResult r = new LocalSiteTrainer().train(task, conf);
    String key = key(task.siteId(), task.round());
    TASKS.put(key, task);
    RESULTS.put(key, r);
    return r;
  };

  private static String key(String site, int round) {
    return site + "/" + round;
  }

  @BeforeAll
  static void setUp() throws IOException {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("HeterogeneousSitesSparkTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    sc.setLogLevel("ERROR");
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, FMNIST + "/train", 400);
    int[][] parts = {IntStream.range(0, 300).toArray(), IntStream.range(300, 400).toArray()};
    List<FederationFile.Site> sites = new java.util.ArrayList<>();
    for (int s = 0; s < 2; s++) {
      String id = "site-0" + (s + 1);
      Path p = dir.resolve(id);
      Files.createDirectories(p);
      IdxWriter.write(conf, p.resolve("train").toString(), all, parts[s]);
      sites.add(new FederationFile.Site(id, "file:" + p.resolve("train"),
          LocalChain.derive(LocalChain.DEV_MNEMONIC, s + 1).address(), 1.0, List.of(),
          new FederationFile.SiteKey.Dev(s + 1)));
    }
    federation = dir.resolve("federation.json");
    Files.write(federation, new FederationFile(sites, Set.of()).toJson());
  }

  @AfterAll
  static void tearDown() {
    if (sc != null) {
      sc.stop();
    }
  }

  private static TrainingRequest request(String id, int rounds, String strategy) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s", "mode": "tree",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "file:%s/t10k", "test": "file:%s/t10k", "limit": 500},
         "training": {"epochs": 1, "batchSize": 32, "seed": 5, "updater": {"type": "sgd", "learningRate": %s}},
         "federation": {"sites": "file:%s", "rounds": %d, "localEpochs": 1, "minSites": 2,
                        "roundTimeoutMs": 120000, "strategy": %s},
         "reward": {"poolPerRound": "100", "scoring": "examples"}}
        """.formatted(id, id, FMNIST, FMNIST, LR, federation, rounds, strategy));
  }

  private static FederationRunner runner(String aggregation, ProgressListener progress) {
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.store.root",
        dir.resolve("store").toUri().toString(), "spark.sparkgrid.home", dir.resolve("home").toString(),
        "spark.sparkgrid.federation.aggregation", aggregation));
    String store = dir.resolve("store").toUri().toString();
    return new FederationRunner(sc, config, new HadoopModelStore(store, sc.hadoopConfiguration()),
        new HadoopCheckpointStore(store, sc.hadoopConfiguration()), progress, RECORDING);
  }

  private static SiteResult result(String site, int round) {
    return RESULTS.get(key(site, round));
  }

  private static SiteTask task(String site, int round) {
    return TASKS.get(key(site, round));
  }

  @ParameterizedTest
  @ValueSource(strings = {"spark", "driver"})
  void fedNovaMergesTheStepNormalizedAverageOfUnequalSites(String aggregation) throws Exception {
    RESULTS.clear();
    TASKS.clear();

    FederationRunner.Result r = runner(aggregation, ProgressListener.NONE)
        .run(request("fednova-" + aggregation, 1, "{\"type\": \"fednova\"}"), "fednova-" + aggregation);

    // each site took ceil(examples / 32) local steps and said so
    SiteResult big = result("site-01", 0);
    SiteResult small = result("site-02", 0);
    assertThat(big.localSteps()).isEqualTo(10);
    assertThat(small.localSteps()).isEqualTo(4);
    assertThat(big.examples()).isEqualTo(300);
    assertThat(small.examples()).isEqualTo(100);
    // by hand: p = (3/4, 1/4), tau_eff = 3/4 * 10 + 1/4 * 4 = 8.5, step = tau_eff * sum p_i delta_i / tau_i
    float[] x = task("site-01", 0).global();
    float[] merged = r.state().global();
    double largestGap = 0;
    for (int i = 0; i < x.length; i++) {
      double nova = x[i] + 8.5 * (0.75 * big.delta()[i] / 10 + 0.25 * small.delta()[i] / 4);
      double avg = x[i] + 0.75 * big.delta()[i] + 0.25 * small.delta()[i];
      assertThat((double) merged[i]).as("parameter %d", i).isCloseTo(nova, within(2e-6 + 1e-5 * Math.abs(nova)));
      largestGap = Math.max(largestGap, Math.abs(merged[i] - avg));
    }
    assertThat(largestGap).as("FedNova's merge differs from FedAvg's on unequal sites").isGreaterThan(1e-3);
  }

  @Test
  void scaffoldSitesTrainWithTheControlVariatesAndCMovesByTheirDeltas() throws Exception {
    RESULTS.clear();
    TASKS.clear();

    FederationRunner.Result r = runner("spark", ProgressListener.NONE)
        .run(request("scaffold", 2, "{\"type\": \"scaffold\", \"sites\": 2}"), "scaffold");

    int n = r.state().global().length;
    float[] zeros = new float[n];
    // round 0: every control variate is 0; each site's control delta is option II's -delta / (K * lr)
    for (String site : List.of("site-01", "site-02")) {
      assertThat(task(site, 0).controls().server()).containsExactly(zeros);
      assertThat(task(site, 0).controls().site()).containsExactly(zeros);
      SiteResult s = result(site, 0);
      for (int i = 0; i < n; i += 97) {
        assertThat(s.controlDelta()[i]).isCloseTo((float) (-s.delta()[i] / (s.localSteps() * LR)), within(1e-5f));
      }
    }
    // round 1: the sites received c = (dc_1 + dc_2) / 2 and their own c_i = dc_i of round 0
    float[] dc10 = result("site-01", 0).controlDelta();
    float[] dc20 = result("site-02", 0).controlDelta();
    float[] dc11 = result("site-01", 1).controlDelta();
    float[] dc21 = result("site-02", 1).controlDelta();
    float[] c1 = task("site-01", 1).controls().server();
    for (int i = 0; i < n; i++) {
      assertThat(c1[i]).isCloseTo((float) (((double) dc10[i] + dc20[i]) / 2), within(1e-6f));
    }
    assertThat(task("site-02", 1).controls().server()).containsExactly(c1);
    // (0 + dc turns a -0.0 of dc into 0.0, hence the comparison by value)
    assertThat(task("site-01", 1).controls().site()).containsExactly(dc10, within(0f));
    assertThat(task("site-02", 1).controls().site()).containsExactly(dc20, within(0f));
    // round 1's option II subtracts the c the site received
    SiteResult s11 = result("site-01", 1);
    for (int i = 0; i < n; i += 97) {
      assertThat(s11.controlDelta()[i]).isCloseTo((float) (-c1[i] - s11.delta()[i] / (s11.localSteps() * LR)),
          within(1e-5f));
    }
    // after round 1: c = c1 + (dc_1 + dc_2) / 2 and c_i = c_i + dc_i, as the strategy state holds them
    float[] c = Scaffold.serverControl(r.state().strategyState(), n);
    float[] ci1 = Scaffold.siteControl(r.state().strategyState(), "site-01", n);
    for (int i = 0; i < n; i++) {
      assertThat(c[i]).isCloseTo((float) (c1[i] + ((double) dc11[i] + dc21[i]) / 2), within(1e-6f));
      assertThat(ci1[i]).isCloseTo(dc10[i] + dc11[i], within(1e-6f));
    }
    // every round says where its time went; no chain, so no settlement
    assertThat(r.rounds()).allSatisfy(m -> {
      assertThat(m.phases().sitesMs()).isPositive();
      assertThat(m.phases().mergeMs()).isPositive();
      assertThat(m.phases().evaluationMs()).isPositive();
      assertThat(m.phases().checkpointMs()).isPositive();
      assertThat(m.phases().settlementMs()).isLessThan(5.0);
      assertThat(m.phases().sitesMs() + m.phases().mergeMs() + m.phases().scoringMs() + m.phases().evaluationMs())
          .isLessThanOrEqualTo(m.seconds() * 1000 + 1);
    });
    // and the global model moved by the example-weighted mean delta of round 1 (eta 1)
    float[] x1 = task("site-01", 1).global();
    for (int i = 0; i < n; i += 31) {
      double expected = x1[i] + 0.75 * s11.delta()[i] + 0.25 * result("site-02", 1).delta()[i];
      assertThat((double) r.state().global()[i]).isCloseTo(expected, within(2e-6 + 1e-5 * Math.abs(expected)));
    }
  }

  @Test
  void scaffoldsControlVariatesSurviveAResume() throws Exception {
    TrainingRequest req = request("scaffold-resume", 2, "{\"type\": \"scaffold\", \"sites\": 2}");
    FederationRunner.Result whole = runner("spark", ProgressListener.NONE).run(req, "scaffold-whole");
    ProgressListener killer = new ProgressListener() {
      @Override
      public void phase(String line) {
        if (line.startsWith("round 2/")) {
          throw new IllegalStateException("killed");
        }
      }
    };
    assertThatThrownBy(() -> runner("spark", killer).run(req, "scaffold-killed")).hasMessage("killed");

    FederationRunner.Result resumed = runner("spark", ProgressListener.NONE).resume("scaffold-killed");

    assertThat(resumed.rounds()).hasSize(2);
    assertThat(resumed.state().strategyState().vectors().keySet()).containsExactly("c", "c/site-01", "c/site-02");
    assertThat(resumed.state().strategyState()).isEqualTo(whole.state().strategyState());
    assertThat(resumed.state().global()).containsExactly(whole.state().global());
  }

  @Test
  void oneScaffoldStepIsTheSgdStepMinusLrTimesTheCorrection() throws Exception {
    // a site of 20 examples and batch 32 takes K = 1 step: the corrected step differs from the
    // uncorrected one by exactly -lr * (c - c_i), and option II gives dc = -c - delta / lr
    TrainingRequest req = request("one-step", 1, "{\"type\": \"scaffold\"}");
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, FMNIST + "/train", 20);
    Path p = dir.resolve("tiny");
    Files.createDirectories(p);
    IdxWriter.write(conf, p.resolve("train").toString(), all, IntStream.range(0, 20).toArray());
    String json = NetworkFactory.build(req.model(), req.training(), all.shape(), 10).toJson();
    float[] x = NetworkFactory.params(NetworkFactory.init(NetworkFactory.parse(json)));
    float[] c = new float[x.length];
    float[] ci = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      c[i] = (i % 7 - 3) * 0.01f;
      ci[i] = (i % 5 - 2) * 0.005f;
    }
    SiteTask plain = new SiteTask("tiny", "file:" + p.resolve("train"), req.data(), json, x, SCALE, 10, 32, 1, 0, LR,
        9, 0, new SiteTask.Controls(new float[x.length], new float[x.length]));
    SiteTask corrected = new SiteTask("tiny", "file:" + p.resolve("train"), req.data(), json, x, SCALE, 10, 32, 1, 0,
        LR, 9, 0, new SiteTask.Controls(c, ci));

    SiteResult a = new LocalSiteTrainer().train(plain, conf);
    SiteResult b = new LocalSiteTrainer().train(corrected, conf);

    assertThat(b.localSteps()).isEqualTo(1);
    for (int i = 0; i < x.length; i++) {
      assertThat(b.delta()[i] - a.delta()[i]).as("parameter %d", i).isCloseTo((float) (-LR * (c[i] - ci[i])),
          within(1e-6f));
      assertThat(b.controlDelta()[i]).isCloseTo((float) (-c[i] - b.delta()[i] / LR), within(2e-5f));
    }
  }

  @Test
  void learningRateDecayGivesEachRoundsSitesTheDecayedRate() throws Exception {
    RESULTS.clear();
    TASKS.clear();
    TrainingRequest req = request("decay", 3, "{\"type\": \"fedavg\"}, \"learningRateDecay\": 0.5");
    assertThat(req.federation().learningRateDecay()).isEqualTo(0.5);

    runner("spark", ProgressListener.NONE).run(req, "decay");

    for (String site : List.of("site-01", "site-02")) {
      assertThat(task(site, 0).learningRate()).isEqualTo(LR);
      assertThat(task(site, 1).learningRate()).isEqualTo(LR * 0.5);
      assertThat(task(site, 2).learningRate()).isEqualTo(LR * 0.25);
    }
  }

  @Test
  void aSiteTrainsAtItsTasksLearningRate() throws Exception {
    // plain SGD, one step from the same point on the same batch: half the rate gives half the delta
    TrainingRequest req = request("rate", 1, "{\"type\": \"fedavg\"}");
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, FMNIST + "/train", 20);
    Path p = dir.resolve("rate");
    Files.createDirectories(p);
    IdxWriter.write(conf, p.resolve("train").toString(), all, IntStream.range(0, 20).toArray());
    String json = NetworkFactory.build(req.model(), req.training(), all.shape(), 10).toJson();
    float[] x = NetworkFactory.params(NetworkFactory.init(NetworkFactory.parse(json)));
    SiteTask full = new SiteTask("rate", "file:" + p.resolve("train"), req.data(), json, x, SCALE, 10, 32, 1, 0, LR,
        9, 0, null);
    SiteTask half = new SiteTask("rate", "file:" + p.resolve("train"), req.data(), json, x, SCALE, 10, 32, 1, 0,
        LR / 2, 9, 0, null);

    SiteResult a = new LocalSiteTrainer().train(full, conf);
    SiteResult b = new LocalSiteTrainer().train(half, conf);

    double largest = 0;
    for (int i = 0; i < x.length; i++) {
      assertThat(b.delta()[i]).as("parameter %d", i).isCloseTo(a.delta()[i] / 2, within(1e-6f));
      largest = Math.max(largest, Math.abs(a.delta()[i]));
    }
    assertThat(largest).as("the step moved the parameters").isGreaterThan(1e-3);
  }
}
