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
 * Deploys SparkGridToken (or uses an existing ERC-20), RewardDistributor and JobEscrow, all from
 * one key (which becomes the token holder and the contracts' admin), and grants the coordinator
 * role. What {@code bin/sparkgrid chain deploy} runs; every transaction goes through
 * {@link CheckedTransactionManager} (fees from the node, gas estimated, reverts decoded).
 *
 * <pre>{@code
 * Deployment d = Deployer.with(chain.verifyChainId(), key)
 *     .initialSupply(new BigInteger("1000000000000000000000000")).penaltyBps(2500).deploy();
 * Deployment d = Deployer.with(chain, key).existingToken("0xA0b8...").deploy(); // e.g. a stablecoin
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
  private String existingToken;

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
   * Pay rewards in an ERC-20 that is deployed already (no SparkGridToken is deployed, and
   * {@link #initialSupply} is unused): the coordinator must hold enough of it to fund settlements.
   */
  public Deployer existingToken(String tokenAddress) {
    this.existingToken = Objects.requireNonNull(tokenAddress, "tokenAddress");
    return this;
  }

  /**
   * Deploys the contracts and grants the distributor the escrow's {@code DISTRIBUTOR_ROLE} (four
   * transactions, three with an existing token).
   *
   * @throws IllegalArgumentException if the existing token is no ERC-20 on this chain
   * @throws RevertedException if a deployment reverts (the reason decoded)
   * @throws Exception whatever else Web3j throws: the node is unreachable, no receipt came
   */
  public Deployment deploy() throws Exception {
    TransactionManager tm = chain.transactionManager(key);
    String admin = key.address();
    String coordinatorAddress = coordinator != null ? coordinator : admin;
    String sink = penaltySink != null ? penaltySink : admin;
    String tokenAddress;
    Long firstBlock = null;
    if (existingToken != null) {
      checkErc20(existingToken);
      tokenAddress = existingToken;
    } else {
      SparkGridToken token = SparkGridToken.deploy(chain.web3j(), tm, chain.gas(), initialSupply).send();
      tokenAddress = token.getContractAddress();
      firstBlock = blockOf(token);
    }
    RewardDistributor distributor = RewardDistributor.deploy(chain.web3j(), tm, chain.gas(),
        tokenAddress, admin, coordinatorAddress).send();
    if (firstBlock == null) {
      firstBlock = blockOf(distributor);
    }
    JobEscrow escrow = JobEscrow.deploy(chain.web3j(), tm, chain.gas(),
        tokenAddress, admin, coordinatorAddress, BigInteger.valueOf(penaltyBps), sink).send();
    // the distributor may draw tree jobs' deposits into their settlements (publishFromEscrow), never more than remains
    escrow.grantRole(escrow.DISTRIBUTOR_ROLE().send(), distributor.getContractAddress()).send();
    Deployment d = new Deployment(tokenAddress, distributor.getContractAddress(), escrow.getContractAddress(),
        firstBlock);
    LOG.info("deployed {} on {}", d, chain);
    return d;
  }

  private static long blockOf(org.web3j.tx.Contract contract) {
    return contract.getTransactionReceipt().map(r -> r.getBlockNumber().longValueExact()).orElse(0L);
  }

  private void checkErc20(String address) throws Exception {
    String code = chain.web3j().ethGetCode(address, org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send()
        .getCode();
    if (code == null || code.equals("0x")) {
      throw new IllegalArgumentException("no contract at token address " + address + " on chain " + chain.chainId());
    }
    try {
      SparkGridToken.load(address, chain.web3j(), new org.web3j.tx.ReadonlyTransactionManager(chain.web3j(), address),
          chain.gas()).totalSupply().send();
    } catch (Exception e) {
      throw new IllegalArgumentException("the contract at token address " + address + " does not answer the ERC-20"
          + " totalSupply(): " + e.getMessage(), e);
    }
  }
}
