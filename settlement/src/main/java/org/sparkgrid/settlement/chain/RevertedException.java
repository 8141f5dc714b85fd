package org.sparkgrid.settlement.chain;

/**
 * The chain refuses a transaction: its {@code eth_call} (or, once mined, the transaction itself)
 * reverted. The message is one line, e.g. {@code RewardDistributor.publish(bytes32,bytes32,uint256)
 * reverted: AccessControlUnauthorizedAccount(account=0x..., neededRole=0x...)}. Sending it again does
 * not help: the state of the chain, or the call, must change.
 */
public final class RevertedException extends RuntimeException {
  private final String function;
  private final String reason;

  /**
   * @param function the contract function (see {@link RevertReasons#functionOf})
   * @param reason   the decoded reason (see {@link RevertReasons#decode})
   */
  public RevertedException(String function, String reason) {
    super(function + " reverted: " + reason);
    this.function = function;
    this.reason = reason;
  }

  public String function() {
    return function;
  }

  public String reason() {
    return reason;
  }
}
