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
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.RevertedException;
import org.sparkgrid.settlement.ledger.Payee;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.sparkgrid.settlement.ledger.Weighting;

/**
 * Settlements funded from a job's deposit in the escrow (anvil): each draws its total once, never
 * more than remains, the coordinator's tokens untouched; the rest is released or refunded.
 */
class EscrowFundedSettlerTest {
  private static final RetryPolicy QUICK = new RetryPolicy(3, Duration.ofMillis(50), Duration.ofMillis(200));
  private static final BigInteger DEPOSIT = BigInteger.valueOf(1_500);
  private static ChainFixture fx;
  private static ChainKey requester;
  @TempDir Path dir;

  @BeforeAll
  static void startChain() throws Exception {
    fx = ChainFixture.start();
    requester = fx.node.key(3);
    fx.token(fx.coordinator).transfer(requester.address(), BigInteger.valueOf(1_000_000)).send();
    fx.token(requester).approve(fx.deployment.escrow(), BigInteger.valueOf(1_000_000)).send();
  }

  @AfterAll
  static void stopChain() {
    fx.close();
  }

  private static JobDeposit deposit(String job) throws Exception {
    long deadline = System.currentTimeMillis() / 1000 + 3600;
    fx.escrow(requester).deposit(JobDeposit.idOf(job).bytes(), DEPOSIT, BigInteger.valueOf(deadline)).send();
    return JobDeposit.of(fx.deployment.escrow(), job);
  }

  private static SettlementPlan plan(String name) { // 600 split 1:2
    return SettlementPlan.of(name, BigInteger.valueOf(600), List.of(
        new Payee("a", fx.node.key(1).address(), 1, 10),
        new Payee("b", fx.node.key(2).address(), 2, 10)), Weighting.SCORE);
  }

  private Settler settler(JobDeposit deposit) throws java.io.IOException {
    return Settler.builder(fx.chain, fx.coordinator, fx.deployment.distributor(), new FileReceiptStore(dir))
        .retry(QUICK).fundedBy(deposit).build();
  }

  @Test
  void eachSettlementDrawsItsTotalFromTheDepositOnceAndNotFromTheCoordinator() throws Exception {
    JobDeposit deposit = deposit("job-draws");
    Settler settler = settler(deposit);
    BigInteger coordinatorBefore = fx.balanceOf(fx.coordinator.address());

    settler.settle(plan("job-draws/round-0"));
    settler.settle(plan("job-draws/round-0")); // again: the receipt store answers, nothing is drawn
    settler(deposit).settle(plan("job-draws/round-1"));

    JobDeposit.State state = deposit.read(fx.chain);
    assertThat(state.remaining()).isEqualTo(BigInteger.valueOf(300)); // 1500 - 2 x 600
    assertThat(state.drawn()).isEqualTo(BigInteger.valueOf(1_200));
    assertThat(state.status()).isEqualTo(1);
    assertThat(state.requester()).isEqualToIgnoringCase(requester.address());
    assertThat(fx.balanceOf(fx.coordinator.address())).isEqualTo(coordinatorBefore);
    assertThat(fx.token(fx.coordinator).allowance(fx.coordinator.address(), fx.deployment.distributor()).send())
        .isZero();
    assertThat(fx.distributor(fx.coordinator).settlement(plan("job-draws/round-1").id().bytes()).send().component3())
        .isEqualTo(BigInteger.valueOf(600));
  }

  @Test
  void aSettlementOverWhatRemainsIsRefusedInOneLineNamingDepositExceeded() throws Exception {
    JobDeposit deposit = deposit("job-over");
    settler(deposit).settle(plan("job-over/round-0"));
    settler(deposit).settle(plan("job-over/round-1"));
    BigInteger nonce = fx.nonceOf(fx.coordinator);

    assertThatThrownBy(() -> settler(deposit).settle(plan("job-over/round-2")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("the chain refused settlement 'job-over/round-2': ")
        .hasMessageContaining("DepositExceeded(jobId=" + deposit.id().hex() + ", amount=600, remaining=300)")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat(fx.nonceOf(fx.coordinator)).as("simulated, not sent").isEqualTo(nonce);
    assertThat(deposit.read(fx.chain).remaining()).isEqualTo(BigInteger.valueOf(300));
    assertThat(fx.distributor(fx.coordinator).settlement(plan("job-over/round-2").id().bytes()).send().component2())
        .isZero();
  }

  @Test
  void afterDrawsARefundReturnsWhatRemainsMinusThePenaltyOnIt() throws Exception {
    JobDeposit deposit = deposit("job-refund");
    settler(deposit).settle(plan("job-refund/round-0"));
    BigInteger before = fx.balanceOf(requester.address());

    fx.escrow(fx.coordinator).refund(deposit.id().bytes()).send();

    // 900 remained; 2500 bps: 675 back, 225 to the sink
    assertThat(fx.balanceOf(requester.address())).isEqualTo(before.add(BigInteger.valueOf(675)));
    JobDeposit.State closed = deposit.read(fx.chain);
    assertThat(closed.status()).isEqualTo(3);
    assertThat(closed.remaining()).isZero();
    assertThatThrownBy(() -> settler(deposit).settle(plan("job-refund/round-1")))
        .hasMessageContaining("NotDeposited(jobId=" + deposit.id().hex() + ")");
  }

  @Test
  void afterDrawsAReleasePaysWhatRemains() throws Exception {
    JobDeposit deposit = deposit("job-release");
    settler(deposit).settle(plan("job-release/round-0"));
    BigInteger before = fx.balanceOf(requester.address());

    fx.escrow(fx.coordinator).release(deposit.id().bytes(), requester.address()).send();

    assertThat(fx.balanceOf(requester.address())).isEqualTo(before.add(BigInteger.valueOf(900)));
    assertThat(deposit.read(fx.chain).status()).isEqualTo(2);
  }

  @Test
  void onlyTheDistributorDrawsNotTheCoordinatorDirectly() throws Exception {
    JobDeposit deposit = deposit("job-direct");

    assertThatThrownBy(() -> fx.escrow(fx.coordinator).releaseTo(deposit.id().bytes(), fx.coordinator.address(),
        BigInteger.ONE).send())
        .isInstanceOf(RevertedException.class)
        .hasMessageContaining(ChainFixture.customError("AccessControlUnauthorizedAccount(address,bytes32)"));
    assertThat(deposit.read(fx.chain).remaining()).isEqualTo(DEPOSIT);
  }

  @Test
  void aMissingOrSmallDepositIsRefusedNamingTheJobAndTheCommand() throws Exception {
    JobDeposit none = JobDeposit.of(fx.deployment.escrow(), "job-none");
    assertThatThrownBy(() -> none.read(fx.chain).requireAtLeast(BigInteger.valueOf(2_400), "poolPerRound 600 x 4 rounds"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reward: job 'job-none' has no deposit in the escrow " + fx.deployment.escrow() + "; its requester"
            + " must deposit 2400 (poolPerRound 600 x 4 rounds) first: bin/sparkgrid escrow deposit --job job-none"
            + " --fee 2400");

    JobDeposit small = deposit("job-small");
    assertThatThrownBy(() -> small.read(fx.chain).requireAtLeast(BigInteger.valueOf(2_400), "poolPerRound 600 x 4 rounds"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reward: the deposit of job 'job-small' in the escrow " + fx.deployment.escrow() + " is 1500,"
            + " less than the 2400 its rewards need (poolPerRound 600 x 4 rounds)");
    assertThat(small.read(fx.chain).requireAtLeast(BigInteger.valueOf(1_500), "x").fee()).isEqualTo(DEPOSIT);
  }
}
