package org.sparkgrid.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.RevertedException;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.ledger.Bytes32;
import org.sparkgrid.settlement.ledger.Payee;
import org.sparkgrid.settlement.ledger.Payout;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.sparkgrid.settlement.ledger.Weighting;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** The distributor's rules, against a real anvil node. */
class RewardDistributorTest {
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

  private Settler settler() throws Exception {
    return Settler.builder(fx.chain, fx.coordinator, fx.deployment.distributor(), new FileReceiptStore(dir)).build();
  }

  /** Sites are accounts 1..n of the node; scores 1, 2, ..., n. */
  private static SettlementPlan plan(String name, long pool, int sites) {
    List<Payee> cs = new ArrayList<>();
    for (int i = 1; i <= sites; i++) {
      cs.add(new Payee("site-" + i, fx.node.key(i).address(), i, 100L * i));
    }
    return SettlementPlan.of(name, BigInteger.valueOf(pool), cs, Weighting.SCORE);
  }

  private static Claimant claimant(int account) {
    return new Claimant(fx.chain, fx.node.key(account), fx.deployment.distributor());
  }

  @Test
  void aClaimPaysTheAmountOnce() throws Exception {
    SettlementPlan plan = plan("claim-once", 3_000, 2); // 1000 and 2000
    settler().settle(plan);
    ChainKey site2 = fx.node.key(2);
    Payout payout = plan.payoutOf(site2.address());
    BigInteger before = fx.balanceOf(site2.address());

    TransactionReceipt receipt = claimant(2).claim(plan, payout.index());

    assertThat(receipt.isStatusOK()).isTrue();
    assertThat(payout.amount()).isEqualTo(BigInteger.valueOf(2_000));
    assertThat(fx.balanceOf(site2.address())).isEqualTo(before.add(BigInteger.valueOf(2_000)));
    assertThat(fx.distributor(site2).isClaimed(plan.id().bytes(), BigInteger.valueOf(payout.index())).send()).isTrue();
    assertThatThrownBy(() -> claimant(2).claim(plan, payout.index()))
        .isInstanceOf(RevertedException.class)
        .hasMessageContaining(ChainFixture.customError("AlreadyClaimed(bytes32,uint256)"));
    assertThat(fx.balanceOf(site2.address())).isEqualTo(before.add(BigInteger.valueOf(2_000)));
  }

  @Test
  void onlyTheCoordinatorPublishes() throws Exception {
    ChainKey stranger = fx.node.key(5);
    SettlementPlan plan = plan("stranger-publishes", 100, 1);
    fx.token(fx.coordinator).transfer(stranger.address(), BigInteger.valueOf(100)).send();
    fx.token(stranger).approve(fx.deployment.distributor(), BigInteger.valueOf(100)).send();

    assertThatThrownBy(() -> fx.distributor(stranger).publish(plan.id().bytes(), plan.root().bytes(), plan.total())
        .send())
        .isInstanceOf(RevertedException.class)
        .hasMessageContaining(ChainFixture.customError("AccessControlUnauthorizedAccount(address,bytes32)"));
    assertThat(Bytes32.of(fx.distributor(stranger).settlement(plan.id().bytes()).send().component1()).isZero())
        .isTrue();
  }

  @Test
  void aBadProofPaysNothing() throws Exception {
    SettlementPlan plan = plan("bad-proof", 3_000, 2);
    settler().settle(plan);
    Payout p = plan.payouts().get(0);
    List<byte[]> wrongProof = plan.proof(1).stream().map(Bytes32::bytes).toList();
    BigInteger before = fx.balanceOf(p.account());

    assertThatThrownBy(() -> fx.distributor(fx.node.key(1)).claim(plan.id().bytes(), BigInteger.ZERO, p.account(),
        p.amount(), wrongProof).send())
        .isInstanceOf(RevertedException.class)
        .hasMessageContaining(ChainFixture.customError("InvalidProof()"));
    // nor does a right proof with a larger amount
    List<byte[]> proof = plan.proof(0).stream().map(Bytes32::bytes).toList();
    assertThatThrownBy(() -> fx.distributor(fx.node.key(1)).claim(plan.id().bytes(), BigInteger.ZERO, p.account(),
        p.amount().add(BigInteger.ONE), proof).send())
        .isInstanceOf(RevertedException.class)
        .hasMessageContaining(ChainFixture.customError("InvalidProof()"));
    assertThat(fx.balanceOf(p.account())).isEqualTo(before);
  }

  @Test
  void aSettlementIdIsPublishedOnce() throws Exception {
    SettlementPlan plan = plan("replayed", 3_000, 2);
    settler().settle(plan);
    RewardDistributor asCoordinator = fx.distributor(fx.coordinator);
    BigInteger before = fx.balanceOf(fx.deployment.distributor());

    assertThatThrownBy(() -> asCoordinator.publish(plan.id().bytes(), plan.root().bytes(), plan.total()).send())
        .isInstanceOf(RevertedException.class)
        .hasMessageContaining(ChainFixture.customError("SettlementExists(bytes32)"));
    assertThat(fx.balanceOf(fx.deployment.distributor())).isEqualTo(before);
  }

  @Test
  void twentySitesClaimAndBalancesEqualTheLedger() throws Exception {
    SettlementPlan plan = plan("twenty-sites", 1_000_003, 20);
    settler().settle(plan);
    List<BigInteger> before = new ArrayList<>();
    for (Payout p : plan.payouts()) {
      before.add(fx.balanceOf(p.account()));
    }

    for (int site = 1; site <= 20; site++) {
      ChainKey key = fx.node.key(site);
      claimant(site).claim(plan, plan.payoutOf(key.address()).index());
    }

    BigInteger paid = BigInteger.ZERO;
    for (Payout p : plan.payouts()) {
      BigInteger gained = fx.balanceOf(p.account()).subtract(before.get(p.index()));
      assertThat(gained).as("site %s", p.account()).isEqualTo(p.amount());
      paid = paid.add(gained);
    }
    assertThat(paid).isEqualTo(BigInteger.valueOf(1_000_003));
    assertThat(fx.distributor(fx.coordinator).settlement(plan.id().bytes()).send().component3()).isZero();
  }

  @Test
  void pausedStopsClaims() throws Exception {
    SettlementPlan plan = plan("paused", 100, 1);
    settler().settle(plan);
    fx.distributor(fx.coordinator).pause().send();
    try {
      assertThatThrownBy(() -> claimant(1).claim(plan, 0))
          .isInstanceOf(RevertedException.class)
          .hasMessageContaining(ChainFixture.customError("EnforcedPause()"));
    } finally {
      fx.distributor(fx.coordinator).unpause().send();
    }
    assertThat(claimant(1).claim(plan, 0).isStatusOK()).isTrue();
  }
}
