package org.sparkgrid.jobs.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.federation.privacy.RdpAccountant;
import org.sparkgrid.federation.round.RoundState;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.split.DatasetSplits;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.run.RoundReport;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;
import org.sparkgrid.settlement.Claimant;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.Deployer;
import org.sparkgrid.settlement.chain.Deployment;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.contracts.SparkGridToken;
import org.sparkgrid.settlement.ledger.SettlementPlan;

/**
 * Tree mode on real Spark ({@code local[2]}): four sites holding IID parts of a Fashion-MNIST
 * subset, each site's training its own Spark job reading only its directory and signing its update
 * with its development key; ten smaller sites for the Byzantine comparison.
 */
class FederationRunnerSparkTest {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  private static JavaSparkContext sc;
  @TempDir static Path dir;
  private static List<FederationFile.Site> sites;

  @BeforeAll
  static void setUp() throws IOException {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("FederationRunnerSparkTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    sc.setLogLevel("ERROR");
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, FMNIST + "/train", 2400);
    int[][] split = DatasetSplits.iid(all.count(), 4, 7);
    sites = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      String id = "site-0" + (s + 1);
      Path p = dir.resolve(id);
      Files.createDirectories(p);
      IdxWriter.write(conf, p.resolve("train").toString(), all, split[s]);
      sites.add(new FederationFile.Site(id, "file:" + p.resolve("train"),
          LocalChain.derive(LocalChain.DEV_MNEMONIC, s + 1).address(), 1.0, List.of(),
          new FederationFile.SiteKey.Dev(s + 1)));
    }
    writeFederation("federation.json", Set.of());
  }

  @AfterAll
  static void tearDown() {
    if (sc != null) {
      sc.stop();
    }
  }

  private static Path writeFederation(String name, Set<String> allowlist) throws IOException {
    return writeFederation(name, sites, allowlist);
  }

  private static Path writeFederation(String name, List<FederationFile.Site> list, Set<String> allowlist)
      throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, new FederationFile(list, allowlist).toJson());
    return f;
  }

  private static TrainingRequest request(String id, Path federation, int rounds, int minSites, long timeoutMs,
      String strategy) {
    return request(id, federation, rounds, minSites, timeoutMs, strategy, "");
  }

  /** @param more further federation fields, e.g. {@code , "belowMinSites": "wait"} */
  private static TrainingRequest request(String id, Path federation, int rounds, int minSites, long timeoutMs,
      String strategy, String more) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s", "mode": "tree",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [32]}},
         "data": {"format": "idx", "train": "file:%s/t10k", "test": "file:%s/t10k", "limit": 1000},
         "training": {"epochs": 1, "batchSize": 32, "seed": 3, "updater": {"type": "adam", "learningRate": 0.003}},
         "federation": {"sites": "file:%s", "rounds": %d, "localEpochs": 1, "minSites": %d,
                        "roundTimeoutMs": %d, "strategy": %s %s}}
        """.formatted(id, id, FMNIST, FMNIST, federation, rounds, minSites, timeoutMs, strategy, more));
  }

  private static HadoopCheckpointStore checkpointStore() {
    return new HadoopCheckpointStore(dir.resolve("store").toUri().toString(), sc.hadoopConfiguration());
  }

  private static FederationRunner runner(SiteTrainer trainer, ProgressListener progress) {
    return runner(trainer, progress, "spark");
  }

  private static FederationRunner runner(SiteTrainer trainer, ProgressListener progress, String aggregation) {
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.store.root",
        dir.resolve("store").toUri().toString(), "spark.sparkgrid.home", dir.resolve("home").toString(),
        "spark.sparkgrid.federation.aggregation", aggregation));
    return new FederationRunner(sc, config,
        new HadoopModelStore(dir.resolve("store").toUri().toString(), sc.hadoopConfiguration()),
        new HadoopCheckpointStore(dir.resolve("store").toUri().toString(), sc.hadoopConfiguration()), progress, trainer);
  }

  @Test
  void sitesTrainLocallyAndTheMergedModelLearns() throws Exception {
    FederationRunner.Result r = runner(new LocalSiteTrainer(), ProgressListener.NONE)
        .run(request("tree-fedavg", dir.resolve("federation.json"), 3, 3, 120_000, "{\"type\": \"fedavg\"}"), "tree-fedavg");

    assertThat(r.evaluation().accuracy()).as("10 classes: chance is 0.1").isGreaterThan(0.6);
    assertThat(r.rounds()).hasSize(3);
    assertThat(r.rounds().get(2).accepted()).containsExactlyInAnyOrder("site-01", "site-02", "site-03", "site-04");
    assertThat(r.state().contributions()).hasSize(12);
    double shares = r.state().contributions().stream().filter(c -> c.round() == 0)
        .mapToDouble(Contribution::exampleShare).sum();
    assertThat(shares).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(dir.resolve("store/runs/tree-fedavg/site-site-03-model.zip")).exists();
    assertThat(r.version().name()).isEqualTo("tree-fedavg");
  }

  @Test
  void theSparkStageAndTheDriverMergeToTheSameModel() throws Exception {
    // Prepare: FedAdam carries state between rounds; the Spark run scores by examples only, so its
    // updates never reach the driver, the driver run by leave-one-out loss
    var tree = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(RequestCodec.write(request("tree-in-spark", dir.resolve("federation.json"), 2, 3, 120_000,
            "{\"type\": \"fedadam\", \"eta\": 0.01}")));
    tree.putObject("reward").put("poolPerRound", "100").put("scoring", "examples");
    TrainingRequest inSpark = RequestCodec.parse(tree.toString());
    TrainingRequest onDriver = request("tree-on-driver", dir.resolve("federation.json"), 2, 3, 120_000,
        "{\"type\": \"fedadam\", \"eta\": 0.01}");

    // Execute
    FederationRunner.Result spark = runner(new LocalSiteTrainer(), ProgressListener.NONE, "spark")
        .run(inSpark, "tree-in-spark");
    FederationRunner.Result driver = runner(new LocalSiteTrainer(), ProgressListener.NONE, "driver")
        .run(onDriver, "tree-on-driver");

    // Assert
    assertThat(spark.state().global()).containsExactly(driver.state().global());
    assertThat(spark.state().strategyState()).isEqualTo(driver.state().strategyState());
    assertThat(spark.state().contributions()).extracting(Contribution::exampleShare)
        .containsExactlyElementsOf(driver.state().contributions().stream().map(Contribution::exampleShare).toList());
    assertThat(spark.state().contributions()).allMatch(c -> Double.isNaN(c.lossImprovement()));
    assertThat(driver.state().contributions()).noneMatch(c -> Double.isNaN(c.lossImprovement()));
  }

  @Test
  void aStragglerPastTheDeadlineIsLeftOutAndTheRoundGoesOn() throws Exception {
    SiteTrainer slowSite4 = (task, conf) -> {
      if (task.siteId().equals("site-04")) {
        try {
          Thread.sleep(8_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return new LocalSiteTrainer().train(task, conf);
    };

    FederationRunner.Result r = runner(slowSite4, ProgressListener.NONE)
        .run(request("tree-straggler", dir.resolve("federation.json"), 1, 2, 4_000, "{\"type\": \"fedavg\"}"),
            "tree-straggler");

    assertThat(r.rounds().get(0).accepted()).doesNotContain("site-04").hasSize(3);
    assertThat(r.rounds().get(0).rejected()).containsEntry("site-04", "missed the round deadline of 4000 ms");
  }

  @Test
  void tooFewValidUpdatesStopTheFederationNamingBothCounts() {
    SiteTrainer failing = (task, conf) -> {
      if (task.siteId().equals("site-02")) {
        throw new IOException("disk on fire at site-02");
      }
      return new LocalSiteTrainer().train(task, conf);
    };

    assertThatThrownBy(() -> runner(failing, ProgressListener.NONE)
        .run(request("tree-minsites", dir.resolve("federation.json"), 1, 4, 120_000, "{\"type\": \"fedavg\"}"),
            "tree-minsites"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("round 0 has 3 valid updates but minSites is 4");
  }

  @Test
  void aSiteOffTheAllowlistIsRejectedWithTheReason() throws Exception {
    Set<String> allow = new HashSet<>();
    for (FederationFile.Site s : sites) {
      if (!s.id().equals("site-03")) {
        allow.add(s.account().toLowerCase());
      }
    }
    Path fed = writeFederation("allowlisted.json", allow);

    FederationRunner.Result r = runner(new LocalSiteTrainer(), ProgressListener.NONE)
        .run(request("tree-allow", fed, 1, 2, 120_000, "{\"type\": \"fedavg\"}"), "tree-allow");

    assertThat(r.rounds().get(0).rejected().get("site-03")).contains("is not on the federation's allowlist");
  }

  /** The signature is checked on the driver in both modes: over the delta's hash in spark mode, the delta in driver mode. */
  @ParameterizedTest
  @ValueSource(strings = {"spark", "driver"})
  void updatesSignedWithAnotherKeyOrNotAtAllAreRejectedAndTheRoundGoesOn(String aggregation) throws Exception {
    List<FederationFile.Site> forged = new ArrayList<>(sites);
    forged.set(2, sites.get(2).withKey(new FederationFile.SiteKey.Dev(9)));   // site-03 signs with someone else's key
    forged.set(3, sites.get(3).withKey(new FederationFile.SiteKey.Env("SPARKGRID_TEST_NO_SUCH_SITE_KEY")));
    Path fed = writeFederation("forged.json", forged, Set.of());

    FederationFile.Site site3 = sites.get(2);
    FederationRunner.Result r = runner(new LocalSiteTrainer(), ProgressListener.NONE, aggregation)
        .run(request("tree-forged-" + aggregation, fed, 1, 2, 120_000, "{\"type\": \"fedavg\"}"),
            "tree-forged-" + aggregation);

    for (RoundMetrics m : r.rounds()) {
      assertThat(m.accepted()).containsExactly("site-01", "site-02");
      assertThat(m.rejected().get("site-03")).isEqualTo("signature check failed: the update of site site-03 is signed"
          + " by " + LocalChain.derive(LocalChain.DEV_MNEMONIC, 9).address() + ", not by the site's account "
          + site3.account() + " (another key, or an update changed after signing)");
      assertThat(m.rejected().get("site-04")).isEqualTo("site training failed: site site-04 cannot load its signing"
          + " key on its executor (environment variable SPARKGRID_TEST_NO_SUCH_SITE_KEY):"
          + " SPARKGRID_TEST_NO_SUCH_SITE_KEY is not set");
    }
    assertThat(r.state().contributions()).extracting(Contribution::siteId).doesNotContain("site-03", "site-04");
  }

  private static final String DP = "{\"type\": \"dp-fedavg\", \"clipNorm\": 1.0, \"noiseMultiplier\": 1.0%s}";

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> checkpointedRounds(String job, long step) throws IOException {
    try (var in = checkpointStore().open(job, step, FederationRunner.ROUNDS_JSON)) {
      return new com.fasterxml.jackson.databind.ObjectMapper().readValue(in, List.class);
    }
  }

  @Test
  void dpFedAvgReportsEpsilonEachRoundAsTheAccountantComputesIt() throws Exception {
    // Prepare: 4 sites, fraction 1 (q = 1), z = 1, delta 1e-5, two rounds
    double afterOne = RdpAccountant.epsilon(1.0, 1.0, 1, 1e-5).epsilon();
    double afterTwo = RdpAccountant.epsilon(1.0, 1.0, 2, 1e-5).epsilon();
    List<String> phases = new ArrayList<>();
    HadoopModelStore models = new HadoopModelStore(dir.resolve("store").toUri().toString(), sc.hadoopConfiguration());

    // Execute
    FederationRunner.Result r = runner(new LocalSiteTrainer(), new ProgressListener() {
      @Override
      public void phase(String line) {
        phases.add(line);
      }
    }).run(request("tree-dp", dir.resolve("federation.json"), 2, 4, 120_000, DP.formatted("")), "tree-dp");

    // Assert: rounds.json, the result, metrics.json, the console line and lineage.json carry the accountant's figure
    assertThat(checkpointedRounds("tree-dp", 2)).extracting(m -> m.get("epsilon")).containsExactly(afterOne, afterTwo);
    assertThat(r.rounds()).extracting(RoundMetrics::epsilon).containsExactly(afterOne, afterTwo);
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    try (var in = models.open(r.version(), org.sparkgrid.core.store.ModelStore.METRICS_FILE)) {
      assertThat(json.readTree(in).path("rounds").get(1).path("epsilon").asDouble()).isEqualTo(afterTwo);
    }
    try (var in = models.open(r.version(), org.sparkgrid.core.store.ModelStore.LINEAGE_FILE)) {
      var privacy = json.readTree(in).path("privacy");
      assertThat(privacy.path("epsilon").asDouble()).isEqualTo(afterTwo);
      assertThat(privacy.path("delta").asDouble()).isEqualTo(1e-5);
      assertThat(privacy.path("rounds").asInt()).isEqualTo(2);
    }
    assertThat(phases).anyMatch(l -> l.startsWith("round 2/2: ")
        && l.contains(String.format(java.util.Locale.ROOT, ", epsilon %.4f at delta 1.0E-5", afterTwo)));
  }

  @Test
  void aPrivacyBudgetBelowRoundTwosEpsilonStopsBeforeRoundTwo() throws Exception {
    // Prepare: a budget halfway between round 1's epsilon and round 2's
    double afterOne = RdpAccountant.epsilon(1.0, 1.0, 1, 1e-5).epsilon();
    double afterTwo = RdpAccountant.epsilon(1.0, 1.0, 2, 1e-5).epsilon();
    double budget = (afterOne + afterTwo) / 2;
    TrainingRequest request = request("tree-dp-budget", dir.resolve("federation.json"), 3, 4, 120_000,
        DP.formatted(", \"epsilonBudget\": " + budget));

    // Execute/Assert: the job fails before round 2 with the budget and the epsilon it would reach
    assertThatThrownBy(() -> runner(new LocalSiteTrainer(), ProgressListener.NONE).run(request, "tree-dp-budget"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(String.format(java.util.Locale.ROOT, "federation.strategy.epsilonBudget is %s: round 2 would bring"
            + " epsilon to %.4f at delta 1.0E-5 (noiseMultiplier 1.0, fraction 1.0); the federation stops before"
            + " round 2", budget, afterTwo));
    assertThat(checkpointStore().latest("tree-dp-budget")).hasValue(1);
    assertThat(checkpointedRounds("tree-dp-budget", 1)).extracting(m -> m.get("epsilon")).containsExactly(afterOne);
  }

  @Test
  void anAdminExclusionLeavesTheSiteOutOfLaterRoundsAndIsCheckpointed() throws Exception {
    List<RoundReport> reports = new ArrayList<>();
    FederationRunner runner = runner(new LocalSiteTrainer(), new ProgressListener() {
      @Override
      public void roundDone(RoundReport report) {
        reports.add(report);
        if (report.metrics().round() == 0) {   // as the service's control handler does, while the job runs
          new SiteExclusions(checkpointStore()).exclude("tree-exclude", "site-02");
        }
      }
    });

    FederationRunner.Result r = runner.run(request("tree-exclude", dir.resolve("federation.json"), 3, 2, 120_000,
        "{\"type\": \"fedavg\"}"), "tree-exclude");

    assertThat(r.rounds().get(0).selected()).contains("site-02");
    assertThat(r.rounds().get(1).selected()).containsExactly("site-01", "site-03", "site-04");
    assertThat(r.rounds().get(2).selected()).containsExactly("site-01", "site-03", "site-04");
    assertThat(r.state().excludedSites()).containsExactly("site-02");
    assertThat(reports).extracting(RoundReport::excluded).containsExactly(Set.of(), Set.of("site-02"), Set.of("site-02"));
    assertThat(reports.get(0).contributions()).extracting(Contribution::siteId)
        .containsExactly("site-01", "site-02", "site-03", "site-04");
    assertThat(reports.get(0).rounds()).isEqualTo(3);
    assertThat(FederationRunner.readState(checkpointStore(), "tree-exclude", 3).excludedSites())
        .containsExactly("site-02");
  }

  /** In spark mode the retry's job holds site-02's update, the first job the others': the merge reads both. */
  @ParameterizedTest
  @ValueSource(strings = {"spark", "driver"})
  void aRoundThatWaitsAsksASiteThatFailedAgain(String aggregation) throws Exception {
    Path failedOnce = dir.resolve("site-02-failed-once-" + aggregation);
    String marker = failedOnce.toString();
    SiteTrainer flaky = (task, conf) -> {
      if (task.siteId().equals("site-02") && !Files.exists(Path.of(marker))) {
        Files.createFile(Path.of(marker));
        throw new IOException("site-02's data node is restarting");
      }
      return new LocalSiteTrainer().train(task, conf);
    };
    List<String> phases = new ArrayList<>();

    FederationRunner.Result r = runner(flaky, new ProgressListener() {
      @Override
      public void phase(String line) {
        phases.add(line);
      }
    }, aggregation).run(request("tree-wait-" + aggregation, dir.resolve("federation.json"), 1, 4, 120_000,
        "{\"type\": \"fedavg\"}", ", \"belowMinSites\": \"wait\", \"minSitesRetries\": 2, \"minSitesRetryDelayMs\": 0"),
        "tree-wait-" + aggregation);

    assertThat(failedOnce).exists();
    assertThat(r.rounds().get(0).accepted()).containsExactlyInAnyOrder("site-01", "site-02", "site-03", "site-04");
    assertThat(r.rounds().get(0).rejected()).isEmpty();
    assertThat(phases).contains("round 0 has 3 valid updates but minSites is 4; asking [site-02] again in 0 ms"
        + " (retry 1 of 2)");
  }

  @Test
  void aRoundThatWaitsFailsAfterItsRetriesNamingTheCountsAndWhy() {
    SiteTrainer failing = (task, conf) -> {
      if (task.siteId().equals("site-02")) {
        throw new IOException("disk on fire at site-02");
      }
      return new LocalSiteTrainer().train(task, conf);
    };

    assertThatThrownBy(() -> runner(failing, ProgressListener.NONE)
        .run(request("tree-wait-fails", dir.resolve("federation.json"), 1, 4, 120_000, "{\"type\": \"fedavg\"}",
            ", \"belowMinSites\": \"wait\", \"minSitesRetries\": 1, \"minSitesRetryDelayMs\": 0"), "tree-wait-fails"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("round 0 has 3 valid updates but minSites is 4 after 1 retry of the sites that missed"
            + " (federation.belowMinSites: wait); left out: {site-02=site training failed: disk on fire at site-02}");
  }

  @Test
  void aKilledCoordinatorResumesToTheSameModel() throws Exception {
    TrainingRequest req = request("tree-resume", dir.resolve("federation.json"), 3, 3, 120_000,
        "{\"type\": \"trimmed-mean\", \"trim\": 0.25}");
    FederationRunner.Result whole = runner(new LocalSiteTrainer(), ProgressListener.NONE).run(req, "resume-whole");
    ProgressListener killer = new ProgressListener() {
      @Override
      public void phase(String line) {
        if (line.startsWith("round 2/")) {
          throw new IllegalStateException("killed");
        }
      }
    };
    assertThatThrownBy(() -> runner(new LocalSiteTrainer(), killer).run(req, "resume-killed")).hasMessage("killed");

    // the failure waited for the background write: round 1's checkpoint is there, whole and binary
    assertThat(checkpointStore().latest("resume-killed")).hasValue(1);
    try (var in = checkpointStore().open("resume-killed", 1, FederationRunner.STATE_BIN)) {
      assertThat(org.sparkgrid.federation.round.RoundStateBinary.isBinary(in.readAllBytes())).isTrue();
    }
    FederationRunner.Result resumed = runner(new LocalSiteTrainer(), ProgressListener.NONE).resume("resume-killed");

    assertThat(resumed.rounds()).hasSize(3);
    assertThat(resumed.state().global()).containsExactly(whole.state().global());
  }

  @Test
  void aFederationResumesFromAJsonCheckpointAnOlderVersionWrote() throws Exception {
    TrainingRequest req = request("tree-resume-json", dir.resolve("federation.json"), 2, 3, 120_000,
        "{\"type\": \"fedadam\"}");
    FederationRunner.Result whole = runner(new LocalSiteTrainer(), ProgressListener.NONE).run(req, "json-whole");
    ProgressListener killer = new ProgressListener() {
      @Override
      public void phase(String line) {
        if (line.startsWith("round 2/")) {
          throw new IllegalStateException("killed");
        }
      }
    };
    assertThatThrownBy(() -> runner(new LocalSiteTrainer(), killer).run(req, "json-old")).hasMessage("killed");
    // rewrite checkpoint 1 as the previous version did: round-state.json (Base64 in JSON) beside rounds.json
    RoundState state = FederationRunner.readState(checkpointStore(), "json-old", 1);
    byte[] rounds;
    try (var in = checkpointStore().open("json-old", 1, FederationRunner.ROUNDS_JSON)) {
      rounds = in.readAllBytes();
    }
    org.apache.commons.io.FileUtils.deleteDirectory(dir.resolve("store/runs/json-old/checkpoints/1").toFile());
    checkpointStore().save("json-old", 1, Map.of(FederationRunner.STATE_JSON, out -> out.write(state.toJson()),
        FederationRunner.ROUNDS_JSON, out -> out.write(rounds)));

    FederationRunner.Result resumed = runner(new LocalSiteTrainer(), ProgressListener.NONE).resume("json-old");

    assertThat(state.strategyState().vectors()).containsOnlyKeys("m", "v"); // FedAdam's moments came through JSON
    assertThat(resumed.rounds()).hasSize(2);
    assertThat(resumed.state().global()).containsExactly(whole.state().global());
    assertThat(resumed.state().strategyState()).isEqualTo(whole.state().strategyState());
  }

  @Test
  void sitesArePaidOnChainAndBalancesEqualTheLedger() throws Exception {
    System.setProperty(LocalChain.NODE_MODULES_PROPERTY, Path.of("..", "settlement", "node_modules").toString());
    var tree = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(RequestCodec.write(request("tree-paid", dir.resolve("federation.json"), 2, 3, 120_000,
            "{\"type\": \"fedavg\"}")));
    tree.putObject("reward").put("poolPerRound", "1000000").put("scoring", "loss-improvement");
    TrainingRequest req = RequestCodec.parse(tree.toString());
    FederationRunner.Result r = runner(new LocalSiteTrainer(), ProgressListener.NONE).run(req, "tree-paid");
    List<SettlementPlan> plans = TreeRewards.plans("tree-paid", FederationFile.parse(
        Files.readAllBytes(dir.resolve("federation.json")), "federation.json"), r.state().contributions(), req.reward());

    try (LocalChain node = LocalChain.builder().build().start()) {
      Chain chain = Chain.connect(node.rpcUrl(), node.chainId());
      ChainKey coordinator = node.key(0);
      Deployment d = Deployer.with(chain, coordinator).deploy();
      SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", dir.resolve("home").toString(),
          "spark.sparkgrid.chain.rpcUrl", node.rpcUrl(), "spark.sparkgrid.chain.chainId", "" + node.chainId(),
          "spark.sparkgrid.chain.distributor", d.distributor(), "spark.sparkgrid.chain.escrow", d.escrow()));
      // the job's requester (here the token holder, account 0) deposits the two rounds' pools
      SparkGridToken.load(d.token(), chain.web3j(), chain.transactionManager(coordinator), chain.gas())
          .approve(d.escrow(), new java.math.BigInteger("2000000")).send();
      org.sparkgrid.settlement.contracts.JobEscrow.load(d.escrow(), chain.web3j(), chain.transactionManager(coordinator),
          chain.gas()).deposit(org.sparkgrid.settlement.JobDeposit.idOf("tree-paid").bytes(),
          new java.math.BigInteger("2000000"), java.math.BigInteger.valueOf(System.currentTimeMillis() / 1000 + 3600))
          .send();
      List<Map<String, Object>> settled = RewardSettlement.settle(config, plans, coordinator, "tree-paid");
      List<Map<String, Object>> again = RewardSettlement.settle(config, plans, coordinator, "tree-paid");

      assertThat(settled).hasSize(2);
      assertThat(again).extracting(m -> m.get("transactionHash"))
          .containsExactlyElementsOf(settled.stream().map(m -> m.get("transactionHash")).toList());
      Map<String, java.math.BigInteger> owed = new java.util.HashMap<>();
      for (SettlementPlan plan : plans) {
        assertThat(plan.total()).isEqualTo(new java.math.BigInteger("1000000"));
        for (int i = 0; i < plan.payouts().size(); i++) {
          var p = plan.payouts().get(i);
          int site = sites.stream().map(FederationFile.Site::account).toList().indexOf(p.account());
          new Claimant(chain, LocalChain.derive(LocalChain.DEV_MNEMONIC, site + 1), d.distributor()).claim(plan, i);
          owed.merge(p.account(), p.amount(), java.math.BigInteger::add);
        }
      }
      SparkGridToken token = SparkGridToken.load(d.token(), chain.web3j(), chain.transactionManager(coordinator),
          chain.gas());
      for (Map.Entry<String, java.math.BigInteger> e : owed.entrySet()) {
        assertThat(token.balanceOf(e.getKey()).send()).as(e.getKey()).isEqualTo(e.getValue());
      }
      chain.close();
    }
  }

  @Test
  void twoByzantineSitesOfTenDragFedAvgButNotTheRobustStrategies() throws Exception {
    // ten sites of 600 examples each, one round of 3 local epochs; sites 03 and 07 send -10 times their honest
    // update (sign-flipped and scaled); the coordinator scores and tests on 2,000 test examples
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, FMNIST + "/train", 6000);
    int[][] split = DatasetSplits.iid(all.count(), 10, 11);
    List<FederationFile.Site> ten = new ArrayList<>();
    for (int s = 0; s < 10; s++) {
      String id = String.format("ten-%02d", s + 1);
      Path p = dir.resolve(id);
      Files.createDirectories(p);
      IdxWriter.write(conf, p.resolve("train").toString(), all, split[s]);
      ten.add(new FederationFile.Site(id, "file:" + p.resolve("train"),
          LocalChain.derive(LocalChain.DEV_MNEMONIC, s + 1).address(), 1.0, List.of(),
          new FederationFile.SiteKey.Dev(s + 1)));
    }
    Path fed = writeFederation("ten.json", ten, Set.of());
    ExampleShard test = IdxReader.read(conf, FMNIST + "/t10k", 2000);
    Path testSet = dir.resolve("ten-coordinator/test");
    Files.createDirectories(testSet.getParent());
    IdxWriter.write(conf, testSet.toString(), test, java.util.stream.IntStream.range(0, test.count()).toArray());
    Set<String> byzantineSites = Set.of("ten-03", "ten-07");
    SiteTrainer byzantine = (task, c) -> {
      SiteResult honest = new LocalSiteTrainer().train(task, c);
      if (!byzantineSites.contains(task.siteId())) {
        return honest;
      }
      float[] flipped = honest.delta().clone();
      for (int i = 0; i < flipped.length; i++) {
        flipped[i] *= -10f;
      }
      return new SiteResult(honest.siteId(), flipped, honest.examples(), honest.loss(), honest.seconds());
    };

    double clean = accuracy(new LocalSiteTrainer(), fed, testSet, "ten-clean", "{\"type\": \"fedavg\"}");
    double fedavg = accuracy(byzantine, fed, testSet, "ten-fedavg", "{\"type\": \"fedavg\"}");
    double median = accuracy(byzantine, fed, testSet, "ten-median", "{\"type\": \"median\"}");
    double trimmed = accuracy(byzantine, fed, testSet, "ten-trimmed", "{\"type\": \"trimmed-mean\", \"trim\": 0.2}");
    double krum = accuracy(byzantine, fed, testSet, "ten-krum", "{\"type\": \"krum\", \"f\": 2}");

    // "within 3 points of the clean run": none is more than 3 points worse (here they all do better than it)
    assertThat(clean).as("clean FedAvg, 10 classes: chance is 0.1").isGreaterThan(0.6);
    assertThat(median).as("median").isGreaterThan(clean - 0.03);
    assertThat(trimmed).as("trimmed mean").isGreaterThan(clean - 0.03);
    assertThat(krum).as("Krum").isGreaterThan(clean - 0.03);
    assertThat(fedavg).as("FedAvg").isLessThan(clean - 0.2);
  }

  private static double accuracy(SiteTrainer trainer, Path federation, Path testSet, String job, String strategy)
      throws IOException {
    TrainingRequest request = RequestCodec.parse("""
        {"schema": 1, "id": "%s", "mode": "tree",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [32]}},
         "data": {"format": "idx", "train": "file:%s", "test": "file:%s", "limit": 300},
         "training": {"epochs": 1, "batchSize": 32, "seed": 3, "updater": {"type": "adam", "learningRate": 0.003}},
         "federation": {"sites": "file:%s", "rounds": 1, "localEpochs": 3, "minSites": 7, "strategy": %s}}
        """.formatted(job, job, testSet, testSet, federation, strategy));
    return runner(trainer, ProgressListener.NONE).run(request, job).evaluation().accuracy();
  }
}
