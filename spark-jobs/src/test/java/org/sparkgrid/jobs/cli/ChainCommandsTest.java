package org.sparkgrid.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.jobs.tree.RewardSettlement;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.ChainOptions;
import org.sparkgrid.settlement.chain.ChainRecord;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.ledger.Payee;
import org.sparkgrid.settlement.ledger.Payout;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.sparkgrid.settlement.ledger.Weighting;
import org.web3j.crypto.WalletUtils;

/**
 * A chain that is not a fresh local node (chain id 1337, base fee 20 gwei): {@code chain deploy} with a
 * keystore, a federation's settlements (the code {@code federate} runs after its rounds), claims by every
 * site with their keystores, {@code rewards reconcile} before and after the ledger is tampered with; a
 * wrong chain id refused in one line.
 */
class ChainCommandsTest {
  private static final int SITES = 3;
  @TempDir static Path dir;
  private static LocalChain node;
  private static Path passwordFile;
  private static final List<Path> keystores = new ArrayList<>();

  @BeforeAll
  static void startChainAndWriteKeystores() throws Exception {
    System.setProperty(LocalChain.NODE_MODULES_PROPERTY, Path.of("..", "settlement", "node_modules").toString());
    node = LocalChain.builder().chainId(1337).baseFeeWei(ChainOptions.gwei(20)).build().start();
    passwordFile = Files.writeString(dir.resolve("password.txt"), "correct horse\n");
    Path ks = Files.createDirectories(dir.resolve("keystores"));
    for (int i = 0; i <= SITES; i++) {
      String name = WalletUtils.generateWalletFile("correct horse", node.key(i).credentials().getEcKeyPair(),
          ks.toFile(), false);
      keystores.add(ks.resolve(name));
    }
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** Runs the CLI in this JVM; returns stdout, or stderr when {@code stderr} is set. */
  private static String run(Path home, int expectedStatus, boolean stderr, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int rc;
    try {
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(List.of("--conf", "spark.sparkgrid.home=" + home));
      rc = SparkGridCli.execute(all.toArray(String[]::new));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.clearProperty("spark.sparkgrid.home");
    }
    String o = out.toString(StandardCharsets.UTF_8);
    String e = err.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(o + e).isEqualTo(expectedStatus);
    return stderr ? e : o;
  }

  private static String[] withKey(int account, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--keystore", keystores.get(account).toString(), "--password-file", passwordFile.toString()));
    return all.toArray(String[]::new);
  }

  private static String deploy(Path home) {
    return run(home, 0, false, withKey(0, "chain", "deploy", "--rpc", node.rpcUrl(), "--chain-id", "1337"));
  }

  @Test
  void deployedThenAFederationSettlesEverySiteClaimsAndReconcileNamesATamperedSettlement() throws Exception {
    Path home = dir.resolve("home");
    String deployed = deploy(home);

    ChainRecord recorded = ChainRecord.read(home.resolve("chain.json"));
    assertThat(deployed).contains("[sparkgrid] deployed on chain 1337 at " + node.rpcUrl() + " from block "
        + recorded.deploymentBlock() + " by " + node.key(0).address());
    assertThat(recorded.chainId()).isEqualTo(1337);
    assertThat(recorded.deploymentBlock()).isPositive();
    assertThat(recorded.coordinator()).isEqualTo(node.key(0).address());

    // what federate does: the coordinator's key (keystore from the configuration) and the chain id checked at
    // start, then each round settled after training
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", home.toString(),
        "spark.sparkgrid.chain.keystore", keystores.get(0).toString(),
        "spark.sparkgrid.chain.keystorePasswordFile", passwordFile.toString(),
        "spark.sparkgrid.chain.logBlockRange", "2"));
    ChainKey coordinator = RewardSettlement.coordinatorKey(config);
    List<Payee> sites = new ArrayList<>();
    for (int i = 1; i <= SITES; i++) {
      sites.add(new Payee("site-0" + i, node.key(i).address(), i, 100 * i));
    }
    List<SettlementPlan> plans = List.of(
        SettlementPlan.of("fed-1337/round-0", BigInteger.valueOf(6_000), sites, Weighting.SCORE),
        SettlementPlan.of("fed-1337/round-1", BigInteger.valueOf(1_400), sites, Weighting.EXAMPLES));
    try (var chain = org.sparkgrid.settlement.chain.Chain.connect(node.rpcUrl(), node.chainId())) {
      org.sparkgrid.settlement.JobDeposit.of(recorded.escrow(), "fed-1337").deposit(chain, node.key(0),
          BigInteger.valueOf(7_400), System.currentTimeMillis() / 1000 + 3600); // the requester's: both rounds
    }
    List<Map<String, Object>> settled = RewardSettlement.settle(config, plans, coordinator, "fed-1337");
    assertThat(settled).extracting(m -> m.get("chainId")).containsExactly(1337L, 1337L);

