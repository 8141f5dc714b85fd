package org.sparkgrid.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.ledger.Payee;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.sparkgrid.settlement.ledger.Weighting;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;

/** The node goes down during a settlement and comes back with its state (anvil --state). */
class SettlerRestartTest {
  @TempDir static Path dir;
  private static ChainFixture fx;

  @BeforeAll
  static void startChain() throws Exception {
    fx = ChainFixture.start(LocalChain.builder().accounts(10).stateFile(dir.resolve("anvil-state.json")));
  }

  @AfterAll
  static void stopChain() {
    fx.close();
  }

  @Test
  void aSettlementDuringAnOutageIsPublishedOnceWhenTheNodeIsBack() throws Exception {
    SettlementPlan plan = SettlementPlan.of("outage", BigInteger.valueOf(1_000), List.of(
        new Payee("a", fx.node.key(1).address(), 1, 10),
        new Payee("b", fx.node.key(2).address(), 3, 10)), Weighting.SCORE);
    FileReceiptStore store = new FileReceiptStore(dir.resolve("receipts"));
    Settler settler = Settler.builder(fx.chain, fx.coordinator, fx.deployment.distributor(), store)
        .retry(new RetryPolicy(0, Duration.ofMillis(100), Duration.ofMillis(400))).build();

    fx.node.stop();
    CompletableFuture<Settler.Outcome> settling = CompletableFuture.supplyAsync(() -> {
      try {
        return settler.settle(plan);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(1_500); // several attempts fail: connection refused
    assertThat(settling).isNotDone();
    fx.node.start(); // same port, same chain
    Settler.Outcome outcome = settling.get(60, TimeUnit.SECONDS);

    assertThat(outcome.published()).isTrue();
    assertThat(outcome.attempts()).isGreaterThan(1);
    assertThat(store.find(plan.id())).contains(outcome.receipt());
    assertThat(fx.distributor(fx.coordinator).settlement(plan.id().bytes()).send().component1())
        .isEqualTo(plan.root().bytes());
    EthFilter published = new EthFilter(DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST,
        fx.deployment.distributor())
        .addSingleTopic(EventEncoder.encode(RewardDistributor.SETTLEMENTPUBLISHED_EVENT))
        .addSingleTopic(plan.id().hex());
    assertThat(fx.chain.web3j().ethGetLogs(published).send().getLogs()).hasSize(1);
    assertThat(settler.settle(plan).published()).isFalse();
  }

  @Test
  void theNodeKeepsItsChainAcrossARestartSoTheLedgerStillAgrees() throws Exception {
    SettlementPlan plan = SettlementPlan.of("kept", BigInteger.valueOf(300), List.of(
        new Payee("a", fx.node.key(3).address(), 1, 10)), Weighting.SCORE);
    FileReceiptStore store = new FileReceiptStore(dir.resolve("kept"));
    Settler.builder(fx.chain, fx.coordinator, fx.deployment.distributor(), store).fromBlock(fx.deployment.block())
        .build().settle(plan);
    long head = fx.chain.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
    BigInteger nonce = fx.nonceOf(fx.coordinator);

    fx.node.stop();
    assertThat(dir.resolve("anvil-state.json")).isNotEmptyFile();
    fx.node.start();

    assertThat(fx.chain.web3j().ethBlockNumber().send().getBlockNumber().longValueExact()).isEqualTo(head);
    assertThat(fx.nonceOf(fx.coordinator)).isEqualTo(nonce);
    Reconciler.Report report = new Reconciler(fx.chain, fx.deployment.distributor(), fx.deployment.block())
        .reconcile(store);
    assertThat(report.settlements()).containsExactly(new Reconciler.Status("kept", 1, List.of(false),
        BigInteger.ZERO, BigInteger.valueOf(300)));
    // the other test's settlement is on this chain too, unknown to this store: nothing else differs
    assertThat(report.differences()).allMatch(d -> d.kind() == Reconciler.Kind.UNKNOWN_TO_LEDGER);
    new Claimant(fx.chain, fx.node.key(3), fx.deployment.distributor()).claim(plan, 0);
    assertThat(fx.balanceOf(fx.node.key(3).address())).isEqualTo(BigInteger.valueOf(300));
  }
}
