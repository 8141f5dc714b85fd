package org.sparkgrid.settlement.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Objects;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.EthChainId;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * A connection to an Ethereum JSON-RPC endpoint with what signing needs: the chain id the
 * transactions are signed for, and the {@link ChainOptions} (fee ceiling, gas margin, log ranges,
 * receipt wait). Building one sends nothing, so it can be made while the node is down;
 * {@link #verifyChainId()} asks the node which chain it is.
 *
 * <pre>{@code
 * try (Chain chain = Chain.connect("http://127.0.0.1:8545", 31337).verifyChainId()) {
 *   RewardDistributor d = RewardDistributor.load(address, chain.web3j(),
 *       chain.transactionManager(key), chain.gas());
 * }
 * }</pre>
 *
 * @param chainId the chain id transactions are signed for (EIP-155)
 * @param options fees, gas, log ranges and receipt polling
 */
public record Chain(Web3j web3j, String rpcUrl, long chainId, ChainOptions options) implements AutoCloseable {
  /**
   * What the Web3j wrappers are given as their gas provider. {@link CheckedTransactionManager}
   * ignores it: it estimates the gas and asks the node for the fees of every transaction.
   */
  private static final ContractGasProvider IGNORED = new StaticGasProvider(BigInteger.ONE, BigInteger.ONE);

  public Chain {
    Objects.requireNonNull(web3j, "web3j");
    Objects.requireNonNull(rpcUrl, "rpcUrl");
    Objects.requireNonNull(options, "options");
  }

  /** Connects with {@link ChainOptions#DEFAULT}. */
  public static Chain connect(String rpcUrl, long chainId) {
    return connect(rpcUrl, chainId, ChainOptions.DEFAULT);
  }

  public static Chain connect(String rpcUrl, long chainId, ChainOptions options) {
    return new Chain(Web3j.build(new HttpService(rpcUrl)), rpcUrl, chainId, options);
  }

  /**
   * Asks the node for its chain id ({@code eth_chainId}) and compares it with {@link #chainId()}.
   *
   * @return this
   * @throws IllegalArgumentException in one line naming both ids, if they differ, or naming the URL,
   *     if the node cannot be reached
   */
  public Chain verifyChainId() {
    EthChainId answer;
    try {
      answer = web3j.ethChainId().send();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot reach the chain at " + rpcUrl + ": " + e.getMessage(), e);
    }
    if (answer.hasError()) {
      throw new IllegalArgumentException("the chain at " + rpcUrl + " refused eth_chainId: "
          + answer.getError().getMessage());
    }
    long actual = answer.getChainId().longValueExact();
    if (actual != chainId) {
      throw new IllegalArgumentException("the chain at " + rpcUrl + " has chain id " + actual
          + ", but chain id " + chainId + " is configured (spark.sparkgrid.chain.chainId or chain.json)");
    }
    return this;
  }

  /**
   * A transaction manager that signs with {@code key}, checks and prices every transaction as
   * {@link CheckedTransactionManager} says, and counts nonces locally (clear them with
   * {@link CheckedTransactionManager#clearNonce()} after a nonce clash).
   */
  public CheckedTransactionManager transactionManager(ChainKey key) {
    return new CheckedTransactionManager(web3j, key.credentials(), chainId, options);
  }

  /** For the wrappers' {@code load}/{@code deploy}: ignored by {@link #transactionManager}. */
  public ContractGasProvider gas() {
    return IGNORED;
  }

  @Override
  public void close() {
    web3j.shutdown();
  }

  @Override
  public String toString() {
    return "Chain[" + rpcUrl + ", chainId=" + chainId + "]";
  }
}
