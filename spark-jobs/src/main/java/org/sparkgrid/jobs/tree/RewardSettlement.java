package org.sparkgrid.jobs.tree;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.settlement.FileReceiptStore;
import org.sparkgrid.settlement.Settler;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.ledger.SettlementPlan;

/**
 * Publishes settlement plans on the chain that {@code spark.sparkgrid.chain.*} names, with the
 * coordinator's key (from {@code SPARKGRID_CHAIN_KEY} in the entry points); receipts kept under
 * SparkGrid's home, so a rerun settles nothing twice. Returns, per plan, what lineage records.
 */
public final class RewardSettlement {
  private RewardSettlement() {}

  /** Whether a chain is configured. */
  public static boolean configured(SparkGridConfig config) {
    return !config.get(SparkGridConfig.CHAIN_RPC_URL).isEmpty();
  }

  /**
   * @throws IllegalArgumentException if the distributor address or the key is missing
   * @throws IOException if a receipt cannot be stored
   */
  public static List<Map<String, Object>> settle(SparkGridConfig config, List<SettlementPlan> plans, ChainKey key)
      throws IOException, InterruptedException {
    String distributor = config.get(SparkGridConfig.CHAIN_DISTRIBUTOR);
    if (distributor.isEmpty()) {
      throw new IllegalArgumentException("spark.sparkgrid.chain.distributor must name the RewardDistributor when"
          + " spark.sparkgrid.chain.rpcUrl is set");
    }
    Chain chain = Chain.connect(config.get(SparkGridConfig.CHAIN_RPC_URL), config.get(SparkGridConfig.CHAIN_ID));
    try {
      Settler settler = Settler.builder(chain, key, distributor,
          new FileReceiptStore(Path.of(config.home(), "settlements"))).build();
      List<Map<String, Object>> out = new ArrayList<>();
      for (SettlementPlan plan : plans) {
        Settler.Outcome o = settler.settle(plan);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", plan.name());
        m.put("settlementId", o.receipt().settlementId());
        m.put("root", o.receipt().root());
        m.put("total", o.receipt().total().toString());
        m.put("transactionHash", o.receipt().transactionHash());
        m.put("chainId", o.receipt().chainId());
        m.put("distributor", o.receipt().distributor());
        out.add(m);
      }
      return out;
    } finally {
      chain.close();
    }
  }
}
