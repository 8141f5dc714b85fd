package org.sparkgrid.settlement.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.tx.FastRawTransactionManager;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * Signs and sends every transaction of a Web3j contract wrapper the way a public chain needs it,
 * whatever gas price and limit the wrapper passes (they are ignored):
 *
 * <ol>
 *   <li>{@code eth_call} first: a call that would revert is not sent, and a
 *       {@link RevertedException} says which function and why, decoded, in one line;
 *   <li>the gas limit is {@code eth_estimateGas} plus {@link ChainOptions#gasMarginPercent()};
 *   <li>the fees come from the node ({@link Fees#fromNode}), EIP-1559 where the chain has a base
 *       fee, and a fee above {@link ChainOptions#maxFeePerGas()} sends nothing
 *       ({@link Fees.FeeCeilingException});
 *   <li>nonces are counted locally, and asked from the node again after a failed send.
 * </ol>
 *
 * <pre>{@code
 * RewardDistributor d = RewardDistributor.load(address, chain.web3j(), chain.transactionManager(key), chain.gas());
 * }</pre>
 */
public final class CheckedTransactionManager extends FastRawTransactionManager {
  private static final Logger LOG = LoggerFactory.getLogger(CheckedTransactionManager.class);
  private final Web3j web3j;
  private final long chainId;
  private final ChainOptions options;

  public CheckedTransactionManager(Web3j web3j, Credentials credentials, long chainId, ChainOptions options) {
    super(web3j, credentials, chainId, new PollingTransactionReceiptProcessor(web3j,
        options.receiptPoll().toMillis(), options.receiptAttempts()));
    this.web3j = web3j;
    this.chainId = chainId;
    this.options = options;
  }

  @Override
  public EthSendTransaction sendTransaction(BigInteger gasPrice, BigInteger gasLimit, String to, String data,
      BigInteger value, boolean constructor) throws IOException {
    return send(to, data, value);
  }

  @Override
  public EthSendTransaction sendEIP1559Transaction(long chainId, BigInteger maxPriorityFeePerGas,
      BigInteger maxFeePerGas, BigInteger gasLimit, String to, String data, BigInteger value, boolean constructor)
      throws IOException {
    return send(to, data, value);
  }

  private EthSendTransaction send(String to, String data, BigInteger value) throws IOException {
    boolean create = to == null || to.isEmpty();
    String function = create ? "the deployment" : RevertReasons.functionOf(data);
    Transaction call = new Transaction(getFromAddress(), null, null, null, create ? null : to, value, data);
    Response<?> simulated = web3j.ethCall(call, DefaultBlockParameterName.LATEST).send();
    checkNotReverted(function, simulated, "eth_call");
    EthEstimateGas estimate = web3j.ethEstimateGas(call).send();
    checkNotReverted(function, estimate, "eth_estimateGas");
    BigInteger gasLimit = withMargin(estimate.getAmountUsed(), options.gasMarginPercent());
    Fees fees = Fees.fromNode(web3j).checkCeiling(options.maxFeePerGas());
    BigInteger nonce = getNonce();
    RawTransaction tx = fees.eip1559()
        ? RawTransaction.createTransaction(chainId, nonce, gasLimit, create ? "" : to, value, data,
            fees.priorityFee(), fees.maxFee())
        : RawTransaction.createTransaction(nonce, fees.maxFee(), gasLimit, create ? "" : to, value, data);
    EthSendTransaction sent = signAndSend(tx);
    if (sent.hasError()) {
      clearNonce(); // the node did not take this nonce: ask it again next time
      checkNotReverted(function, sent, "eth_sendRawTransaction");
    } else {
      LOG.debug("{} sent in {} (nonce {}, gas limit {}, max fee {} wei)", function, sent.getTransactionHash(), nonce,
          gasLimit, fees.maxFee());
    }
    return sent;
  }

  /** {@code gas} plus {@code percent} percent, rounded up. */
  static BigInteger withMargin(BigInteger gas, int percent) {
    BigInteger[] qr = gas.multiply(BigInteger.valueOf(100L + percent)).divideAndRemainder(BigInteger.valueOf(100));
    return qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
  }

  private static void checkNotReverted(String function, Response<?> answer, String method) throws IOException {
    if (!answer.hasError()) {
      return;
    }
    Response.Error error = answer.getError();
    String message = error.getMessage() == null ? "" : error.getMessage();
    if (error.getCode() == 3 || message.toLowerCase(Locale.ROOT).contains("revert")) {
      String data = revertData(error.getData());
      String afterPrefix = message.replaceFirst("(?i)^execution reverted:?\\s*", "");
      throw new RevertedException(function, data != null || afterPrefix.isEmpty() ? RevertReasons.decode(data)
          : afterPrefix);
    }
    throw new IOException(method + " for " + function + " failed: " + message);
  }

  /** The hex revert data of an error's {@code data} field (a JSON string, or the string itself). */
  static String revertData(String data) {
    if (data == null) {
      return null;
    }
    String d = data.trim();
    if (d.startsWith("\"") && d.endsWith("\"") && d.length() >= 2) {
      d = d.substring(1, d.length() - 1);
    }
    return d.startsWith("0x") ? d : null;
  }
}
