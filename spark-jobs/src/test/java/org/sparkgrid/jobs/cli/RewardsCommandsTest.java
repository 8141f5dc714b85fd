package org.sparkgrid.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.jobs.tree.RewardSettlement;
import org.sparkgrid.settlement.Claimant;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.Deployer;
import org.sparkgrid.settlement.chain.Deployment;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.ledger.Payee;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.sparkgrid.settlement.ledger.Weighting;

/** {@code rewards list|reconcile} and {@code balance} against a real local chain with two settlements. */
class RewardsCommandsTest {
  @TempDir static Path home;
  private static LocalChain node;
  private static Chain chain;
  private static List<SettlementPlan> plans;
  private static Deployment deployment;

  @BeforeAll
  static void settleTwoRounds() throws Exception {
    System.setProperty(LocalChain.NODE_MODULES_PROPERTY, Path.of("..", "settlement", "node_modules").toString());
    node = LocalChain.builder().build().start();
    chain = Chain.connect(node.rpcUrl(), node.chainId());
    deployment = Deployer.with(chain, node.key(0)).deploy();
    new ObjectMapper().writeValue(home.resolve("chain.json").toFile(), Map.of("rpcUrl", node.rpcUrl(),
        "chainId", node.chainId(), "distributor", deployment.distributor(), "token", deployment.token(),
        "escrow", deployment.escrow()));
    List<Payee> sites = List.of(
        new Payee("site-01", node.key(1).address(), 0.3, 100),
        new Payee("site-02", node.key(2).address(), 0.1, 100));
    plans = List.of(SettlementPlan.of("fed-1/round-0", BigInteger.valueOf(1000), sites, Weighting.SCORE),
        SettlementPlan.of("fed-1/round-1", BigInteger.valueOf(1000), sites, Weighting.EXAMPLES));
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", home.toString(),
        "spark.sparkgrid.chain.rpcUrl", node.rpcUrl(), "spark.sparkgrid.chain.distributor", deployment.distributor(),
        "spark.sparkgrid.chain.escrow", deployment.escrow()));
    // the requester (here the token holder, account 0) deposits both rounds' pools
    org.sparkgrid.settlement.JobDeposit.of(deployment.escrow(), "fed-1").deposit(chain, node.key(0),
        BigInteger.valueOf(2_000), System.currentTimeMillis() / 1000 + 3600);
    RewardSettlement.settle(config, plans, node.key(0), "fed-1");
  }

  @AfterAll
  static void stop() {
    if (chain != null) {
      chain.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private static String run(int expectedStatus, String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int rc;
    try {
      String[] all = new String[args.length + 2];
      System.arraycopy(args, 0, all, 0, args.length);
      all[args.length] = "--conf";
      all[args.length + 1] = "spark.sparkgrid.home=" + home;
      rc = SparkGridCli.execute(all);
    } finally {
      System.setOut(old);
      System.clearProperty("spark.sparkgrid.home");
    }
    assertThat(rc).as(out.toString(StandardCharsets.UTF_8)).isEqualTo(expectedStatus);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The CLI in a child JVM, with SPARKGRID_CHAIN_KEY in its environment as a user would set it. */
  private static String runWithKey(String privateKeyHex, String... args) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
        "org.sparkgrid.jobs.cli.SparkGridCli"));
    cmd.addAll(java.util.List.of(args));
    cmd.addAll(java.util.List.of("--conf", "spark.sparkgrid.home=" + home));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("SPARKGRID_CHAIN_KEY", privateKeyHex);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  private static String privateKey(int i) {
    return org.web3j.utils.Numeric.toHexStringNoPrefixZeroPadded(
        node.key(i).credentials().getEcKeyPair().getPrivateKey(), 64);
  }

  @Test
  void aSiteClaimsItsPayoutsWithItsKeyFromTheEnvironment() throws Exception {
    String acct = node.key(1).address();
    java.math.BigInteger owed = plans.stream().flatMap(p -> p.payouts().stream())
        .filter(p -> p.account().equalsIgnoreCase(acct)).map(p -> p.amount()).reduce(BigInteger.ZERO, BigInteger::add);

    String out = runWithKey(privateKey(1), "rewards", "claim", "--account", acct);

    assertThat(out).contains("claimed " + owed + " in all");
    assertThat(run(0, "balance", acct)).contains(acct + " " + owed);
    assertThat(runWithKey(privateKey(1), "rewards", "claim", "--account", acct)).contains("claimed already");
  }

  @Test
  void aFeeIsDepositedThenWithdrawnMinusThePenalty() throws Exception {
    String out = runWithKey(privateKey(0), "escrow", "deposit", "--job", "job-77", "--fee", "1000");
    assertThat(out).contains("deposited 1000 for job job-77");

    out = runWithKey(privateKey(0), "escrow", "withdraw", "--job", "job-77");

    assertThat(out).contains("refunded job job-77");
  }

  @Test
  void claimingWithoutAKeyIsBadInputNamingTheVariable() {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assumeNoKey();
      run(2, "rewards", "claim", "--account", node.key(1).address());
    } finally {
      System.setErr(old);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("SPARKGRID_CHAIN_KEY is not set");
  }

  private static void assumeNoKey() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("SPARKGRID_CHAIN_KEY") == null);
  }

  @Test
  void listShowsEachSettlementWithItsPayouts() {
    String out = run(0, "rewards", "list", "--federation", "fed-1");

    assertThat(out).contains("fed-1/round-0").contains("fed-1/round-1").contains(node.key(1).address());
  }

  @Test
  void balanceAndReconcileFollowAClaim() throws Exception {
    String acct = node.key(2).address();
    assertThat(run(0, "balance", acct)).contains(acct + " 0");

    new Claimant(chain, node.key(2), deployment.distributor()).claim(plans.get(1), plans.get(1).payouts().stream()
        .filter(p -> p.account().equalsIgnoreCase(acct)).findFirst().orElseThrow().index());

    assertThat(run(0, "balance", acct)).contains(acct + " 500");
    assertThat(run(0, "rewards", "reconcile")).contains("ledger and chain agree");
  }
}
