package org.sparkgrid.settlement;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.sparkgrid.settlement.ledger.Bytes32;

/**
 * Where published settlements are kept: written once per settlement id, read by the settler
 * (to settle nothing twice), by claimants (for proofs) and by reconciliation.
 */
public interface ReceiptStore {
  /** The receipt of a settlement id, if it has been stored. */
  Optional<SettlementReceipt> find(Bytes32 settlementId) throws IOException;

  /**
   * Stores a receipt, durably, before returning.
   *
   * @throws IllegalStateException if a receipt for its settlement id is stored already
   */
  void put(SettlementReceipt receipt) throws IOException;

  /** All stored receipts, in settlement id order. */
  List<SettlementReceipt> all() throws IOException;
}
