/**
 * The reward ledger, pure Java: contributions become integer token amounts
 * ({@link org.sparkgrid.settlement.ledger.RewardSplit}, exact, summing to the pool), payouts
 * become a Merkle tree compatible with OpenZeppelin ({@link org.sparkgrid.settlement.ledger.MerkleTree}).
 *
 * <p>Start with {@link org.sparkgrid.settlement.ledger.SettlementPlan#of}, which does both.
 */
package org.sparkgrid.settlement.ledger;
