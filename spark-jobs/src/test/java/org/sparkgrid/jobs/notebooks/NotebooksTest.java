package org.sparkgrid.jobs.notebooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.kafka.EmbeddedKafka;
import org.sparkgrid.jobs.notebooks.NoteRunner.NoteRun;
import org.sparkgrid.jobs.service.SparkGridService;
import org.sparkgrid.jobs.tree.RewardSettlement;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.Deployer;
import org.sparkgrid.settlement.chain.Deployment;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.contracts.SparkGridToken;
import org.web3j.tx.ReadonlyTransactionManager;

/**
 * Runs every Zeppelin note in {@code notebooks/} top to bottom against the real system, so that a
 * broken note fails the build: {@code %spark} paragraphs through a Scala 2.12 interpreter bound to
 * {@code spark}, {@code sc} and {@code z} as Zeppelin binds them, {@code %sh} paragraphs through bash
 * in the repository root with its {@code bin/sparkgrid}. One test per note.
 *
 * <p>What a Zeppelin deployment would have running already is started once here and handed to the
 * notes through the forms a user fills in: a Kafka broker (the embedded one) with the SparkGrid
 * service consuming it on this Spark ({@code local[2]}), and a local anvil chain with SparkGrid's
 * contracts, recorded in SparkGrid's home as {@code bin/sparkgrid chain} records it. {@code %sh}
 * paragraphs get the coordinator's key in {@code SPARKGRID_CHAIN_KEY} (anvil's public development key
 * of account 0) and run {@code bin/sparkgrid} on this test's classpath. Data: small slices of
 * Fashion-MNIST.
 */
class NotebooksTest {
  private static final Path FMNIST = Path.of("/usr/share/datasets/fashion-mnist");
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path NOTEBOOKS = ROOT.resolve("notebooks");
  private static final String REMOTE_TRAINING = "1-remote-training_2SPGRD001.zpln";
  private static final String SWEEP = "2-sweep-leaderboard_2SPGRD002.zpln";
  private static final String FEDERATED = "3-federated-run_2SPGRD003.zpln";
  private static final String REWARDS = "4-rewards-on-chain_2SPGRD004.zpln";
  private static final int FEDERATION_ROUNDS = 3;

  @TempDir static Path dir;
  private static Path home;
  private static CompletableFuture<EmbeddedKafka> kafkaStart;
  private static CompletableFuture<LocalChain> chainStart;
  private static EmbeddedKafka kafka;
  private static LocalChain node;
  private static Deployment deployment;
  private static SparkSession spark;
  private static JobStore jobs;
  private static SparkGridService service;
  private static ScalaInterpreter scala;
  private static NoteRunner runner;
  private static NoteRun federation;

