package org.sparkgrid.jobs.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.sites.FederationRegistry;
import org.sparkgrid.federation.sites.RegisteredFederation;
import org.sparkgrid.federation.split.DatasetSplits;
import org.sparkgrid.ingest.DeadLetter;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.settlement.JobDeposit;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.Deployer;
import org.sparkgrid.settlement.chain.Deployment;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.contracts.JobEscrow;
import org.sparkgrid.settlement.contracts.SparkGridToken;
import org.web3j.crypto.WalletUtils;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * Issue 12's first test, through a real broker, the service ({@code local[2]}) and a real anvil chain
 * with SparkGrid's contracts, the service configured to pay on it: a requester who raises the pool
 * over the registered cap, pays more than the token budget, adds an account (a federation file of the
 * request's own), adds a site, or names an unregistered federation gets a dead letter
 * {@code unauthorized} naming the field; no job is stored and the coordinator sends no transaction
 * (its nonce from {@code eth_getTransactionCount} does not move). Then a request that narrows the
 * federation within its grant runs and pays: the chain was reachable all along.
 */
class ServiceFederationAuthorizationTest {
  private static final String FMNIST = ServiceHarness.FMNIST;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final BigInteger CAP = BigInteger.valueOf(1_000);
  private static final BigInteger BUDGET = BigInteger.valueOf(3_000);
  private static final String STRANGER = LocalChain.derive(LocalChain.DEV_MNEMONIC, 9).address();
  @TempDir static Path dir;
  private static ServiceHarness harness;
  private static JobStore store;
  private static SparkGridClient client;
  private static LocalChain node;
  private static Chain chain;
  private static Deployment deployment;
  private static FederationFile registered;

  @BeforeAll
  static void start() throws Exception {
    harness = ServiceHarness.start(dir, "ServiceFederationAuthorizationTest");
    System.setProperty(LocalChain.NODE_MODULES_PROPERTY, Path.of("..", "settlement", "node_modules").toString());
    node = LocalChain.builder().build().start();
    chain = Chain.connect(node.rpcUrl(), node.chainId());
    deployment = Deployer.with(chain, node.key(0)).deploy();
    Path password = Files.writeString(dir.resolve("password.txt"), "correct horse\n");
    Path ks = Files.createDirectories(dir.resolve("keystores"));
    Path keystore = ks.resolve(WalletUtils.generateWalletFile("correct horse",
        node.key(0).credentials().getEcKeyPair(), ks.toFile(), false));

    // three sites with real data, registered by the operator: cap 1000 per round, budget 3000
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, FMNIST + "/train", 600);
    int[][] split = DatasetSplits.iid(all.count(), 3, 11);
    List<FederationFile.Site> sites = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      Path p = Files.createDirectories(dir.resolve("site-0" + (s + 1)));
      IdxWriter.write(conf, p.resolve("train").toString(), all, split[s]);
      sites.add(new FederationFile.Site("site-0" + (s + 1), "file:" + p.resolve("train"),
          LocalChain.derive(LocalChain.DEV_MNEMONIC, s + 1).address(), 1.0, List.of(),
          new FederationFile.SiteKey.Dev(s + 1)));
    }
    registered = new FederationFile(sites, Set.of());
    FederationRegistry.at(dir.resolve("home/federations")).add(new RegisteredFederation("fed3", registered, CAP,
        BUDGET));

    store = JdbcJobStore.openH2(dir.resolve("jobs"));
    harness.startService(ServiceHarness.config(dir, Map.of(
        "spark.sparkgrid.chain.rpcUrl", node.rpcUrl(), "spark.sparkgrid.chain.chainId", "" + node.chainId(),
        "spark.sparkgrid.chain.distributor", deployment.distributor(),
        "spark.sparkgrid.chain.escrow", deployment.escrow(),
        "spark.sparkgrid.chain.keystore", keystore.toString(),
        "spark.sparkgrid.chain.keystorePasswordFile", password.toString())), store);
    client = harness.client(); // signs as the admin 'local' the service made: request ids become local.<id>
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {harness, store, chain, node}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /** A tree request whose federation block is {@code federation} (JSON members) and whose pool is {@code pool}. */
  private static TrainingRequest request(String id, String federation, String pool) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s", "mode": "tree",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "file:%s/t10k", "test": "file:%s/t10k", "limit": 300},
         "training": {"epochs": 1, "batchSize": 32, "seed": 1},
         "federation": {%s, "minSites": 2},
         "reward": {"poolPerRound": "%s", "scoring": "examples"}}
        """.formatted(id, id, FMNIST, FMNIST, federation, pool));
  }

  /** A requester (account 5) deposits {@code amount} for {@code job}: what 'bin/sparkgrid escrow deposit' sends. */
  private static void deposit(String job, BigInteger amount) throws Exception {
    ChainKey requester = node.key(5);
    SparkGridToken.load(deployment.token(), chain.web3j(), chain.transactionManager(node.key(0)), chain.gas())
        .transfer(requester.address(), amount).send();
    SparkGridToken.load(deployment.token(), chain.web3j(), chain.transactionManager(requester), chain.gas())
        .approve(deployment.escrow(), amount).send();
    JobEscrow.load(deployment.escrow(), chain.web3j(), chain.transactionManager(requester), chain.gas())
        .deposit(JobDeposit.of(deployment.escrow(), job).id().bytes(), amount,
            BigInteger.valueOf(System.currentTimeMillis() / 1000 + 3600)).send();
  }

  private static BigInteger coordinatorNonce() throws Exception {
    return chain.web3j().ethGetTransactionCount(node.key(0).address(), DefaultBlockParameterName.PENDING).send()
        .getTransactionCount();
  }

  @Test
  void aRequesterWhoAsksForMoreThanTheOperatorRegisteredIsRefusedAndNothingIsPaid() throws Exception {
    // the registered sites plus one account of the requester's choosing, in a federation file of the request's own
    List<FederationFile.Site> plusOne = new ArrayList<>(registered.sites());
    plusOne.add(new FederationFile.Site("site-99", registered.sites().get(0).data(), STRANGER, 1.0, List.of()));
    Path own = Files.write(dir.resolve("own.json"), new FederationFile(plusOne, Set.of()).toJson());
    BigInteger nonceBefore = coordinatorNonce();

    client.submit(request("auth-pool", "\"name\": \"fed3\", \"rounds\": 1", "1001"));
    client.submit(request("auth-budget", "\"name\": \"fed3\", \"rounds\": 4", "1000"));
    client.submit(request("auth-account", "\"sites\": \"file:" + own + "\", \"rounds\": 1", "10"));
    client.submit(request("auth-site", "\"name\": \"fed3\", \"siteIds\": [\"site-01\", \"site-99\"], \"rounds\": 1",
        "10"));
    client.submit(request("auth-unknown", "\"name\": \"fed-nobody\", \"rounds\": 1", "10"));

    List<ConsumerRecord<byte[], byte[]>> dead = harness.read(Topics.DEFAULT.deadLetters(), 5, WAIT,
        r -> new String(r.key(), UTF_8).startsWith("local.auth-"));
    assertThat(dead).extracting(r -> new String(r.key(), UTF_8))
        .containsExactly("local.auth-pool", "local.auth-budget", "local.auth-account", "local.auth-site",
            "local.auth-unknown");
    assertThat(dead).extracting(r -> ServiceHarness.header(r, DeadLetter.REASON)).containsOnly("unauthorized");
    assertThat(dead).extracting(r -> ServiceHarness.header(r, DeadLetter.FIELD)).containsExactly(
        "reward.poolPerRound", "federation.rounds", "federation.sites", "federation.siteIds[1]", "federation.name");
    assertThat(dead).extracting(r -> ServiceHarness.header(r, DeadLetter.VALUE))
        .containsExactly("1001", "4", "file:" + own, "site-99", "fed-nobody");
    assertThat(dead).extracting(r -> ServiceHarness.header(r, DeadLetter.MESSAGE)).containsExactly(
        "reward.poolPerRound: 1001 is over the rewardPoolCapPerRound of registered federation 'fed3', 1000",
        "federation.rounds: 4 rounds of 1000 pay 4000, over the tokenBudget of registered federation 'fed3', 3000"
            + " (at most 3 rounds at this pool)",
        "federation.sites: a request may not describe its own federation (sites, accounts, allowlist); the operator"
            + " registers it (bin/sparkgrid federation add --name N --file file:" + own + ") and the request names it"
            + " in federation.name",
        "federation.siteIds[1]: site 'site-99' is not a site of registered federation 'fed3': a request may choose"
            + " some of its sites, never add one",
        "federation.name: no federation 'fed-nobody' is registered; the operator registers federations"
            + " (bin/sparkgrid federation add)");
    assertThat(store.list(JobFilter.all())).extracting(Job::id).filteredOn(id -> id.startsWith("local.auth-")).isEmpty();
    assertThat(dir.resolve("home/store/runs/local.auth-pool")).doesNotExist();
    assertThat(coordinatorNonce()).isEqualTo(nonceBefore);

    // the same service, chain and coordinator pay a request that narrows the federation within its grant,
    // from its requester's deposit in the escrow (one round of 1000)
    deposit("local.auth-narrow", CAP); // the job id: the harness client signs as the admin 'local'
    client.submit(request("auth-narrow", "\"name\": \"fed3\", \"siteIds\": [\"site-01\", \"site-03\"], \"rounds\": 1",
        "1000"));
    Optional<JobEvent> end = client.follow("local.auth-narrow", Duration.ofMinutes(5), e -> { });

    assertThat(end).isPresent();
    assertThat(end.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    assertThat(coordinatorNonce()).isGreaterThan(nonceBefore); // the coordinator published, the escrow paid
    SparkGridToken token = SparkGridToken.load(deployment.token(), chain.web3j(),
        chain.transactionManager(node.key(0)), chain.gas());
    assertThat(token.balanceOf(deployment.distributor()).send()).isEqualTo(CAP);
  }
}
