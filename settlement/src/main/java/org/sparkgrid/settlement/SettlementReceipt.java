package org.sparkgrid.settlement;

import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import org.sparkgrid.settlement.ledger.Bytes32;
import org.sparkgrid.settlement.ledger.Payout;
import org.sparkgrid.settlement.ledger.SettlementPlan;

/**
 * A settlement as published: the plan's payouts (what sites need to claim), and the transaction
 * that published its root. Stored once, never changed.
 *
 * @param name            the settlement's name (its id is keccak256 of it)
 * @param settlementId    the on-chain id, 0x and 64 hex digits
 * @param root            the published Merkle root
 * @param total           the funded total, the sum of the payouts
 * @param payouts         payout {@code i} at position {@code i}
 * @param chainId         the chain it was published on
 * @param distributor     the RewardDistributor address
 * @param transactionHash the publishing transaction
 * @param blockNumber     the block that holds it
 * @param gasUsed         the gas it used
 */
public record SettlementReceipt(String name, String settlementId, String root, BigInteger total, List<Payout> payouts,
                                long chainId, String distributor, String transactionHash, long blockNumber,
                                long gasUsed) {
  public SettlementReceipt {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(settlementId, "settlementId");
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(total, "total");
    payouts = List.copyOf(payouts);
    Objects.requireNonNull(distributor, "distributor");
    Objects.requireNonNull(transactionHash, "transactionHash");
  }

  /**
   * The plan again, rebuilt from the payouts (for proofs).
   *
   * @throws IllegalStateException if the payouts no longer hash to the stored root
   */
  public SettlementPlan plan() {
    SettlementPlan plan = SettlementPlan.ofPayouts(name, payouts);
    if (!plan.root().equals(Bytes32.fromHex(root))) {
      throw new IllegalStateException("stored settlement '" + name + "' has root " + root
          + " but its payouts hash to " + plan.root());
    }
    return plan;
  }

  public Bytes32 id() {
    return Bytes32.fromHex(settlementId);
  }
}
