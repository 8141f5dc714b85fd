package org.sparkgrid.settlement.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;
import java.util.Objects;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthFeeHistory;
import org.web3j.protocol.core.methods.response.EthMaxPriorityFeePerGas;

/**
 * What one transaction offers to pay per gas. On an EIP-1559 chain: {@code maxFeePerGas = 2 x
 * baseFee + priorityFee}, which stays valid through six full blocks of base-fee rises, and a
 * transaction pays only the base fee of its block plus the tip. On a chain without a base fee: the
 * node's {@code eth_gasPrice} (legacy transaction).
 *
 * <pre>{@code
 * Fees fees = Fees.fromNode(web3j).checkCeiling(ChainOptions.gwei(200));
 * }</pre>
 *
 * @param baseFee     the next block's base fee (0 on a legacy chain)
 * @param priorityFee the tip (0 on a legacy chain)
 * @param maxFee      maxFeePerGas, or the legacy gas price
 * @param eip1559     whether to send a type-2 transaction
 */
public record Fees(BigInteger baseFee, BigInteger priorityFee, BigInteger maxFee, boolean eip1559) {
  public Fees {
    Objects.requireNonNull(baseFee, "baseFee");
    Objects.requireNonNull(priorityFee, "priorityFee");
    Objects.requireNonNull(maxFee, "maxFee");
  }

  /** maxFeePerGas = 2 x baseFee + priorityFee. */
  public static Fees eip1559(BigInteger baseFee, BigInteger priorityFee) {
    return new Fees(baseFee, priorityFee, baseFee.shiftLeft(1).add(priorityFee), true);
  }

  public static Fees legacy(BigInteger gasPrice) {
    return new Fees(BigInteger.ZERO, BigInteger.ZERO, gasPrice, false);
  }

  /**
   * Asks the node: the next block's base fee from {@code eth_feeHistory}, the tip from
   * {@code eth_maxPriorityFeePerGas} (else the median tip of the last block); a node without base
   * fees gets a legacy price from {@code eth_gasPrice}.
   *
   * @throws IOException if the node cannot be reached or answers with an error
   */
  public static Fees fromNode(Web3j web3j) throws IOException {
    EthFeeHistory history = web3j.ethFeeHistory(1, DefaultBlockParameterName.LATEST, List.of(50.0)).send();
    List<BigInteger> baseFees = history.hasError() || history.getFeeHistory() == null ? List.of()
        : history.getFeeHistory().getBaseFeePerGas();
    if (baseFees == null || baseFees.isEmpty() || baseFees.get(baseFees.size() - 1).signum() == 0) {
      var price = web3j.ethGasPrice().send();
      if (price.hasError()) {
        throw new IOException("eth_gasPrice failed: " + price.getError().getMessage());
      }
      return legacy(price.getGasPrice());
    }
    BigInteger baseFee = baseFees.get(baseFees.size() - 1);
    EthMaxPriorityFeePerGas tip = web3j.ethMaxPriorityFeePerGas().send();
    BigInteger priority;
    if (!tip.hasError() && tip.getResult() != null) {
      priority = tip.getMaxPriorityFeePerGas();
    } else {
      List<List<BigInteger>> rewards = history.getFeeHistory().getReward();
      priority = rewards == null || rewards.isEmpty() || rewards.get(0).isEmpty() ? BigInteger.ZERO
          : rewards.get(0).get(0);
    }
    return eip1559(baseFee, priority);
  }

  /**
   * @param ceiling the most a transaction may offer per gas, in wei
   * @return this
   * @throws FeeCeilingException if {@link #maxFee} is above it, naming the base fee, the fee and
   *     {@code spark.sparkgrid.chain.maxFeePerGasGwei}
   */
  public Fees checkCeiling(BigInteger ceiling) {
    if (maxFee.compareTo(ceiling) > 0) {
      String what = eip1559 ? "maxFeePerGas " + gwei(maxFee) + " gwei (2 x base fee " + gwei(baseFee)
          + " gwei + tip " + gwei(priorityFee) + " gwei)" : "gas price " + gwei(maxFee) + " gwei";
      throw new FeeCeilingException("the chain needs " + what + ", above the ceiling of " + gwei(ceiling)
          + " gwei (spark.sparkgrid.chain.maxFeePerGasGwei)");
    }
    return this;
  }

  /** Wei as gwei, with up to three decimals. */
  static String gwei(BigInteger wei) {
    return new java.math.BigDecimal(wei).movePointLeft(9).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros()
        .toPlainString();
  }

  /** A transaction would cost more per gas than the configured ceiling; nothing was sent. */
  public static final class FeeCeilingException extends IllegalStateException {
    public FeeCeilingException(String message) {
      super(message);
    }
  }
}
