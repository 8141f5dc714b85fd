package org.sparkgrid.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainOptions;
import org.sparkgrid.settlement.chain.Deployer;
import org.sparkgrid.settlement.chain.EventLogs;
import org.sparkgrid.settlement.chain.Fees;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.chain.RevertedException;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.ledger.Payee;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.sparkgrid.settlement.ledger.Weighting;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.DefaultBlockParameterNumber;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * A chain unlike a fresh local node: chain id 1337 and a 20 gwei base fee (a legacy transaction
 * at the old fixed 2 gwei would never be mined). Deployed by the code {@code chain deploy} runs.
 */
class AnyChainTest {
  private static final BigInteger BASE_FEE = ChainOptions.gwei(20);
  private static final RetryPolicy QUICK = new RetryPolicy(2, Duration.ofMillis(50), Duration.ofMillis(50));
  private static ChainFixture fx;
  @TempDir Path dir;

  @BeforeAll
  static void startChain() throws Exception {
    fx = ChainFixture.start(LocalChain.builder().accounts(10).chainId(1337).baseFeeWei(BASE_FEE));
  }

  @AfterAll
  static void stopChain() {
    fx.close();
  }

  /** Sites are accounts 1..n; scores 1..n. */
  private static SettlementPlan plan(String name, long pool, int sites) {
    List<Payee> cs = new ArrayList<>();
    for (int i = 1; i <= sites; i++) {
      cs.add(new Payee("site-" + i, fx.node.key(i).address(), i, 100));
    }
    return SettlementPlan.of(name, BigInteger.valueOf(pool), cs, Weighting.SCORE);
  }

  private Settler settler(ReceiptStore store) {
    return Settler.builder(fx.chain, fx.coordinator, fx.deployment.distributor(), store)
        .fromBlock(fx.deployment.block()).retry(QUICK).build();
  }

  @Test
  void theDeploymentIsOnChain1337AtAKnownBlockWithEip1559Fees() throws Exception {
    assertThat(fx.chain.verifyChainId()).isSameAs(fx.chain);
    assertThat(fx.deployment.block()).isPositive();
    String code = fx.chain.web3j().ethGetCode(fx.deployment.distributor(), DefaultBlockParameterName.LATEST).send()
        .getCode();
    assertThat(code).hasSizeGreaterThan(100);
    TransactionReceipt first = fx.chain.web3j().ethGetBlockByNumber(
        new DefaultBlockParameterNumber(fx.deployment.block()), true).send().getBlock().getTransactions().stream()
        .map(t -> (org.web3j.protocol.core.methods.response.Transaction) t.get())
        .map(t -> receipt(t.getHash())).findFirst().orElseThrow();
    assertThat(first.getType()).isEqualTo("0x2");
    // the first block's base fee was 20 gwei: the deployment paid at least that
    assertThat(wei(first.getEffectiveGasPrice())).isGreaterThanOrEqualTo(BASE_FEE);
  }

