package org.sparkgrid.jobs.tree;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RewardSpec;
import org.sparkgrid.settlement.FileReceiptStore;
import org.sparkgrid.settlement.JobDeposit;
import org.sparkgrid.settlement.RetryPolicy;
import org.sparkgrid.settlement.Settler;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.ChainOptions;
import org.sparkgrid.settlement.chain.ChainRecord;
import org.sparkgrid.settlement.contracts.JobEscrow;
import org.sparkgrid.settlement.ledger.SettlementPlan;

/**
 * Publishes settlement plans on the chain that {@code spark.sparkgrid.chain.*} names, with the
 * coordinator's key (from a keystore or {@code SPARKGRID_CHAIN_KEY} in the entry points); receipts kept under
 * SparkGrid's home, so a rerun settles nothing twice. Returns, per plan, what lineage records.
 *
 * <p>A tree job's rewards are paid from its requester's deposit in the {@code JobEscrow}, keyed by
 * the job id ({@code bin/sparkgrid escrow deposit --job <job> --fee <poolPerRound x rounds>}):
 * {@link #checkDeposit} refuses a federation whose deposit is missing or too small before it
 * trains, {@link #settle} draws each round's total from it, and {@link #releaseRest} returns what
 * is left to the requester when the federation succeeds. The coordinator's own tokens pay nothing.
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
   * @param deploymentBlock where reading the contracts' events starts
   */
  public record Target(String rpcUrl, long chainId, String distributor, String escrow, long deploymentBlock) {}

  /** Where {@code bin/sparkgrid chain} records the local node and its contracts. */
  public static Path chainFile(SparkGridConfig config) {
    return ChainRecord.file(config);
  }

  /**
   * Records a chain and its contracts in SparkGrid's home, where {@link #target} finds them when no
   * {@code spark.sparkgrid.chain.*} key is set: what {@code bin/sparkgrid chain} and {@code chain deploy}
   * leave for the other commands, federations and notebooks.
   *
   * @param coordinator the address whose key publishes settlements
   * @return the file written
   * @throws IOException if it cannot be written
   */
  public static Path record(SparkGridConfig config, String rpcUrl, long chainId,
      org.sparkgrid.settlement.chain.Deployment d, String coordinator) throws IOException {
    return ChainRecord.of(rpcUrl, chainId, d, coordinator).write(chainFile(config));
  }

  /**
   * The {@code spark.sparkgrid.chain.*} keys, else what {@code bin/sparkgrid chain} recorded in
   * SparkGrid's home, else empty (no chain: nothing is paid).
   *
   * @throws IllegalArgumentException if the RPC URL is set without the distributor
   */
  public static java.util.Optional<Target> target(SparkGridConfig config) throws IOException {
    return ChainRecord.resolve(config).map(r -> new Target(r.rpcUrl(), r.chainId(), r.distributor(), r.escrow(),
        r.deploymentBlock()));
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
   * The coordinator's key (from {@code spark.sparkgrid.chain.keystore}, else {@code SPARKGRID_CHAIN_KEY}),
   * after checking that the configured chain answers with the configured chain id: what a federation
   * checks at its start, before any training.
   *
   * @throws IllegalArgumentException in one line, if there is no key, or the chain is unreachable or
   *     another chain
   */
  public static ChainKey coordinatorKey(SparkGridConfig config) throws IOException {
    ChainKey key = ChainKey.fromConfig(config);
    java.util.Optional<ChainRecord> chainRecord = ChainRecord.resolve(config);
    if (chainRecord.isPresent()) {
      try (Chain chain = chainRecord.get().connect(config)) {
        chain.verifyChainId();
      }
    }
    return key;
  }

  private static Target requireTarget(SparkGridConfig config) throws IOException {
    return target(config).orElseThrow(() -> new IllegalArgumentException("no chain configured: set"
        + " spark.sparkgrid.chain.rpcUrl and spark.sparkgrid.chain.distributor, or run 'bin/sparkgrid chain'"));
  }

  /**
   * The job's deposit in the configured escrow.
   *
   * @throws IllegalArgumentException if no chain or no escrow is configured
   */
  public static JobDeposit deposit(SparkGridConfig config, String jobId) throws IOException {
    Target t = requireTarget(config);
    if (t.escrow().isBlank()) {
      throw new IllegalArgumentException("reward: spark.sparkgrid.chain.escrow is not set ('bin/sparkgrid chain'"
          + " records it): a tree job's rewards are paid from its requester's deposit in the JobEscrow");
    }
    return JobDeposit.of(t.escrow(), jobId);
  }

  /**
   * Checks, before a federation trains, that its requester deposited at least {@code poolPerRound x
   * rounds} for the job in the escrow, and that the deposit is still open.
   *
   * @return the deposit as the escrow shows it
   * @throws IllegalArgumentException in one line if it is missing, closed or too small (naming the
   *     command that deposits), or no escrow is configured
   */
  public static JobDeposit.State checkDeposit(SparkGridConfig config, String jobId, RewardSpec reward, int rounds)
      throws IOException {
    BigInteger pool = new BigInteger(reward.poolPerRound());
    JobDeposit deposit = deposit(config, jobId);
    Target t = requireTarget(config);
    try (Chain chain = Chain.connect(t.rpcUrl(), t.chainId(), ChainOptions.from(config))) {
      return deposit.read(chain).requireAtLeast(pool.multiply(BigInteger.valueOf(rounds)),
          "poolPerRound " + pool + " x " + rounds + " rounds");
    }
  }

  /**
   * A succeeded federation: releases what is left of its deposit (nothing if the rounds drew it
   * all) back to its requester, with the coordinator's key. Nothing is sent if the deposit is
   * closed already (a rerun).
   *
   * @return what was released (0 when nothing was sent)
   * @throws IllegalStateException if the chain refuses the release
   */
  public static BigInteger releaseRest(SparkGridConfig config, String jobId, ChainKey key) throws IOException {
    JobDeposit deposit = deposit(config, jobId);
    Target t = requireTarget(config);
    try (Chain chain = Chain.connect(t.rpcUrl(), t.chainId(), ChainOptions.from(config))) {
      JobDeposit.State state = deposit.read(chain);
      if (state.status() != 1) {
        return BigInteger.ZERO;
      }
      try {
        JobEscrow.load(deposit.escrow(), chain.web3j(), chain.transactionManager(key), chain.gas())
            .release(deposit.id().bytes(), state.requester()).send();
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("releasing the rest of job '" + jobId + "''s deposit: " + e.getMessage(), e);
      }
      return state.remaining();
    }
  }

  /**
   * Settles the plans, each drawing its total from the job's deposit in the escrow.
   *
   * @throws IllegalArgumentException if the distributor address, the escrow or the key is missing
   * @throws IOException if a receipt cannot be stored
   */
  public static List<Map<String, Object>> settle(SparkGridConfig config, List<SettlementPlan> plans, ChainKey key,
      String jobId) throws IOException, InterruptedException {
    Target t = requireTarget(config);
    JobDeposit deposit = deposit(config, jobId);
    String distributor = t.distributor();
    Chain chain = Chain.connect(t.rpcUrl(), t.chainId(), ChainOptions.from(config));
    try {
      Settler settler = Settler.builder(chain, key, distributor,
          new FileReceiptStore(Path.of(config.home(), "settlements"))).retry(RetryPolicy.from(config))
          .fromBlock(t.deploymentBlock()).fundedBy(deposit).build();
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