    for (int i = 1; i <= SITES; i++) {
      String account = node.key(i).address();
      BigInteger owed = plans.stream().flatMap(p -> p.payouts().stream())
          .filter(p -> p.account().equalsIgnoreCase(account)).map(Payout::amount)
          .reduce(BigInteger.ZERO, BigInteger::add);
      assertThat(run(home, 0, false, withKey(i, "rewards", "claim", "--account", account)))
          .contains("claimed " + owed + " in all for " + account);
      assertThat(run(home, 0, false, "balance", account)).contains(account + " " + owed);
    }
    assertThat(owed(plans)).isEqualTo(BigInteger.valueOf(7_400));
    assertThat(run(home, 0, false, "rewards", "reconcile")).contains("ledger and chain agree");

    // the ledger altered with the same total: two payouts of round 1 swap their amounts
    SettlementPlan round1 = plans.get(1);
    Path receipt = home.resolve("settlements").resolve(round1.id().hex() + ".json");
    ObjectMapper json = new ObjectMapper();
    ObjectNode tree = (ObjectNode) json.readTree(receipt.toFile());
    ArrayNode payouts = (ArrayNode) tree.get("payouts");
    String first = payouts.get(0).get("amount").asText();
    ((ObjectNode) payouts.get(0)).put("amount", payouts.get(2).get("amount").asText());
    ((ObjectNode) payouts.get(2)).put("amount", first);
    Files.writeString(receipt, json.writeValueAsString(tree));

    String out = run(home, 1, false, "rewards", "reconcile");

