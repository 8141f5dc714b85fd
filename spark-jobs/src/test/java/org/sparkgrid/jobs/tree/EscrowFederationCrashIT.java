package org.sparkgrid.jobs.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.federation.round.RoundState;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.split.DatasetSplits;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.jobs.service.ServiceProcess;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
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
import org.sparkgrid.settlement.ledger.Payout;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.WalletUtils;

/**
 * The crash test, on a real anvil node and real Spark ({@code local[2]}) in a child JVM: a
 * 4-round federation paid from its requester's escrow deposit is killed with SIGKILL right after
 * round 2 is checkpointed and settled, then resumed in a second JVM. Every round is paid exactly
 * once, from the deposit and not the coordinator: each site's claimable total, read back with the
 * distributor's view functions and then claimed, equals the sum of its four rounds' ledgers
 * (rebuilt from the checkpointed contributions); the deposit's remaining amount is the deposit
 * minus what was paid (after the kill: minus two rounds), and at the end the rest goes back to the
 * requester.
 */
class EscrowFederationCrashIT {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  private static final String JOB = "escrow-crash";
  private static final BigInteger POOL = BigInteger.valueOf(1_000_000);
  private static final int ROUNDS = 4;
  private static final BigInteger DEPOSIT = POOL.multiply(BigInteger.valueOf(ROUNDS)).add(BigInteger.valueOf(123_456));

