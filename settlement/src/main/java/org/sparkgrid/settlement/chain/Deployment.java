package org.sparkgrid.settlement.chain;

/**
 * Where the three contracts live.
 *
 * @param token       the SparkGridToken (ERC-20) address
 * @param distributor the RewardDistributor address
 * @param escrow      the JobEscrow address
 */
public record Deployment(String token, String distributor, String escrow) {}
