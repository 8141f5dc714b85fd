/**
 * Reaching a chain: {@link org.sparkgrid.settlement.chain.Chain} (a JSON-RPC endpoint with
 * signing settings), {@link org.sparkgrid.settlement.chain.ChainKey} (keys from a keystore or
 * {@code SPARKGRID_CHAIN_KEY}, never printed), {@link org.sparkgrid.settlement.chain.LocalChain}
 * (an anvil child process for one machine and tests) and
 * {@link org.sparkgrid.settlement.chain.Deployer} (the three contracts).
 */
package org.sparkgrid.settlement.chain;
