package org.sparkgrid.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.RevertedException;
import org.sparkgrid.settlement.contracts.JobEscrow;
import org.web3j.crypto.Hash;

/** Job fees: released on success, refunded minus the penalty on failure or timeout. */
class JobEscrowTest {
  private static final BigInteger FEE = BigInteger.valueOf(1_000);
  private static ChainFixture fx;
  private static ChainKey requester;
  private static String sink;

  @BeforeAll
  static void startChain() throws Exception {
    fx = ChainFixture.start();
    requester = fx.node.key(3);
    sink = fx.node.key(9).address();
    fx.token(fx.coordinator).transfer(requester.address(), BigInteger.valueOf(1_000_000)).send();
    fx.token(requester).approve(fx.deployment.escrow(), BigInteger.valueOf(1_000_000)).send();
  }

  @AfterAll
  static void stopChain() {
    fx.close();
  }

  private static byte[] jobId(String name) {
    return Hash.sha3(name.getBytes(StandardCharsets.UTF_8));
  }

  private static long now() throws Exception {
    return fx.chain.web3j().ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false).send()
        .getBlock().getTimestamp().longValueExact();
  }

  private static void deposit(String job, long deadline) throws Exception {
    fx.escrow(requester).deposit(jobId(job), FEE, BigInteger.valueOf(deadline)).send();
  }

  @Test
  void aSucceededJobReleasesTheWholeFee() throws Exception {
    deposit("job-ok", now() + 3600);
    String recipient = fx.node.key(4).address();
    BigInteger before = fx.balanceOf(recipient);

    fx.escrow(fx.coordinator).release(jobId("job-ok"), recipient).send();

    assertThat(fx.balanceOf(recipient)).isEqualTo(before.add(FEE));
    assertThat(fx.escrow(requester).job(jobId("job-ok")).send().component4()).isEqualTo(BigInteger.TWO);
    assertThatThrownBy(() -> fx.escrow(fx.coordinator).refund(jobId("job-ok")).send())
        .isInstanceOf(RevertedException.class)
        .hasMessageContaining(ChainFixture.customError("NotDeposited(bytes32)"));
  }

  @Test
  void aFailedJobIsRefundedMinusTheQuarterPenalty() throws Exception {
    deposit("job-failed", now() + 3600);
    BigInteger requesterBefore = fx.balanceOf(requester.address());
    BigInteger sinkBefore = fx.balanceOf(sink);

    fx.escrow(fx.coordinator).refund(jobId("job-failed")).send();

    // 1000 at 2500 bps: 750 back, 250 to the sink
    assertThat(fx.balanceOf(requester.address())).isEqualTo(requesterBefore.add(BigInteger.valueOf(750)));
    assertThat(fx.balanceOf(sink)).isEqualTo(sinkBefore.add(BigInteger.valueOf(250)));
  }

  @Test
  void theRequesterIsRefundedAfterTheDeadlineNotBefore() throws Exception {
    deposit("job-timeout", now() + 600);
    JobEscrow asRequester = fx.escrow(requester);
    assertThatThrownBy(() -> asRequester.refund(jobId("job-timeout")).send())
        .isInstanceOf(RevertedException.class)
        .hasMessageContaining(ChainFixture.customError("NotExpired(bytes32,uint64)"));
    BigInteger before = fx.balanceOf(requester.address());

    fx.advanceSeconds(601);
    fx.escrow(requester).refund(jobId("job-timeout")).send();

    assertThat(fx.balanceOf(requester.address())).isEqualTo(before.add(BigInteger.valueOf(750)));
  }

  @Test
  void onlyTheCoordinatorReleases() throws Exception {
    deposit("job-stolen", now() + 3600);

    assertThatThrownBy(() -> fx.escrow(requester).release(jobId("job-stolen"), requester.address()).send())
        .isInstanceOf(RevertedException.class)
        .hasMessageContaining(ChainFixture.customError("AccessControlUnauthorizedAccount(address,bytes32)"));
    assertThat(fx.escrow(requester).job(jobId("job-stolen")).send().component4()).isEqualTo(BigInteger.ONE);
  }

  @Test
  void aJobIdIsDepositedOnce() throws Exception {
    deposit("job-twice", now() + 3600);

    assertThatThrownBy(() -> deposit("job-twice", now() + 3600))
        .isInstanceOf(RevertedException.class)
        .hasMessageContaining(ChainFixture.customError("JobExists(bytes32)"));
  }
}
