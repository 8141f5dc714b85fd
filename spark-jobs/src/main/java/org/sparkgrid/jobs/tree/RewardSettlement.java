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

  /**
   * The chain rewards go to: RPC URL, chain id and RewardDistributor address.
   *
   * @param rpcUrl      JSON-RPC endpoint
   * @param chainId     its chain id
   * @param distributor the RewardDistributor contract
   * @param escrow      the JobEscrow contract (empty if unknown)
   */
  public record Target(String rpcUrl, long chainId, String distributor, String escrow) {}

  /** Where {@code bin/sparkgrid chain} records the local node and its contracts. */
  public static Path chainFile(SparkGridConfig config) {
    return Path.of(config.home(), "chain.json");
  }

  /**
   * Records a chain and its contracts in SparkGrid's home, where {@link #target} finds them when no
   * {@code spark.sparkgrid.chain.*} key is set: what {@code bin/sparkgrid chain} leaves for the other
   * commands, federations and notebooks.
   *
   * @param coordinator the address whose key publishes settlements
   * @return the file written
   * @throws IOException if it cannot be written
   */
  public static Path record(SparkGridConfig config, String rpcUrl, long chainId,
      org.sparkgrid.settlement.chain.Deployment d, String coordinator) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rpcUrl", rpcUrl);
    m.put("chainId", chainId);
    m.put("token", d.token());
    m.put("distributor", d.distributor());
    m.put("escrow", d.escrow());
    m.put("coordinator", coordinator);
    Path f = chainFile(config);
    java.nio.file.Files.createDirectories(f.getParent());
    new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(f.toFile(), m);
    return f;
  }

  /**
   * The {@code spark.sparkgrid.chain.*} keys, else what {@code bin/sparkgrid chain} recorded in
   * SparkGrid's home, else empty (no chain: nothing is paid).
   *
   * @throws IllegalArgumentException if the RPC URL is set without the distributor
   */
  public static java.util.Optional<Target> target(SparkGridConfig config) throws IOException {
    String rpc = config.get(SparkGridConfig.CHAIN_RPC_URL);
    if (!rpc.isEmpty()) {
      String distributor = config.get(SparkGridConfig.CHAIN_DISTRIBUTOR);
      if (distributor.isEmpty()) {
        throw new IllegalArgumentException("spark.sparkgrid.chain.distributor must name the RewardDistributor when"
            + " spark.sparkgrid.chain.rpcUrl is set");
      }
      return java.util.Optional.of(new Target(rpc, config.get(SparkGridConfig.CHAIN_ID), distributor,
          config.get(SparkGridConfig.CHAIN_ESCROW)));
    }
    Path f = chainFile(config);
    if (!java.nio.file.Files.exists(f)) {
      return java.util.Optional.empty();
    }
    Map<?, ?> m = new com.fasterxml.jackson.databind.ObjectMapper().readValue(f.toFile(), Map.class);
    Object escrow = m.get("escrow");
    return java.util.Optional.of(new Target((String) m.get("rpcUrl"), ((Number) m.get("chainId")).longValue(),
        (String) m.get("distributor"), escrow == null ? "" : (String) escrow));
  }

  /**
   * The coordinator's key from {@code SPARKGRID_CHAIN_KEY}.
   *
   * @throws IllegalArgumentException if it is unset or malformed (the message never holds the value)
   */
  public static ChainKey coordinatorKey() {
    try {
      return ChainKey.fromEnvironment();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage() + ": it must hold the private key that signs the"
          + " transactions (the coordinator's, to settle rewards)");
    }
  }

  /**
   * @throws IllegalArgumentException if the distributor address or the key is missing
   * @throws IOException if a receipt cannot be stored
   */
  public static List<Map<String, Object>> settle(SparkGridConfig config, List<SettlementPlan> plans, ChainKey key)
      throws IOException, InterruptedException {
    Target t = target(config).orElseThrow(() -> new IllegalArgumentException("no chain configured: set"
        + " spark.sparkgrid.chain.rpcUrl and spark.sparkgrid.chain.distributor, or run 'bin/sparkgrid chain'"));
    String distributor = t.distributor();
    Chain chain = Chain.connect(t.rpcUrl(), t.chainId());
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
