package org.sparkgrid.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.settlement.ledger.Payee;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.sparkgrid.settlement.ledger.Weighting;

/** Idempotence, retries and reconciliation of the settler, against a real anvil node. */
class SettlerTest {
  private static final RetryPolicy QUICK = new RetryPolicy(5, Duration.ofMillis(50), Duration.ofMillis(200));
  private static ChainFixture fx;
  @TempDir Path dir;

  @BeforeAll
  static void startChain() throws Exception {
    fx = ChainFixture.start();
  }

  @AfterAll
  static void stopChain() {
    fx.close();
  }

  private static SettlementPlan plan(String name) {
    return SettlementPlan.of(name, BigInteger.valueOf(600), List.of(
        new Payee("a", fx.node.key(1).address(), 1, 10),
        new Payee("b", fx.node.key(2).address(), 2, 10)), Weighting.SCORE);
  }

  private Settler settler(ReceiptStore store) {
    return Settler.builder(fx.chain, fx.coordinator, fx.deployment.distributor(), store).retry(QUICK).build();
  }

  @Test
  void settlingTwiceSendsOneTransaction() throws Exception {
    Settler settler = settler(new FileReceiptStore(dir));
    SettlementPlan plan = plan("twice");

    Settler.Outcome first = settler.settle(plan);
    BigInteger nonce = fx.nonceOf(fx.coordinator);
    Settler.Outcome second = settler.settle(plan);

    assertThat(first.published()).isTrue();
    assertThat(second.published()).isFalse();
    assertThat(second.attempts()).isZero();
    assertThat(second.receipt()).isEqualTo(first.receipt());
    assertThat(fx.nonceOf(fx.coordinator)).isEqualTo(nonce);
    assertThat(fx.distributor(fx.coordinator).settlement(plan.id().bytes()).send().component2())
        .isEqualTo(BigInteger.valueOf(600));
  }

  @Test
  void theDistributorMayTakeExactlyEachSettlementsTotalAndNothingAfterIt() throws Exception {
    var token = fx.token(fx.coordinator);
    String coordinator = fx.coordinator.address();
    String distributor = fx.deployment.distributor();
    token.approve(distributor, BigInteger.TWO.pow(255)).send(); // a large allowance left by someone else
    Settler settler = settler(new FileReceiptStore(dir));
    SettlementPlan plan = plan("bounded-allowance");

    // paused: the settler approves, then the chain refuses the publication; the allowance is the total
    fx.distributor(fx.coordinator).pause().send();
    try {
      assertThatThrownBy(() -> settler.settle(plan)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the chain refused settlement 'bounded-allowance'");
      assertThat(token.allowance(coordinator, distributor).send()).isEqualTo(BigInteger.valueOf(600));
    } finally {
      fx.distributor(fx.coordinator).unpause().send();
    }
    settler.settle(plan);
    assertThat(token.allowance(coordinator, distributor).send()).isZero();

    settler.settle(plan("bounded-allowance-2"));
    assertThat(token.allowance(coordinator, distributor).send()).isZero();
    assertThat(token.balanceOf(distributor).send()).isGreaterThanOrEqualTo(BigInteger.valueOf(1200));
  }

  @Test
  void aPublicationWhoseReceiptWasLostIsStoredFromTheChain() throws Exception {
    SettlementPlan plan = plan("receipt-lost");
    Settler.Outcome published = settler(new FileReceiptStore(dir.resolve("lost"))).settle(plan);
    BigInteger nonce = fx.nonceOf(fx.coordinator);

    // a fresh store, as after a crash between the transaction and the write
    Settler.Outcome recovered = settler(new FileReceiptStore(dir.resolve("fresh"))).settle(plan);

    assertThat(recovered.receipt().transactionHash()).isEqualTo(published.receipt().transactionHash());
    assertThat(recovered.receipt().blockNumber()).isEqualTo(published.receipt().blockNumber());
    assertThat(fx.nonceOf(fx.coordinator)).isEqualTo(nonce);
  }

  @Test
  void aNonceClashIsRetried() throws Exception {
    Settler settler = settler(new FileReceiptStore(dir));
    settler.settle(plan("before-clash")); // the settler now counts the coordinator's nonces itself
    // another process spends the next nonce with the same key
    fx.token(fx.coordinator).transfer(fx.node.key(3).address(), BigInteger.ONE).send();

    Settler.Outcome outcome = settler.settle(plan("after-clash"));

    assertThat(outcome.published()).isTrue();
    assertThat(outcome.attempts()).isEqualTo(2);
    assertThat(outcome.receipt().transactionHash()).startsWith("0x");
  }

  @Test
  void anIdSettledWithAnotherRootIsRefused() throws Exception {
    settler(new FileReceiptStore(dir.resolve("one"))).settle(plan("conflict"));
    SettlementPlan other = SettlementPlan.of("conflict", BigInteger.valueOf(600), List.of(
        new Payee("a", fx.node.key(1).address(), 1, 10)), Weighting.SCORE);

    assertThatThrownBy(() -> settler(new FileReceiptStore(dir.resolve("two"))).settle(other))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("settlement 'conflict' (" + other.id() + ") is settled in the chain with root ")
        .hasMessageEndingWith("not root " + other.root() + " and total 600");
  }

  @Test
  void aRefusedPublicationIsNotRetried() throws Exception {
    // account 4 does not hold the coordinator role: the chain reverts, the settler gives up at once
    Settler stranger = Settler.builder(fx.chain, fx.node.key(4), fx.deployment.distributor(),
        new FileReceiptStore(dir)).retry(QUICK).build();

    assertThatThrownBy(() -> stranger.settle(plan("stranger")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("the chain refused settlement 'stranger': ");
    assertThat(new FileReceiptStore(dir).all()).isEmpty();
  }

  @Test
  void reconcileFindsTheLedgerAndTheChainAgreeingThenNot() throws Exception {
    FileReceiptStore store = new FileReceiptStore(dir.resolve("ledger"));
    SettlementPlan plan = plan("reconciled");
    settler(store).settle(plan);
    int index = plan.payoutOf(fx.node.key(2).address()).index(); // 400 of 600; key 2's address sorts first
    new Claimant(fx.chain, fx.node.key(2), fx.deployment.distributor()).claim(plan, index);
    Reconciler reconciler = new Reconciler(fx.chain, fx.deployment.distributor());

    Reconciler.Report report = reconciler.reconcile(store);

    assertThat(report.settlements()).containsExactly(new Reconciler.Status("reconciled", 2, List.of(true, false),
        BigInteger.valueOf(400), BigInteger.valueOf(200)));
    // other tests' settlements are on this chain too, unknown to this store
    assertThat(report.differences()).allMatch(d -> d.kind() == Reconciler.Kind.UNKNOWN_TO_LEDGER);

    SettlementPlan never = plan("never-published");
    SettlementReceipt fake = new SettlementReceipt(never.name(), never.id().hex(), never.root().hex(), never.total(),
        never.payouts(), 31337, fx.deployment.distributor(), "0x" + "00".repeat(32), 1, 1);
    store.put(fake);

    assertThat(reconciler.reconcile(store).differences()).contains(new Reconciler.Difference(never.id().hex(),
        "never-published", Reconciler.Kind.MISSING_ON_CHAIN, never.root().hex(), "0x" + "00".repeat(32)));
  }
}