    assertThat(out).contains("DIFFERENCE fed-1337/round-1 LEDGER_ROOT: payouts hash to 0x")
        .contains(", stored root " + round1.root().hex())
        .doesNotContain("DIFFERENCE fed-1337/round-0")
        .endsWith("ledger and chain differ\n");
  }

  private static BigInteger owed(List<SettlementPlan> plans) {
    return plans.stream().map(SettlementPlan::total).reduce(BigInteger.ZERO, BigInteger::add);
  }

  @Test
  void aWrongChainIdIsRefusedAtStartInOneLine() throws Exception {
    Path home = dir.resolve("wrong-id");

    String err = run(home, 2, true, withKey(0, "chain", "deploy", "--rpc", node.rpcUrl(), "--chain-id", "31337"));

    assertThat(err).isEqualTo("sparkgrid: the chain at " + node.rpcUrl() + " has chain id 1337, but chain id 31337"
        + " is configured (spark.sparkgrid.chain.chainId or chain.json)\n");
    assertThat(home.resolve("chain.json")).doesNotExist();

    // a federation configured for another chain stops before it trains
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", home.toString(),
        "spark.sparkgrid.chain.rpcUrl", node.rpcUrl(), "spark.sparkgrid.chain.chainId", "31337",
        "spark.sparkgrid.chain.distributor", "0x" + "11".repeat(20),
        "spark.sparkgrid.chain.keystore", keystores.get(0).toString(),
        "spark.sparkgrid.chain.keystorePasswordFile", passwordFile.toString()));
    assertThatThrownBy(() -> RewardSettlement.coordinatorKey(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the chain at " + node.rpcUrl() + " has chain id 1337, but chain id 31337 is configured"
            + " (spark.sparkgrid.chain.chainId or chain.json)");
  }

  @Test
  void aRevertReachesTheUserAsOneDecodedLine() {
    Path home = dir.resolve("revert");
    deploy(home);

    String err = run(home, 2, true, withKey(0, "escrow", "withdraw", "--job", "never-deposited"));

    String jobId = org.web3j.utils.Numeric.toHexString(RewardsCommands.escrowId("never-deposited"));
    assertThat(err).isEqualTo("sparkgrid: JobEscrow.refund(bytes32) reverted: NotDeposited(jobId=" + jobId + ")\n");
  }

  @Test
  void aWrongKeystorePasswordIsBadInputWithoutTheKey() throws Exception {
    Path wrong = Files.writeString(dir.resolve("wrong.txt"), "battery staple\n");

    String err = run(dir.resolve("pw"), 2, true, "chain", "deploy", "--rpc", node.rpcUrl(), "--chain-id", "1337",
        "--keystore", keystores.get(0).toString(), "--password-file", wrong.toString());

    assertThat(err).isEqualTo("sparkgrid: keystore " + keystores.get(0) + " cannot be opened with this password\n");
  }

  @Test
  void theLocalChainKeepsItsContractsAndReceiptsAcrossARestartAndSetsAsideThoseOfALostChain() throws Exception {
    Path home = dir.resolve("local");
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", home.toString()));
    ChainCommands.LocalStart first = ChainCommands.startLocal(config, LocalChain.builder());
    int port = first.node().port();
    SettlementPlan plan = SettlementPlan.of("local/round-0", BigInteger.valueOf(500), List.of(
        new Payee("site-01", first.node().key(1).address(), 1, 1)), Weighting.SCORE);
    try {
      try (var chain = org.sparkgrid.settlement.chain.Chain.connect(first.node().rpcUrl(), first.node().chainId())) {
        org.sparkgrid.settlement.JobDeposit.of(ChainRecord.read(ChainRecord.file(config)).escrow(), "local")
            .deposit(chain, first.node().key(0), BigInteger.valueOf(500), System.currentTimeMillis() / 1000 + 3600);
      }
      RewardSettlement.settle(config, List.of(plan), first.node().key(0), "local");
    } finally {
      first.node().close(); // writes the state file
    }
    assertThat(first.resumed()).isFalse();
    assertThat(ChainCommands.stateFile(config)).isNotEmptyFile();

    ChainCommands.LocalStart second = ChainCommands.startLocal(config, LocalChain.builder().port(port));
    try {
      assertThat(second.resumed()).isTrue();
      assertThat(second.record()).isEqualTo(first.record());
      assertThat(run(home, 0, false, "rewards", "reconcile")).contains("local/round-0").contains("ledger and chain agree");
    } finally {
      second.node().close();
    }

    Files.delete(ChainCommands.stateFile(config)); // the node's chain is lost; the home still holds its receipt
    ChainCommands.LocalStart third = ChainCommands.startLocal(config, LocalChain.builder().port(port));
    try {
      assertThat(third.resumed()).isFalse();
      assertThat(third.receiptsSetAside()).isEqualTo(1);
      assertThat(home.resolve("settlements-lost").resolve(plan.id().hex() + ".json")).exists();
      assertThat(run(home, 0, false, "rewards", "reconcile")).contains("ledger and chain agree")
          .doesNotContain("local/round-0");
    } finally {
      third.node().close();
    }
  }

  @Test
  void aFederationStartedByFederateSettlesEveryRoundOnTheDeployedChainAndEverySiteClaims() throws Exception {
    String fmnist = "/usr/share/datasets/fashion-mnist";
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of(fmnist, "train-images-idx3-ubyte.gz")),
        "Fashion-MNIST missing");
    Path home = dir.resolve("federate");
    deploy(home);
    org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
    var all = org.sparkgrid.jobs.data.IdxReader.read(hadoop, fmnist + "/train", 900);
    int[][] split = org.sparkgrid.federation.split.DatasetSplits.iid(all.count(), SITES, 7);
    List<org.sparkgrid.federation.sites.FederationFile.Site> sites = new ArrayList<>();
    for (int s = 0; s < SITES; s++) {
      Path p = Files.createDirectories(dir.resolve("sites").resolve("site-0" + (s + 1)));
      org.sparkgrid.jobs.data.IdxWriter.write(hadoop, p.resolve("train").toString(), all, split[s]);
      sites.add(new org.sparkgrid.federation.sites.FederationFile.Site("site-0" + (s + 1), "file:" + p.resolve("train"),
          node.key(s + 1).address(), 1.0, List.of(), new org.sparkgrid.federation.sites.FederationFile.SiteKey.Dev(s + 1)));
    }
    Path federation = Files.write(dir.resolve("federation.json"),
        new org.sparkgrid.federation.sites.FederationFile(sites, java.util.Set.of()).toJson());
    Path request = Files.writeString(dir.resolve("request.json"), """
        {"schema": 1, "id": "fed-1337", "mode": "tree",
         "model": {"name": "fed-1337", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "file:%s/t10k", "test": "file:%s/t10k", "limit": 500},
         "training": {"epochs": 1, "batchSize": 32, "seed": 3, "updater": {"type": "adam", "learningRate": 0.003}},
         "federation": {"sites": "file:%s", "rounds": 2, "localEpochs": 1, "minSites": 3,
                        "roundTimeoutMs": 120000, "strategy": {"type": "fedavg"}},
         "reward": {"poolPerRound": "1000", "scoring": "examples"}}
        """.formatted(fmnist, fmnist, federation));
    List<String> properties = List.of("spark.master", "spark.ui.enabled", "spark.sparkgrid.chain.keystore",
        "spark.sparkgrid.chain.keystorePasswordFile");
    // the requester (here the token holder, account 0) deposits the job's rewards: 2 rounds x 1000
    assertThat(run(home, 0, false, withKey(0, "escrow", "deposit", "--job", "fed-1337", "--amount", "2000")))
        .contains("deposited 2000 for job fed-1337");
    try {
      run(home, 0, false, "federate", "--request", request.toString(), "--master", "local[2]",
          "--conf", "spark.ui.enabled=false",
          "--conf", "spark.sparkgrid.chain.keystore=" + keystores.get(0),
          "--conf", "spark.sparkgrid.chain.keystorePasswordFile=" + passwordFile);
    } finally {
      properties.forEach(System::clearProperty);
    }

    String listed = run(home, 0, false, "rewards", "list", "--federation", "fed-1337");
    assertThat(listed).contains("fed-1337/round-0").contains("fed-1337/round-1");
    BigInteger paid = BigInteger.ZERO;
    for (int i = 1; i <= SITES; i++) {
      String account = node.key(i).address();
      String out = run(home, 0, false, withKey(i, "rewards", "claim", "--account", account));
      BigInteger claimed = new BigInteger(out.replaceAll("(?s).*claimed (\\d+) in all.*", "$1"));
      assertThat(claimed).as(out).isPositive();
      assertThat(run(home, 0, false, "balance", account)).contains(account + " " + claimed);
      paid = paid.add(claimed);
    }
    assertThat(paid).isEqualTo(BigInteger.valueOf(2_000)); // two rounds of 1000, all claimed
    assertThat(run(home, 0, false, "rewards", "reconcile")).contains("ledger and chain agree");
  }
}
