/**
 * Reaching a chain: {@link org.sparkgrid.settlement.chain.Chain} (a JSON-RPC endpoint with its
 * chain id, checked against the node, and {@link org.sparkgrid.settlement.chain.ChainOptions}),
 * {@link org.sparkgrid.settlement.chain.CheckedTransactionManager} (every transaction simulated
 * first, its gas estimated, its EIP-1559 fees from the node under a ceiling; reverts decoded by
 * {@link org.sparkgrid.settlement.chain.RevertReasons} into a
 * {@link org.sparkgrid.settlement.chain.RevertedException}),
 * {@link org.sparkgrid.settlement.chain.EventLogs} (events in bounded block ranges),
 * {@link org.sparkgrid.settlement.chain.ChainKey} (keys from a V3 keystore or
 * {@code SPARKGRID_CHAIN_KEY}, never printed), {@link org.sparkgrid.settlement.chain.Deployer}
 * (the contracts, what {@code chain deploy} runs) and
 * {@link org.sparkgrid.settlement.chain.ChainRecord} (chain.json under the home), and
 * {@link org.sparkgrid.settlement.chain.LocalChain} (an anvil child process for one machine and tests).
 */
package org.sparkgrid.settlement.chain;