  @TempDir Path dir;
  private LocalChain node;
  private final List<Process> children = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : children) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
  }

  private FederationFile writeSites(Configuration conf) throws Exception {
    ExampleShard all = IdxReader.read(conf, FMNIST + "/train", 900);
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
    return new FederationFile(sites, Set.of());
  }

  private static String request(Path federationFile) {
    return """
        {"schema": 1, "id": "%s", "mode": "tree",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [8]}},
         "data": {"format": "idx", "train": "file:%s/t10k", "test": "file:%s/t10k", "limit": 300},
         "training": {"epochs": 1, "batchSize": 32, "seed": 3, "updater": {"type": "adam", "learningRate": 0.003}},
         "federation": {"sites": "file:%s", "rounds": %d, "localEpochs": 1, "minSites": 3,
                        "roundTimeoutMs": 120000, "strategy": {"type": "fedavg"}},
         "reward": {"poolPerRound": "%s", "scoring": "loss-improvement"}}
        """.formatted(JOB, JOB, FMNIST, FMNIST, federationFile, ROUNDS, POOL);
  }

  private Process child(List<String> args, String log) throws Exception {
    Process p = ServiceProcess.start(FederationChild.class, args, dir.resolve(log));
    children.add(p);
    return p;
  }

  /** Waits for a line in the child's log; fails with the log's tail if the child ends or time runs out. */
  private String awaitLine(Process p, Path log, String line, long seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      if (text.contains(line)) {
        return text;
      }
      if (!p.isAlive()) {
        throw new AssertionError("the child ended (exit " + p.exitValue() + ") before '" + line + "':\n" + tail(text));
      }
      Thread.sleep(500);
    }
    throw new AssertionError("no '" + line + "' within " + seconds + " s:\n" + tail(Files.readString(log)));
  }

  private static String tail(String text) {
    return text.length() < 6000 ? text : text.substring(text.length() - 6000);
  }

  private static int events(Chain chain, String address, String topic0, String topic1) throws Exception {
    return EventLogs.read(chain.web3j(), address, 1000, 0, topic0, topic1).size();
  }

  @Test
  void killedAfterRoundTwoOfFourAndResumedPaysEveryRoundOnceFromTheDeposit() throws Exception {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    System.setProperty(LocalChain.NODE_MODULES_PROPERTY, Path.of("..", "settlement", "node_modules").toString());
    Configuration conf = new Configuration();
    FederationFile federation = writeSites(conf);
    Path federationFile = Files.write(dir.resolve("federation.json"), federation.toJson());
    Path requestFile = Files.writeString(dir.resolve("request.json"), request(federationFile));
    TrainingRequest request = RequestCodec.parse(Files.readString(requestFile));

    node = LocalChain.builder().build().start();
    ChainKey coordinator = node.key(0);
    ChainKey requester = node.key(5);
    try (Chain chain = Chain.connect(node.rpcUrl(), node.chainId())) {
      Deployment d = Deployer.with(chain, coordinator).deploy();
      SparkGridToken token = SparkGridToken.load(d.token(), chain.web3j(), chain.transactionManager(coordinator),
          chain.gas());
      token.transfer(requester.address(), DEPOSIT).send();
      // the requester funds the job's rewards: what 'bin/sparkgrid escrow deposit --job escrow-crash --fee N' sends
      SparkGridToken.load(d.token(), chain.web3j(), chain.transactionManager(requester), chain.gas())
          .approve(d.escrow(), DEPOSIT).send();
      JobDeposit deposit = JobDeposit.of(d.escrow(), JOB);
      JobEscrow.load(d.escrow(), chain.web3j(), chain.transactionManager(requester), chain.gas())
          .deposit(deposit.id().bytes(), DEPOSIT, BigInteger.valueOf(System.currentTimeMillis() / 1000 + 3600)).send();
      BigInteger coordinatorTokens = token.balanceOf(coordinator.address()).send();

      Path password = Files.writeString(dir.resolve("password.txt"), "correct horse\n");
      Path ks = Files.createDirectories(dir.resolve("keystores"));
      Path keystore = ks.resolve(WalletUtils.generateWalletFile("correct horse",
          coordinator.credentials().getEcKeyPair(), ks.toFile(), false));
      String store = dir.resolve("store").toUri().toString();
      Path config = Files.writeString(dir.resolve("config.properties"), String.join("\n",
          "spark.sparkgrid.store.root=" + store,
          "spark.sparkgrid.home=" + dir.resolve("home"),
          "spark.sparkgrid.chain.rpcUrl=" + node.rpcUrl(),
          "spark.sparkgrid.chain.chainId=" + node.chainId(),
          "spark.sparkgrid.chain.distributor=" + d.distributor(),
          "spark.sparkgrid.chain.escrow=" + d.escrow(),
          "spark.sparkgrid.chain.keystore=" + keystore,
          "spark.sparkgrid.chain.keystorePasswordFile=" + password) + "\n");
      RewardDistributor distributor = RewardDistributor.load(d.distributor(), chain.web3j(),
          chain.transactionManager(coordinator), chain.gas());

      // 1. run; SIGKILL once round 2 (round-1) is checkpointed and settled
      Process first = child(List.of("run", config.toString(), JOB, requestFile.toString(), "1"), "first.log");
      awaitLine(first, dir.resolve("first.log"), "HOLDING after round 1", 300);
      first.destroyForcibly(); // SIGKILL
      assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
      assertThat(Bytes32.of(distributor.settlement(SettlementPlan.idOf(JOB + "/round-1").bytes()).send().component1())
          .isZero()).as("round 2 paid before the kill").isFalse();
      assertThat(Bytes32.of(distributor.settlement(SettlementPlan.idOf(JOB + "/round-2").bytes()).send().component1())
          .isZero()).as("round 3 not paid before the kill").isTrue();
      JobDeposit.State afterKill = deposit.read(chain);
      assertThat(afterKill.remaining()).as("deposit - 2 rounds").isEqualTo(DEPOSIT.subtract(POOL.multiply(BigInteger.TWO)));
      assertThat(afterKill.status()).isEqualTo(1);

      // 2. resume in a fresh JVM: rounds 3 and 4, nothing paid twice
      Process second = child(List.of("resume", config.toString(), JOB), "second.log");
      assertThat(second.waitFor(300, TimeUnit.SECONDS)).as("resume finishes").isTrue();
      String log = Files.readString(dir.resolve("second.log"));
      assertThat(second.exitValue()).as(tail(log)).isZero();
      assertThat(log).contains("PHASE Settling [" + JOB + "/round-0, " + JOB + "/round-1] on " + node.rpcUrl())
          .contains("DONE " + ROUNDS + " rounds")
          .contains("PHASE Released the rest of " + JOB + "'s deposit to its requester: " + DEPOSIT.subtract(
              POOL.multiply(BigInteger.valueOf(ROUNDS))));

      // the ledgers, rebuilt from the checkpointed contributions of the four rounds
      HadoopCheckpointStore checkpoints = new HadoopCheckpointStore(store, conf);
      RoundState state = FederationRunner.readState(checkpoints, JOB, checkpoints.latest(JOB).getAsLong());
      List<SettlementPlan> plans = TreeRewards.plans(JOB, federation, state.contributions(), request.reward());
      assertThat(plans).extracting(SettlementPlan::name)
          .containsExactly(JOB + "/round-0", JOB + "/round-1", JOB + "/round-2", JOB + "/round-3");
      Map<String, BigInteger> ledger = new TreeMap<>();
      Map<String, BigInteger> claimable = new TreeMap<>();
      String published = EventEncoder.encode(RewardDistributor.SETTLEMENTPUBLISHED_EVENT);
      String funded = EventEncoder.encode(RewardDistributor.FUNDEDFROMESCROW_EVENT);
      for (SettlementPlan plan : plans) {
        assertThat(events(chain, d.distributor(), published, plan.id().hex())).as(plan.name() + " published")
            .isEqualTo(1);
        assertThat(events(chain, d.distributor(), funded, plan.id().hex())).as(plan.name() + " funded").isEqualTo(1);
        var onChain = distributor.settlement(plan.id().bytes()).send(); // (root, total, remaining)
        assertThat(Bytes32.of(onChain.component1())).as(plan.name()).isEqualTo(plan.root());
        assertThat(onChain.component2()).as(plan.name()).isEqualTo(POOL);
        for (int i = 0; i < plan.payouts().size(); i++) {
          Payout p = plan.payouts().get(i);
          ledger.merge(p.account(), p.amount(), BigInteger::add);
          if (!distributor.isClaimed(plan.id().bytes(), BigInteger.valueOf(i)).send()) {
            claimable.merge(p.account(), p.amount(), BigInteger::add);
          }
        }
        assertThat(onChain.component3()).as(plan.name() + " unclaimed").isEqualTo(POOL);
      }
      assertThat(claimable).isEqualTo(ledger);
      assertThat(ledger.values().stream().reduce(BigInteger.ZERO, BigInteger::add))
          .isEqualTo(POOL.multiply(BigInteger.valueOf(ROUNDS)));

      // each site claims: it gets exactly its four rounds' ledger, and nothing is left over
      Map<String, Integer> siteIndex = new HashMap<>();
      for (int s = 0; s < federation.sites().size(); s++) {
        siteIndex.put(federation.sites().get(s).account(), s + 1);
      }
      for (SettlementPlan plan : plans) {
        for (int i = 0; i < plan.payouts().size(); i++) {
          int s = siteIndex.get(plan.payouts().get(i).account());
          new Claimant(chain, LocalChain.derive(LocalChain.DEV_MNEMONIC, s), d.distributor()).claim(plan, i);
        }
      }
      for (Map.Entry<String, BigInteger> e : ledger.entrySet()) {
        assertThat(token.balanceOf(e.getKey()).send()).as(e.getKey()).isEqualTo(e.getValue());
      }
      assertThat(token.balanceOf(d.distributor()).send()).isZero();

      // the escrow: drawn four times, pool each; the rest back to the requester; the coordinator paid nothing
      assertThat(events(chain, d.escrow(), EventEncoder.encode(JobEscrow.DRAWN_EVENT), deposit.id().hex()))
          .isEqualTo(ROUNDS);
      JobDeposit.State end = deposit.read(chain);
      assertThat(end.status()).as("released").isEqualTo(2);
      assertThat(end.fee().subtract(POOL.multiply(BigInteger.valueOf(ROUNDS))))
          .isEqualTo(DEPOSIT.subtract(POOL.multiply(BigInteger.valueOf(ROUNDS))));
      assertThat(token.balanceOf(requester.address()).send())
          .as("the requester got back deposit - paid").isEqualTo(DEPOSIT.subtract(POOL.multiply(BigInteger.valueOf(ROUNDS))));
      assertThat(token.balanceOf(d.escrow()).send()).isZero();
      assertThat(token.balanceOf(coordinator.address()).send()).isEqualTo(coordinatorTokens);
    }
  }
}
