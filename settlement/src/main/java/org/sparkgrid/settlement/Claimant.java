package org.sparkgrid.settlement;

import java.util.List;
import java.util.Objects;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.ledger.Bytes32;
import org.sparkgrid.settlement.ledger.Payout;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * A site's side: claims its payout of a published settlement with its proof. The tokens go to
 * the payout's account whoever sends the claim; the sender pays the gas.
 *
 * <pre>{@code
 * Claimant site = new Claimant(chain, siteKey, deployment.distributor());
 * site.claim(receipt.plan(), receipt.plan().payoutOf(siteKey.address()).index());
 * }</pre>
 */
public final class Claimant {
  private final ChainKey key;
  private final RewardDistributor distributor;

  public Claimant(Chain chain, ChainKey key, String distributor) {
    this.key = Objects.requireNonNull(key, "key");
    this.distributor = RewardDistributor.load(Objects.requireNonNull(distributor, "distributor"), chain.web3j(),
        chain.transactionManager(key), chain.gas());
  }

  /**
   * Claims payout {@code index} of the plan (one transaction).
   *
   * @throws org.web3j.protocol.exceptions.TransactionException if the claim reverted (claimed
   *     already, bad proof, unknown settlement, paused)
   * @throws Exception whatever else Web3j throws (node unreachable)
   */
  public TransactionReceipt claim(SettlementPlan plan, int index) throws Exception {
    Payout p = plan.payouts().get(index);
    List<byte[]> proof = plan.proof(index).stream().map(Bytes32::bytes).toList();
    return distributor.claim(plan.id().bytes(), java.math.BigInteger.valueOf(p.index()), p.account(), p.amount(),
        proof).send();
  }

  @Override
  public String toString() {
    return "Claimant[" + key.address() + "]";
  }
}
