/**
 * Settlement: contributors are paid in the reward token through one Merkle root per settlement.
 *
 * <p>Start with {@link org.sparkgrid.settlement.Settler}, which publishes a
 * {@link org.sparkgrid.settlement.ledger.SettlementPlan} once and stores its
 * {@link org.sparkgrid.settlement.SettlementReceipt} (funded by the coordinator, or drawn from a
 * job's deposit in the escrow: {@link org.sparkgrid.settlement.JobDeposit}); sites claim with
 * {@link org.sparkgrid.settlement.Claimant}; {@link org.sparkgrid.settlement.Reconciler} compares
 * the store with the chain. The ledger math is in {@code ledger}, the node, keys and deployment
 * in {@code chain}, the Web3j wrappers (generated at build time from the Solidity sources in
 * {@code src/main/solidity}) in {@code contracts}.
 */
package org.sparkgrid.settlement;
