package org.sparkgrid.jobs.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
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
import org.sparkgrid.settlement.JobDeposit;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.Deployer;
import org.sparkgrid.settlement.chain.Deployment;
import org.sparkgrid.settlement.chain.EventLogs;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.contracts.JobEscrow;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.contracts.SparkGridToken;
import org.sparkgrid.settlement.ledger.Bytes32;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.WalletUtils;

/**
 * Per-round settlement of a tree-mode federation on real Spark ({@code local[2]}) and a real anvil
 * node, paid from the requester's deposit in the escrow: each round is published when it ends,
 * drawing its pool from the deposit (the coordinator's tokens and allowance untouched), a missing
 * or small deposit is refused before training, and a federation stopped between a round's
 * checkpoint and its settlement, then resumed, pays every round exactly once.
 */
class FederationSettlementSparkTest {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  private static final String POOL = "1000000";
  private static final BigInteger THREE_POOLS = new BigInteger(POOL).multiply(BigInteger.valueOf(3));
  private static JavaSparkContext sc;
  @TempDir static Path dir;
  private static Path federationFile;
  private static FederationFile federation;
  private static LocalChain node;
  private static Path passwordFile;
  private static Path coordinatorKeystore;

  @BeforeAll
  static void setUp() throws Exception {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    System.setProperty(LocalChain.NODE_MODULES_PROPERTY, Path.of("..", "settlement", "node_modules").toString());
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("FederationSettlementSparkTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    sc.setLogLevel("ERROR");
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, FMNIST + "/train", 1200);
    int[][] split = DatasetSplits.iid(all.count(), 3, 7);
    List<FederationFile.Site> sites = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      String id = "site-0" + (s + 1);
      Path p = Files.createDirectories(dir.resolve(id));
      IdxWriter.write(conf, p.resolve("train").toString(), all, split[s]);
      sites.add(new FederationFile.Site(id, "file:" + p.resolve("train"),
          LocalChain.derive(LocalChain.DEV_MNEMONIC, s + 1).address(), 1.0, List.of(),
          new FederationFile.SiteKey.Dev(s + 1)));
    }
    federation = new FederationFile(sites, Set.of());
    federationFile = Files.write(dir.resolve("federation.json"), federation.toJson());
    node = LocalChain.builder().build().start();
    passwordFile = Files.writeString(dir.resolve("password.txt"), "correct horse\n");
    Path ks = Files.createDirectories(dir.resolve("keystores"));
    coordinatorKeystore = ks.resolve(WalletUtils.generateWalletFile("correct horse",
        node.key(0).credentials().getEcKeyPair(), ks.toFile(), false));
  }

  @AfterAll
  static void tearDown() {
    if (sc != null) {
      sc.stop();
    }
    if (node != null) {
      node.close();
    }
  }

  private static TrainingRequest request(String id) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s", "mode": "tree",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "file:%s/t10k", "test": "file:%s/t10k", "limit": 500},
         "training": {"epochs": 1, "batchSize": 32, "seed": 3, "updater": {"type": "adam", "learningRate": 0.003}},
         "federation": {"sites": "file:%s", "rounds": 3, "localEpochs": 1, "minSites": 3,
                        "roundTimeoutMs": 120000, "strategy": {"type": "fedavg"}},
         "reward": {"poolPerRound": "%s", "scoring": "loss-improvement"}}
        """.formatted(id, id, FMNIST, FMNIST, federationFile, POOL));
  }

  /** A runner paying on the deployment, with the coordinator's key from a keystore; its own home. */
  private static FederationRunner runner(Deployment d, String home, ProgressListener progress) {
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.store.root",
        dir.resolve("store").toUri().toString(), "spark.sparkgrid.home", dir.resolve(home).toString(),
        "spark.sparkgrid.chain.rpcUrl", node.rpcUrl(), "spark.sparkgrid.chain.chainId", "" + node.chainId(),
        "spark.sparkgrid.chain.distributor", d.distributor(), "spark.sparkgrid.chain.escrow", d.escrow(),
        "spark.sparkgrid.chain.keystore", coordinatorKeystore.toString(),
        "spark.sparkgrid.chain.keystorePasswordFile", passwordFile.toString()));
    return new FederationRunner(sc, config,
        new HadoopModelStore(dir.resolve("store").toUri().toString(), sc.hadoopConfiguration()),
        new HadoopCheckpointStore(dir.resolve("store").toUri().toString(), sc.hadoopConfiguration()), progress,
        new LocalSiteTrainer());
  }

  /** The requester (account 5) deposits {@code amount} for the job: what 'bin/sparkgrid escrow deposit' sends. */
  private static JobDeposit deposit(Chain chain, Deployment d, String job, BigInteger amount) throws Exception {
    ChainKey requester = node.key(5);
    SparkGridToken.load(d.token(), chain.web3j(), chain.transactionManager(node.key(0)), chain.gas())
        .transfer(requester.address(), amount).send();
    SparkGridToken.load(d.token(), chain.web3j(), chain.transactionManager(requester), chain.gas())
        .approve(d.escrow(), amount).send();
    JobDeposit deposit = JobDeposit.of(d.escrow(), job);
    JobEscrow.load(d.escrow(), chain.web3j(), chain.transactionManager(requester), chain.gas())
        .deposit(deposit.id().bytes(), amount, BigInteger.valueOf(System.currentTimeMillis() / 1000 + 3600)).send();
    return deposit;
  }

  private static RewardDistributor distributor(Chain chain, Deployment d) {
    return RewardDistributor.load(d.distributor(), chain.web3j(), chain.transactionManager(node.key(0)),
        chain.gas());
  }

  private static Bytes32 rootOnChain(RewardDistributor distributor, String settlement) throws Exception {
    return Bytes32.of(distributor.settlement(SettlementPlan.idOf(settlement).bytes()).send().component1());
  }

  /** How many SettlementPublished events the distributor emitted for the settlement. */
  private static int publications(Chain chain, Deployment d, String settlement) throws Exception {
    return EventLogs.read(chain.web3j(), d.distributor(), 1000, 0,
        EventEncoder.encode(RewardDistributor.SETTLEMENTPUBLISHED_EVENT), SettlementPlan.idOf(settlement).hex()).size();
  }

  @Test
  void eachRoundIsSettledWhenItEndsAndNoAllowanceIsLeft() throws Exception {
    try (Chain chain = Chain.connect(node.rpcUrl(), node.chainId())) {
      Deployment d = Deployer.with(chain, node.key(0)).deploy();
      RewardDistributor distributor = distributor(chain, d);
      SparkGridToken token = SparkGridToken.load(d.token(), chain.web3j(), chain.transactionManager(node.key(0)),
          chain.gas());
      JobDeposit deposit = deposit(chain, d, "per-round", THREE_POOLS.add(BigInteger.valueOf(7)));
      BigInteger coordinatorTokens = token.balanceOf(node.key(0).address()).send();
      BigInteger requesterTokens = token.balanceOf(node.key(5).address()).send();
      List<String> seen = new ArrayList<>();
      ProgressListener observer = new ProgressListener() {
        @Override
        public void settled(java.time.Duration latency) { // the metrics' settlement latency, before roundDone
          seen.add("settled in " + (latency.isNegative() || latency.isZero() ? "no time" : "some time"));
        }

        @Override
        public void roundDone(RoundReport report) {
          try { // when round r is done (its checkpoint written): its root is on chain, the next round's is not
            int r = report.metrics().round();
            seen.add(r + ":" + !rootOnChain(distributor, "per-round/round-" + r).isZero() + ":"
                + !rootOnChain(distributor, "per-round/round-" + (r + 1)).isZero() + ":"
                + token.allowance(node.key(0).address(), d.distributor()).send() + ":"
                + deposit.read(chain).remaining());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      };

      FederationRunner.Result r = runner(d, "home-per-round", observer).run(request("per-round"), "per-round");

      // each round drew its pool from the deposit (3,000,007), nothing from the coordinator
      assertThat(seen).containsExactly("settled in some time", "0:true:false:0:2000007", "settled in some time",
          "1:true:false:0:1000007", "settled in some time", "2:true:false:0:7");
      List<SettlementPlan> plans = TreeRewards.plans("per-round", federation, r.state().contributions(),
          request("per-round").reward());
      assertThat(plans).hasSize(3);
      for (SettlementPlan plan : plans) {
        assertThat(rootOnChain(distributor, plan.name())).as(plan.name()).isEqualTo(plan.root());
        assertThat(publications(chain, d, plan.name())).as(plan.name()).isEqualTo(1);
      }
      assertThat(token.allowance(node.key(0).address(), d.distributor()).send()).isZero();
      assertThat(token.balanceOf(d.distributor()).send()).isEqualTo(THREE_POOLS);
      assertThat(token.balanceOf(node.key(0).address()).send()).isEqualTo(coordinatorTokens);
      // succeeded: the rest of the deposit went back to the requester, the deposit is closed
      assertThat(deposit.read(chain).status()).isEqualTo(2);
      assertThat(token.balanceOf(node.key(5).address()).send()).isEqualTo(requesterTokens.add(BigInteger.valueOf(7)));
    }
  }

  @Test
  void aFederationStoppedAfterRoundTwoAndResumedPaysEveryRoundOnce() throws Exception {
    try (Chain chain = Chain.connect(node.rpcUrl(), node.chainId())) {
      Deployment d = Deployer.with(chain, node.key(0)).deploy();
      RewardDistributor distributor = distributor(chain, d);
      deposit(chain, d, "stopped", THREE_POOLS);
      // the coordinator stops after round 2's checkpoint, before round 2 is settled
      ProgressListener killer = new ProgressListener() {
        @Override
        public void phase(String line) {
          if (line.startsWith("Settling [stopped/round-1]")) {
            throw new IllegalStateException("killed");
          }
        }
      };
      assertThatThrownBy(() -> runner(d, "home-stopped", killer).run(request("stopped"), "stopped"))
          .hasMessage("killed");
      assertThat(rootOnChain(distributor, "stopped/round-0").isZero()).as("round 1 paid before the stop").isFalse();
      assertThat(rootOnChain(distributor, "stopped/round-1").isZero()).as("round 2 not paid yet").isTrue();

      List<String> lines = new ArrayList<>();
      ProgressListener recorder = new ProgressListener() {
        @Override
        public void phase(String line) {
          lines.add(line);
        }
      };
      FederationRunner.Result resumed = runner(d, "home-stopped", recorder).resume("stopped");

      assertThat(resumed.rounds()).hasSize(3);
      assertThat(lines).contains("Settling [stopped/round-0, stopped/round-1] on " + node.rpcUrl());
      List<SettlementPlan> plans = TreeRewards.plans("stopped", federation, resumed.state().contributions(),
          request("stopped").reward());
      assertThat(plans).extracting(SettlementPlan::name)
          .containsExactly("stopped/round-0", "stopped/round-1", "stopped/round-2");
      Map<String, BigInteger> owed = new HashMap<>();
      for (SettlementPlan plan : plans) {
        assertThat(publications(chain, d, plan.name())).as(plan.name() + " published once").isEqualTo(1);
        var onChain = distributor.settlement(plan.id().bytes()).send();
        assertThat(Bytes32.of(onChain.component1())).as(plan.name()).isEqualTo(plan.root());
        assertThat(onChain.component2()).as(plan.name()).isEqualTo(new BigInteger(POOL));
        for (int i = 0; i < plan.payouts().size(); i++) {
          var p = plan.payouts().get(i);
          int site = federation.sites().stream().map(FederationFile.Site::account).toList().indexOf(p.account());
          new Claimant(chain, LocalChain.derive(LocalChain.DEV_MNEMONIC, site + 1), d.distributor()).claim(plan, i);
          owed.merge(p.account(), p.amount(), BigInteger::add);
        }
      }
      // every round's pool went out, and nothing is left in the distributor: no round was funded twice
      assertThat(owed.values().stream().reduce(BigInteger.ZERO, BigInteger::add))
          .isEqualTo(new BigInteger(POOL).multiply(BigInteger.valueOf(3)));
      SparkGridToken token = SparkGridToken.load(d.token(), chain.web3j(), chain.transactionManager(node.key(0)),
          chain.gas());
      assertThat(token.balanceOf(d.distributor()).send()).isZero();
      for (Map.Entry<String, BigInteger> e : owed.entrySet()) {
        assertThat(token.balanceOf(e.getKey()).send()).as(e.getKey()).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void aRefusedSettlementStopsTheFederationNamingItsRoundAndResumePaysIt() throws Exception {
    try (Chain chain = Chain.connect(node.rpcUrl(), node.chainId())) {
      Deployment d = Deployer.with(chain, node.key(0)).deploy();
      RewardDistributor distributor = distributor(chain, d);
      deposit(chain, d, "refused", THREE_POOLS);
      distributor.pause().send(); // the chain refuses every publication

      assertThatThrownBy(() -> runner(d, "home-refused", ProgressListener.NONE).run(request("refused"), "refused"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("federation refused stopped: the chain refused settlement 'refused/round-0': ")
          .hasMessageContaining("EnforcedPause")
          .hasMessageEndingWith("(the rounds before it are paid; resuming the federation settles it again)");

      distributor(chain, d).unpause().send(); // a fresh nonce: the settler has sent with the same key since
      FederationRunner.Result resumed = runner(d, "home-refused", ProgressListener.NONE).resume("refused");

      assertThat(resumed.rounds()).hasSize(3);
      for (int r = 0; r < 3; r++) {
        assertThat(publications(chain, d, "refused/round-" + r)).as("round-" + r).isEqualTo(1);
      }
    }
  }

  @Test
  void aMissingOrSmallDepositIsRefusedBeforeTrainingInOneLine() throws Exception {
    try (Chain chain = Chain.connect(node.rpcUrl(), node.chainId())) {
      Deployment d = Deployer.with(chain, node.key(0)).deploy();
      List<String> lines = new ArrayList<>();
      ProgressListener recorder = new ProgressListener() {
        @Override
        public void phase(String line) {
          lines.add(line);
        }
      };

      assertThatThrownBy(() -> runner(d, "home-no-deposit", recorder).run(request("no-deposit"), "no-deposit"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("reward: job 'no-deposit' has no deposit in the escrow " + d.escrow() + "; its requester must"
              + " deposit 3000000 (poolPerRound 1000000 x 3 rounds) first: bin/sparkgrid escrow deposit --job"
              + " no-deposit --fee 3000000");

      deposit(chain, d, "small-deposit", THREE_POOLS.subtract(BigInteger.ONE));
      assertThatThrownBy(() -> runner(d, "home-small", recorder).run(request("small-deposit"), "small-deposit"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("reward: the deposit of job 'small-deposit' in the escrow " + d.escrow() + " is 2999999, less"
              + " than the 3000000 its rewards need (poolPerRound 1000000 x 3 rounds)");
      assertThat(lines).noneMatch(l -> l.startsWith("round ") || l.startsWith("Federation "));
      assertThat(new HadoopCheckpointStore(dir.resolve("store").toUri().toString(), sc.hadoopConfiguration())
          .latest("small-deposit")).isEmpty();
    }
  }
}
