package org.sparkgrid.settlement.chain;

/**
 * Where the three contracts live, and from which block their events are to be read.
 *
 * @param token       the reward token (ERC-20) address: SparkGridToken, or an existing token
 * @param distributor the RewardDistributor address
 * @param escrow      the JobEscrow address
 * @param block       the block of the first deployment transaction (0 if unknown)
 */
public record Deployment(String token, String distributor, String escrow, long block) {
  /** A deployment whose block is unknown: events are read from block 0. */
  public Deployment(String token, String distributor, String escrow) {
    this(token, distributor, escrow, 0);
  }
}