  private static TransactionReceipt receipt(String hash) {
    try {
      return fx.chain.web3j().ethGetTransactionReceipt(hash).send().getTransactionReceipt().orElseThrow();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static BigInteger wei(String hex) {
    return org.web3j.utils.Numeric.decodeQuantity(hex);
  }

  @Test
  void aSettlementIsPublishedAndClaimedByEverySite() throws Exception {
    SettlementPlan plan = plan("fed-1337/round-0", 6_000, 3); // 1000, 2000, 3000
    FileReceiptStore store = new FileReceiptStore(dir);
    // the blocks of the tests before (two per settlement: approve, publish) have lowered the base fee
    fx.setNextBaseFee(BASE_FEE);

    Settler.Outcome outcome = settler(store).settle(plan);
    for (int site = 1; site <= 3; site++) {
      int index = plan.payoutOf(fx.node.key(site).address()).index();
      TransactionReceipt r = new Claimant(fx.chain, fx.node.key(site), fx.deployment.distributor()).claim(plan, index);
      assertThat(r.isStatusOK()).isTrue();
      assertThat(r.getType()).isEqualTo("0x2");
    }

    assertThat(outcome.published()).isTrue();
    TransactionReceipt published = receipt(outcome.receipt().transactionHash());
    BigInteger blockBaseFee = fx.chain.web3j().ethGetBlockByHash(published.getBlockHash(), false).send().getBlock()
        .getBaseFeePerGas();
    assertThat(blockBaseFee).isGreaterThan(ChainOptions.gwei(2)); // a legacy 2 gwei price would not be mined
    assertThat(wei(published.getEffectiveGasPrice())).isGreaterThanOrEqualTo(blockBaseFee);
    assertThat(fx.balanceOf(fx.node.key(1).address())).isEqualTo(BigInteger.valueOf(1_000));
    assertThat(fx.balanceOf(fx.node.key(2).address())).isEqualTo(BigInteger.valueOf(2_000));
    assertThat(fx.balanceOf(fx.node.key(3).address())).isEqualTo(BigInteger.valueOf(3_000));
    Reconciler.Report report = new Reconciler(fx.chain, fx.deployment.distributor(), fx.deployment.block())
        .reconcile(store);
    assertThat(report.settlements()).containsExactly(new Reconciler.Status("fed-1337/round-0", 3,
        List.of(true, true, true), BigInteger.valueOf(6_000), BigInteger.ZERO));
  }

  @Test
  void aWrongChainIdIsRefusedInOneLineNamingBothIds() {
    try (Chain wrong = Chain.connect(fx.node.rpcUrl(), 31337)) {
      assertThatThrownBy(wrong::verifyChainId)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the chain at " + fx.node.rpcUrl() + " has chain id 1337, but chain id 31337 is configured"
              + " (spark.sparkgrid.chain.chainId or chain.json)");
    }
  }

  @Test
  void aRevertShowsItsDecodedReasonInOneLineAndSendsNothing() throws Exception {
    SettlementPlan plan = plan("stranger-1337", 600, 2);
    BigInteger nonce = fx.nonceOf(fx.node.key(4));
    RewardDistributor asStranger = RewardDistributor.load(fx.deployment.distributor(), fx.chain.web3j(),
        fx.chain.transactionManager(fx.node.key(4)), fx.chain.gas());

    assertThatThrownBy(() -> asStranger.publish(plan.id().bytes(), plan.root().bytes(), plan.total()).send())
        .isInstanceOf(RevertedException.class)
        .hasMessage("RewardDistributor.publish(bytes32,bytes32,uint256) reverted: AccessControlUnauthorizedAccount("
            + "account=" + fx.node.key(4).address() + ", neededRole="
            + org.web3j.utils.Numeric.toHexString(org.web3j.crypto.Hash.sha3("COORDINATOR_ROLE".getBytes())) + ")");
    assertThat(fx.nonceOf(fx.node.key(4))).isEqualTo(nonce);
  }

  @Test
  void aFeeAboveTheCeilingSendsNothingAndTheSettlerStopsWithAClearError() throws Exception {
    try (Chain capped = Chain.connect(fx.node.rpcUrl(), 1337, ChainOptions.DEFAULT.withMaxFeePerGas(
        ChainOptions.gwei(1)))) {
      BigInteger nonce = fx.nonceOf(fx.coordinator);
      Settler settler = Settler.builder(capped, fx.coordinator, fx.deployment.distributor(),
          new FileReceiptStore(dir)).retry(QUICK).build();

      assertThatThrownBy(() -> settler.settle(plan("capped", 600, 2)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("settlement 'capped' failed after 2 attempt(s) in ")
          .hasMessageContaining(" s: the chain needs maxFeePerGas ")
          .hasMessageEndingWith("above the ceiling of 1 gwei (spark.sparkgrid.chain.maxFeePerGasGwei)")
          .hasCauseInstanceOf(Fees.FeeCeilingException.class);
      assertThat(fx.nonceOf(fx.coordinator)).isEqualTo(nonce);
    }
  }

  @Test
  void logsReadInRangesOfFiveBlocksAreThoseOfOneCall() throws Exception {
    Settler settler = settler(new FileReceiptStore(dir));
    for (int i = 0; i < 4; i++) {
      settler.settle(plan("ranges-" + i, 600, 2)); // each settlement: two or three blocks (approve, publish)
    }
    String topic = EventEncoder.encode(RewardDistributor.SETTLEMENTPUBLISHED_EVENT);
    EthFilter all = new EthFilter(DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST,
        fx.deployment.distributor()).addSingleTopic(topic);
    List<String> oneCall = fx.chain.web3j().ethGetLogs(all).send().getLogs().stream()
        .map(r -> ((Log) r.get()).getTransactionHash() + "/" + ((Log) r.get()).getLogIndex()).toList();

    List<String> inRanges = EventLogs.read(fx.chain.web3j(), fx.deployment.distributor(), 5, fx.deployment.block(),
        topic).stream().map(l -> l.getTransactionHash() + "/" + l.getLogIndex()).toList();

    assertThat(oneCall).hasSizeGreaterThanOrEqualTo(4);
    assertThat(inRanges).isEqualTo(oneCall);
    long head = fx.chain.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
    assertThat(head - fx.deployment.block()).isGreaterThan(5); // so there was more than one range
  }

  @Test
  void aLedgerTamperedWithTheSameTotalIsNamedByReconcile() throws Exception {
    FileReceiptStore store = new FileReceiptStore(dir.resolve("ledger"));
    SettlementPlan plan = plan("tampered", 3_000, 2); // 1000 and 2000
    Settler.Outcome outcome = settler(store).settle(plan);
    Reconciler reconciler = new Reconciler(fx.chain, fx.deployment.distributor(), fx.deployment.block());
    assertThat(reconciler.reconcile(store).differences())
        .noneMatch(d -> d.name().equals("tampered"));

    // swap the two payouts' amounts in the stored receipt: same total, same stored root
    Path file = dir.resolve("ledger").resolve(outcome.receipt().settlementId() + ".json");
    ObjectMapper json = new ObjectMapper();
    ObjectNode receipt = (ObjectNode) json.readTree(file.toFile());
    ArrayNode payouts = (ArrayNode) receipt.get("payouts");
    String a = payouts.get(0).get("amount").asText();
    ((ObjectNode) payouts.get(0)).put("amount", payouts.get(1).get("amount").asText());
    ((ObjectNode) payouts.get(1)).put("amount", a);
    Files.writeString(file, json.writeValueAsString(receipt));

    Reconciler.Report report = reconciler.reconcile(store);

    assertThat(store.find(plan.id()).orElseThrow().total()).isEqualTo(BigInteger.valueOf(3_000));
    assertThat(report.consistent()).isFalse();
    assertThat(report.differences()).filteredOn(d -> d.name().equals("tampered")).singleElement()
        .satisfies(d -> {
          assertThat(d.kind()).isEqualTo(Reconciler.Kind.LEDGER_ROOT);
          assertThat(d.chain()).isEqualTo("stored root " + plan.root().hex());
          assertThat(d.ledger()).startsWith("payouts hash to 0x").doesNotContain(plan.root().hex());
        });
  }

  @Test
  void anExistingErc20IsUsedInsteadOfANewToken() throws Exception {
    // an ERC-20 deployed by someone else (account 5), part of it held by the coordinator
    var existing = org.sparkgrid.settlement.contracts.SparkGridToken.deploy(fx.chain.web3j(),
        fx.chain.transactionManager(fx.node.key(5)), fx.chain.gas(), BigInteger.valueOf(1_000_000)).send();
    existing.transfer(fx.coordinator.address(), BigInteger.valueOf(10_000)).send();

    var d = Deployer.with(fx.chain, fx.coordinator).existingToken(existing.getContractAddress()).deploy();
    SettlementPlan plan = plan("existing-token", 900, 2); // 300 and 600
    Settler.builder(fx.chain, fx.coordinator, d.distributor(), new FileReceiptStore(dir)).fromBlock(d.block())
        .retry(QUICK).build().settle(plan);
    new Claimant(fx.chain, fx.node.key(2), d.distributor()).claim(plan, plan.payoutOf(fx.node.key(2).address())
        .index());

    assertThat(d.token()).isEqualTo(existing.getContractAddress());
    assertThat(d.block()).isPositive();
    assertThat(existing.balanceOf(fx.node.key(2).address()).send()).isEqualTo(BigInteger.valueOf(600));
    assertThat(existing.balanceOf(fx.coordinator.address()).send()).isEqualTo(BigInteger.valueOf(9_100));
    String nowhere = "0x" + "00".repeat(19) + "42";
    assertThatThrownBy(() -> Deployer.with(fx.chain, fx.coordinator).existingToken(nowhere).deploy())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no contract at token address " + nowhere + " on chain 1337");
  }
}
