package org.sparkgrid.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.settlement.ledger.Payee;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.sparkgrid.settlement.ledger.Weighting;

class FileReceiptStoreTest {
  @TempDir Path dir;

  private static SettlementReceipt receipt(String name) {
    SettlementPlan plan = SettlementPlan.of(name, new BigInteger("1000000000000000000000"), List.of(
        new Payee("a", "0x000000000000000000000000000000000000000a", 1, 1),
        new Payee("b", "0x000000000000000000000000000000000000000b", 3, 1)), Weighting.SCORE);
    return new SettlementReceipt(plan.name(), plan.id().hex(), plan.root().hex(), plan.total(), plan.payouts(), 31337,
        "0x00000000000000000000000000000000000000d1", "0x" + "ab".repeat(32), 7, 90_000);
  }

  @Test
  void aStoredReceiptReadsBackEqualWithItsPlan() throws Exception {
    FileReceiptStore store = new FileReceiptStore(dir);
    SettlementReceipt r = receipt("job-1/round-1");

    store.put(r);

    assertThat(store.find(r.id())).contains(r);
    assertThat(store.all()).containsExactly(r);
    assertThat(store.find(r.id()).orElseThrow().plan().root().hex()).isEqualTo(r.root());
    // amounts are decimal strings, so no JSON reader rounds them
    assertThat(Files.readString(dir.resolve(r.settlementId() + ".json"))).contains("\"750000000000000000000\"");
    try (var files = Files.list(dir)) {
      assertThat(files).hasSize(1); // no temporary file left behind
    }
  }

  @Test
  void aReceiptIsWrittenOnce() throws Exception {
    FileReceiptStore store = new FileReceiptStore(dir);
    SettlementReceipt r = receipt("job-1/round-2");
    store.put(r);

    assertThatThrownBy(() -> store.put(r))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("settlement 'job-1/round-2' (" + r.settlementId() + ") is stored already in ");
  }
}
