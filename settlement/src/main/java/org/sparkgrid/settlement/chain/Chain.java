package org.sparkgrid.settlement.chain;

import java.math.BigInteger;
import java.util.Objects;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.FastRawTransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.tx.gas.StaticGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * A connection to an Ethereum JSON-RPC endpoint with what signing needs: the chain id, a gas
 * price and limit, and how often to poll for a receipt. Building one sends nothing, so it can be
 * made while the node is down.
 *
 * <pre>{@code
 * try (Chain chain = Chain.connect("http://127.0.0.1:8545", 31337)) {
 *   RewardDistributor d = RewardDistributor.load(address, chain.web3j(),
 *       chain.transactionManager(key), chain.gas());
 * }
 * }</pre>
 *
 * @param rpcUrl          the JSON-RPC endpoint
 * @param chainId         the chain id transactions are signed for (EIP-155)
 * @param gas             the gas price and limit of every transaction
 * @param receiptPollMs   how often to ask for a receipt
 * @param receiptAttempts how many times to ask before giving up on a receipt
 */
public record Chain(Web3j web3j, String rpcUrl, long chainId, ContractGasProvider gas, long receiptPollMs,
                   int receiptAttempts) implements AutoCloseable {
  /** 2 gwei: above a fresh anvil's base fee (1 gwei, falling while blocks are empty). */
  public static final BigInteger DEFAULT_GAS_PRICE = BigInteger.valueOf(2_000_000_000L);
  /** Enough to deploy the distributor (about 1.3M gas); a transaction pays only for what it uses. */
  public static final BigInteger DEFAULT_GAS_LIMIT = BigInteger.valueOf(5_000_000L);

  public Chain {
    Objects.requireNonNull(web3j, "web3j");
    Objects.requireNonNull(rpcUrl, "rpcUrl");
    Objects.requireNonNull(gas, "gas");
  }

  /** Connects with the default gas price and limit, polling for receipts every 100 ms for a minute. */
  public static Chain connect(String rpcUrl, long chainId) {
    return new Chain(Web3j.build(new HttpService(rpcUrl)), rpcUrl, chainId,
        new StaticGasProvider(DEFAULT_GAS_PRICE, DEFAULT_GAS_LIMIT), 100, 600);
  }

  /**
   * A transaction manager that signs with {@code key} and counts nonces locally (reset it with
   * {@link FastRawTransactionManager#resetNonce()} after a nonce clash).
   */
  public FastRawTransactionManager transactionManager(ChainKey key) {
    return new FastRawTransactionManager(web3j, key.credentials(), chainId,
        new PollingTransactionReceiptProcessor(web3j, receiptPollMs, receiptAttempts));
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