  @BeforeAll
  static void startWhatZeppelinWouldFindRunning() throws Exception {
    assumeTrue(Files.exists(FMNIST.resolve("train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    home = dir.resolve("home");
    System.setProperty(LocalChain.NODE_MODULES_PROPERTY, ROOT.resolve("settlement/node_modules").toString());
    // the broker and the chain start in the background while the interpreter warms up
    kafkaStart = CompletableFuture.supplyAsync(() -> EmbeddedKafka.start(dir.resolve("kafka")));
    chainStart = CompletableFuture.supplyAsync(() -> LocalChain.builder().build().start());

    // as Spark's shell and Zeppelin set it up: executors load REPL classes from this directory
    Path replClasses = Files.createDirectories(dir.resolve("repl-classes"));
    spark = SparkSession.builder().master("local[2]").appName("NotebooksTest")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.scheduler.mode", "FAIR").config("spark.repl.class.outputDir", replClasses.toString())
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    NoteContext z = new NoteContext();
    scala = new ScalaInterpreter(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        replClasses);
    scala.bind("spark", "org.apache.spark.sql.SparkSession", spark);
    scala.bind("sc", "org.apache.spark.SparkContext", spark.sparkContext());
    scala.bind("z", NoteContext.class.getName(), z);
    // what Zeppelin's Spark interpreter runs when it opens
    ScalaInterpreter.Outcome init = scala.interpret("import org.apache.spark.SparkContext._\nimport spark.implicits._\n"
        + "import spark.sql\nimport org.apache.spark.sql.functions._");
    assertThat(init.success()).as(init.output()).isTrue();

    kafka = kafkaStart.join();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.DEFAULT.createMissing(admin, 1, (short) 1);
    }
    node = chainStart.join();
    try (Chain chain = Chain.connect(node.rpcUrl(), node.chainId())) {
      deployment = Deployer.with(chain, node.key(0)).deploy();
    }
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", home.toString(),
        "spark.sparkgrid.progress.enabled", "false"));
    // signed requests only, the default: the service makes the operator's admin 'local' and its key, which the
    // notes' client (ClientKeys.client) signs with; notes 3 and 4 send nothing to the service (federate runs
    // where it is started, rewards read the chain)
    RewardSettlement.record(config, node.rpcUrl(), node.chainId(), deployment, node.key(0).address());
    jobs = JdbcJobStore.openH2(home.resolve("jobs"));
    service = new SparkGridService(JavaSparkContext.fromSparkContext(spark.sparkContext()), config,
        kafka.bootstrapServers(), Topics.DEFAULT, jobs);
    service.start();

    runner = new NoteRunner(scala, z, ROOT, Map.of(
        "SPARKGRID_CLASSPATH", System.getProperty("java.class.path"),
        "SPARKGRID_DRIVER_MEMORY", "1500m",
        "SPARKGRID_CHAIN_KEY", org.web3j.utils.Numeric.toHexStringNoPrefixZeroPadded(
            node.key(0).credentials().getEcKeyPair().getPrivateKey(), 64)), Duration.ofMinutes(5));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {scala, service, jobs}) {
      if (c != null) {
        c.close();
      }
    }
    if (spark != null) {
      spark.stop();
    }
    // started in the background: stopped even if the setup failed before taking them
    if (kafkaStart != null) {
      kafkaStart.handle((k, failed) -> close(k)).get(60, TimeUnit.SECONDS);
    }
    if (chainStart != null) {
      chainStart.handle((c, failed) -> close(c)).get(60, TimeUnit.SECONDS);
    }
  }

  private static Void close(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return null;
  }

  private static NoteRun run(String file, Map<String, String> formValues) throws Exception {
    Map<String, String> values = new HashMap<>(formValues);
    values.put("sparkgridHome", home.toString());
    values.put("sparkgridDir", ROOT.toString());
    return runner.run(ZeppelinNote.read(NOTEBOOKS.resolve(file)), values);
  }

  private static double number(Map<String, String> row, String column) {
    return Double.parseDouble(row.get(column));
  }

  @Test
  void everyNoteInTheFolderIsRunByThisTest() throws IOException {
    try (Stream<Path> files = Files.list(NOTEBOOKS)) {
      Set<String> notes = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".zpln"))
          .collect(Collectors.toSet());
      assertThat(notes).containsExactlyInAnyOrder(REMOTE_TRAINING, SWEEP, FEDERATED, REWARDS);
    }
  }

  /** A note of the given paragraphs (title, text, chart config or null), as Zeppelin stores it. */
  private static ZeppelinNote note(String name, String[]... paragraphs) throws IOException {
    StringBuilder json = new StringBuilder("{\"name\": \"" + name + "\", \"paragraphs\": [");
    for (int i = 0; i < paragraphs.length; i++) {
      json.append(i == 0 ? "" : ",").append("{\"title\": \"").append(paragraphs[i][0]).append("\", \"text\": ")
          .append(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(paragraphs[i][1]))
          .append(", \"config\": {\"results\": ").append(paragraphs[i].length > 2 ? paragraphs[i][2] : "{}")
          .append("}}");
    }
    Path file = Files.writeString(dir.resolve(name + ".zpln"), json.append("]}").toString());
    return ZeppelinNote.read(file);
  }

  @Test
  void aBrokenParagraphFailsTheRunNamingTheNoteAndTheParagraph() throws Exception {
    ZeppelinNote typeError = note("broken-scala", new String[] {"Settings", "%spark\nval epochs: Int = \"three\""});
    ZeppelinNote shellFails = note("broken-shell",
        new String[] {"Put", "%spark\nz.put(\"answer\", 6 * 7)"},
        new String[] {"Exit", "%sh(interpolate=true)\necho \"the answer is {answer}\"; exit 3"});
    String chart = "{\"0\": {\"graph\": {\"mode\": \"lineChart\", \"keys\": [{\"name\": \"round\", \"index\": 0}],"
        + " \"values\": [{\"name\": \"accuracy\", \"index\": 1}]}}}";
    ZeppelinNote wrongColumn = note("broken-chart",
        new String[] {"Accuracy", "%spark\nz.show(Seq((1, 0.5), (2, 0.7)).toDF(\"round\", \"testAccuracy\"))", chart});

    assertThatThrownBy(() -> runner.run(typeError, Map.of())).isInstanceOf(AssertionError.class)
        .hasMessageContaining("note 'broken-scala' (broken-scala.zpln), paragraph 1 'Settings' (%spark): the Scala"
            + " interpreter's result is an error").hasMessageContaining("type mismatch");
    assertThatThrownBy(() -> runner.run(shellFails, Map.of())).isInstanceOf(AssertionError.class)
        .hasMessageContaining("paragraph 2 'Exit' (%sh): exit status 3").hasMessageContaining("the answer is 42");
    assertThatThrownBy(() -> runner.run(wrongColumn, Map.of())).isInstanceOf(AssertionError.class)
        .hasMessageContaining("paragraph 1 'Accuracy' (%spark): its lineChart plots column 1 'accuracy' (values) but"
            + " the table's columns are [round, testAccuracy]");
    ZeppelinNote form = note("form", new String[] {"Settings", "%spark\nval epochs = z.textbox(\"epochs\", \"3\").toString.toInt"});
    assertThatThrownBy(() -> runner.run(form, Map.of("epoch", "2"))).isInstanceOf(AssertionError.class)
        .hasMessageContaining("note 'form' (form.zpln) has no textbox for [epoch], which the test fills in");
  }

  @Test
  void remoteTrainingNotePublishesAModelAndFollowsItThroughKafka() throws Exception {
    NoteRun run = run(REMOTE_TRAINING, Map.of("bootstrapServers", kafka.bootstrapServers(),
        "trainLimit", "600", "epochs", "2"));

    List<Map<String, String>> epochs = run.table("Test accuracy and loss per epoch");
    assertThat(epochs).extracting(r -> r.get("epoch")).containsExactly("1", "2");
    assertThat(number(epochs.get(1), "testAccuracy")).isGreaterThan(0.3);
    assertThat(run.table("F1 per class")).hasSize(10);
    assertThat(jobs.list(JobFilter.in(JobState.SUCCEEDED))).anySatisfy(j ->
        assertThat(j.id()).startsWith("local.fmnist-mlp-notebook-"));
    assertThat(home.resolve("store/models/fmnist-mlp-notebook/1/model.zip")).exists();
    assertThat(run.output("The model in the store")).contains("file:" + home.resolve("store/models/fmnist-mlp-notebook/1"));
  }

  /**
   * Needs a service that runs sweeps (issue 6, the sweep branch): one without trains a sweep request as
   * one job and publishes no trial events, and the note's "Rank the trials" paragraph fails saying so.
   */
  @Test
  void sweepNoteBuildsTheLeaderboardFromTrialEvents() throws Exception {
    NoteRun run = run(SWEEP, Map.of("bootstrapServers", kafka.bootstrapServers(), "trainLimit", "400",
        "epochs", "1", "learningRates", "0.0005, 0.001, 0.005"));

    List<Map<String, String>> leaderboard = run.table("Leaderboard");
    assertThat(leaderboard).extracting(r -> r.get("rank")).containsExactly("1", "2", "3");
    assertThat(leaderboard).extracting(r -> r.get("configuration")).doesNotHaveDuplicates()
        .allSatisfy(c -> assertThat(c).startsWith("learningRate="));
    assertThat(number(leaderboard.get(0), "accuracy")).isGreaterThanOrEqualTo(number(leaderboard.get(1), "accuracy"));
    assertThat(number(leaderboard.get(1), "accuracy")).isGreaterThanOrEqualTo(number(leaderboard.get(2), "accuracy"));
    assertThat(run.output("The same job from the command line")).contains("fmnist-mlp-sweep-");
  }

  @Test
  void federatedNoteShowsAccuracyPerRoundAndEachSitesContribution() throws Exception {
    NoteRun run = runFederatedNote();

    assertThat(run.table("Test accuracy per round")).extracting(r -> r.get("round")).containsExactly("1", "2", "3");
    List<Map<String, String>> sites = run.table("Each site's contribution over the run");
    assertThat(sites).extracting(r -> r.get("site")).containsExactly("site-01", "site-02", "site-03");
    assertThat(sites.stream().mapToDouble(r -> number(r, "examples")).sum()).isEqualTo(2000.0 * FEDERATION_ROUNDS);
    try (Stream<Path> receipts = Files.list(home.resolve("settlements"))) {
      assertThat(receipts.filter(p -> p.toString().endsWith(".json"))).hasSize(FEDERATION_ROUNDS);
    }
  }

  @Test
  void rewardsNoteReadsWhatTheFederationPaidFromTheChain() throws Exception {
    runFederatedNote(); // the rewards it reads are the federation's

    NoteRun run = run(REWARDS, Map.of("rpcUrl", node.rpcUrl(), "distributor", deployment.distributor()));

    assertThat(run.table("Settlements")).hasSize(FEDERATION_ROUNDS)
        .allSatisfy(r -> assertThat(number(r, "total")).isEqualTo(100.0));
    List<Map<String, String>> accounts = run.table("Paid to each account");
    assertThat(accounts.stream().mapToDouble(r -> number(r, "paid")).sum()).isEqualTo(100.0 * FEDERATION_ROUNDS);
    assertThat(accounts).allSatisfy(r -> assertThat(number(r, "unclaimed")).isZero());
    // the tokens really moved: the sites' balances on chain add up to every round's pool
    try (Chain chain = Chain.connect(node.rpcUrl(), node.chainId())) {
      SparkGridToken token = SparkGridToken.load(deployment.token(), chain.web3j(),
          new ReadonlyTransactionManager(chain.web3j(), deployment.token()), chain.gas());
      BigInteger held = BigInteger.ZERO;
      for (int site = 1; site <= 3; site++) {
        held = held.add(token.balanceOf(node.key(site).address()).send());
      }
      assertThat(held).isEqualTo(new BigInteger("100000000000000000000").multiply(BigInteger.valueOf(FEDERATION_ROUNDS)));
    }
    assertThat(run.output("The ledger against the chain")).contains("ledger and chain agree");
  }

  private static synchronized NoteRun runFederatedNote() throws Exception {
    if (federation == null) {
      federation = run(FEDERATED, Map.of("sitesDir", dir.resolve("sites").toString(), "sites", "3",
          "rounds", String.valueOf(FEDERATION_ROUNDS), "trainLimit", "2400", "holdout", "400"));
    }
    return federation;
  }
}
