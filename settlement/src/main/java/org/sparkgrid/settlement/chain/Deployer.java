package org.sparkgrid.settlement.chain;

import java.math.BigInteger;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkgrid.settlement.contracts.JobEscrow;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.contracts.SparkGridToken;
import org.web3j.tx.TransactionManager;

/**
 * Deploys SparkGridToken, RewardDistributor and JobEscrow, all three from one key (which becomes
 * the token holder and the contracts' admin), then grants the coordinator role.
 *
 * <pre>{@code
 * Deployment d = Deployer.with(chain, key).initialSupply(new BigInteger("1000000000000000000000000"))
 *     .penaltyBps(2500).deploy();
 * }</pre>
 */
public final class Deployer {
  private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

  private final Chain chain;
  private final ChainKey key;
  private BigInteger initialSupply = BigInteger.TEN.pow(27); // 1e9 tokens of 18 decimals
  private int penaltyBps = 2500;
  private String penaltySink;
  private String coordinator;

  private Deployer(Chain chain, ChainKey key) {
    this.chain = Objects.requireNonNull(chain, "chain");
    this.key = Objects.requireNonNull(key, "key");
  }

  /** A deployer signing with {@code key}; by default the key is also coordinator and penalty sink. */
  public static Deployer with(Chain chain, ChainKey key) {
    return new Deployer(chain, key);
  }

  /** @throws IllegalArgumentException if not positive */
  public Deployer initialSupply(BigInteger initialSupply) {
    if (initialSupply.signum() <= 0) {
      throw new IllegalArgumentException("initialSupply must be > 0. Current value is " + initialSupply + ".");
    }
    this.initialSupply = initialSupply;
    return this;
  }

  /**
   * The share of a refunded fee kept as a penalty (the older marketplace burned 25%: 2500).
   *
   * @throws IllegalArgumentException if not in [0, 10000]
   */
  public Deployer penaltyBps(int penaltyBps) {
    if (penaltyBps < 0 || penaltyBps > 10_000) {
      throw new IllegalArgumentException("penaltyBps must be in [0, 10000]. Current value is " + penaltyBps + ".");
    }
    this.penaltyBps = penaltyBps;
    return this;
  }

  /** Where refund penalties go (default: the deploying key's address). */
  public Deployer penaltySink(String penaltySink) {
    this.penaltySink = Objects.requireNonNull(penaltySink, "penaltySink");
    return this;
  }

  /** Who may publish settlements and release or fail jobs (default: the deploying key). */
  public Deployer coordinator(String coordinator) {
    this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
    return this;
  }

  /**
   * Deploys the three contracts (three transactions).
   *
   * @throws Exception whatever Web3j throws: the node is unreachable or a deployment reverted
   */
  public Deployment deploy() throws Exception {
    TransactionManager tm = chain.transactionManager(key);
    String admin = key.address();
    String coordinatorAddress = coordinator != null ? coordinator : admin;
    String sink = penaltySink != null ? penaltySink : admin;
    SparkGridToken token = SparkGridToken.deploy(chain.web3j(), tm, chain.gas(), initialSupply).send();
    RewardDistributor distributor = RewardDistributor.deploy(chain.web3j(), tm, chain.gas(),
        token.getContractAddress(), admin, coordinatorAddress).send();
    JobEscrow escrow = JobEscrow.deploy(chain.web3j(), tm, chain.gas(),
        token.getContractAddress(), admin, coordinatorAddress, BigInteger.valueOf(penaltyBps), sink).send();
    Deployment d = new Deployment(token.getContractAddress(), distributor.getContractAddress(),
        escrow.getContractAddress());
    LOG.info("deployed {} on {}", d, chain);
    return d;
  }
}
