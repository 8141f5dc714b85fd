package org.sparkgrid.settlement.ledger;

import java.math.BigInteger;
import java.util.Objects;

/**
 * One leaf of a settlement's Merkle tree: {@code amount} paid to {@code account}, claimable once
 * under {@code index}.
 *
 * @param index   the payout's position in the settlement, 0-based; selects its claimed bit
 * @param account the paid address, 0x and 40 hex digits
 * @param amount  in the token's smallest unit, {@code > 0}
 */
public record Payout(int index, String account, BigInteger amount) {
  /**
   * @throws IllegalArgumentException if the index is negative or the amount not positive
   */
  public Payout {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(amount, "amount");
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0. Current value is " + index + ".");
    }
    if (amount.signum() <= 0) {
      throw new IllegalArgumentException("amount of payout " + index + " must be > 0. Current value is "
          + amount + ".");
    }
  }
}
