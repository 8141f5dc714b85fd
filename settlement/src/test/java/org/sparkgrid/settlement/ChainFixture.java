package org.sparkgrid.settlement;

import java.math.BigInteger;
import java.util.List;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.Deployer;
import org.sparkgrid.settlement.chain.Deployment;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.contracts.JobEscrow;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.contracts.SparkGridToken;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;

/**
 * A real anvil node with the three contracts deployed by account 0 (coordinator and admin),
 * for one test class. Accounts 1.. are others: sites, requesters, strangers.
 */
public final class ChainFixture implements AutoCloseable {
  public static final BigInteger SUPPLY = BigInteger.TEN.pow(27);
  public static final int PENALTY_BPS = 2500;

  public final LocalChain node;
  public final Chain chain;
  public final ChainKey coordinator;
  public final Deployment deployment;

  private ChainFixture(LocalChain node) throws Exception {
    this.node = node;
    this.chain = Chain.connect(node.rpcUrl(), node.chainId());
    this.coordinator = node.key(0);
    this.deployment = Deployer.with(chain, coordinator).initialSupply(SUPPLY).penaltyBps(PENALTY_BPS)
        .penaltySink(node.key(9).address()).deploy();
  }

  public static ChainFixture start() throws Exception {
    return start(LocalChain.builder().accounts(30));
  }

  /** Starts a node from the builder; stops it again if the deployment fails. */
  public static ChainFixture start(LocalChain.Builder builder) throws Exception {
    LocalChain node = builder.build().start();
    try {
      return new ChainFixture(node);
    } catch (Exception | Error e) {
      node.close();
      throw e;
    }
  }

  /**
   * How a revert with a Solidity custom error reads in a {@link
   * org.sparkgrid.settlement.chain.RevertedException}: "reverted: " and the error's name, decoded
   * from the contracts' ABIs, then its arguments.
   */
  public static String customError(String signature) {
    return "reverted: " + signature.substring(0, signature.indexOf('(') + 1);
  }

  public SparkGridToken token(ChainKey as) {
    return SparkGridToken.load(deployment.token(), chain.web3j(), chain.transactionManager(as), chain.gas());
  }

  public RewardDistributor distributor(ChainKey as) {
    return RewardDistributor.load(deployment.distributor(), chain.web3j(), chain.transactionManager(as), chain.gas());
  }

  public JobEscrow escrow(ChainKey as) {
    return JobEscrow.load(deployment.escrow(), chain.web3j(), chain.transactionManager(as), chain.gas());
  }

  public BigInteger balanceOf(String account) throws Exception {
    return token(coordinator).balanceOf(account).send();
  }

  public BigInteger nonceOf(ChainKey key) throws Exception {
    return chain.web3j().ethGetTransactionCount(key.address(), DefaultBlockParameterName.LATEST).send()
        .getTransactionCount();
  }

  /** Sets the next block's base fee (anvil's anvil_setNextBlockBaseFeePerGas); it decays again after. */
  public void setNextBaseFee(BigInteger wei) throws Exception {
    new Request<>("anvil_setNextBlockBaseFeePerGas", List.of(org.web3j.utils.Numeric.encodeQuantity(wei)),
        new HttpService(node.rpcUrl()), Response.class).send();
  }

  /** Moves the node's clock forward and mines a block (anvil's evm_increaseTime and evm_mine). */
  public void advanceSeconds(long seconds) throws Exception {
    HttpService rpc = new HttpService(node.rpcUrl());
    new Request<>("evm_increaseTime", List.of(seconds), rpc, Response.class).send();
    new Request<>("evm_mine", List.of(), rpc, Response.class).send();
  }

  @Override
  public void close() {
    chain.close();
    node.close();
  }
}
