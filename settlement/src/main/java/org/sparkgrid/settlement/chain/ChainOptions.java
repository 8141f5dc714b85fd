package org.sparkgrid.settlement.chain;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;
import org.sparkgrid.core.config.SparkGridConfig;

/**
 * How transactions are priced and awaited, and how events are read, on one chain.
 *
 * <pre>{@code
 * ChainOptions options = ChainOptions.from(config);               // spark.sparkgrid.chain.*
 * ChainOptions options = ChainOptions.DEFAULT.withLogBlockRange(5);
 * }</pre>
 *
 * @param maxFeePerGas     ceiling on a transaction's maxFeePerGas, in wei
 * @param gasMarginPercent added to {@code eth_estimateGas}, in percent
 * @param logBlockRange    blocks per {@code eth_getLogs} request
 * @param receiptPoll      how often to ask for a receipt
 * @param receiptTimeout   how long to wait for one
 */
public record ChainOptions(BigInteger maxFeePerGas, int gasMarginPercent, long logBlockRange, Duration receiptPoll,
                           Duration receiptTimeout) {
  private static final BigInteger GWEI = BigInteger.TEN.pow(9);

  /** The defaults of the {@code spark.sparkgrid.chain.*} keys, polling every 100 ms. */
  public static final ChainOptions DEFAULT = new ChainOptions(
      gwei(SparkGridConfig.CHAIN_MAX_FEE_PER_GAS_GWEI.defaultValue()),
      SparkGridConfig.CHAIN_GAS_MARGIN_PERCENT.defaultValue(), SparkGridConfig.CHAIN_LOG_BLOCK_RANGE.defaultValue(),
      Duration.ofMillis(100), Duration.ofMillis(SparkGridConfig.CHAIN_RECEIPT_TIMEOUT_MS.defaultValue()));

  /** @throws IllegalArgumentException naming the field and the value, if one is out of range */
  public ChainOptions {
    Objects.requireNonNull(maxFeePerGas, "maxFeePerGas");
    Objects.requireNonNull(receiptPoll, "receiptPoll");
    Objects.requireNonNull(receiptTimeout, "receiptTimeout");
    if (maxFeePerGas.signum() <= 0) {
      throw new IllegalArgumentException("maxFeePerGas must be > 0. Current value is " + maxFeePerGas + ".");
    }
    if (gasMarginPercent < 0) {
      throw new IllegalArgumentException("gasMarginPercent must be >= 0. Current value is " + gasMarginPercent + ".");
    }
    if (logBlockRange < 1) {
      throw new IllegalArgumentException("logBlockRange must be >= 1. Current value is " + logBlockRange + ".");
    }
    if (receiptPoll.isNegative() || receiptPoll.isZero() || receiptTimeout.compareTo(receiptPoll) < 0) {
      throw new IllegalArgumentException("receiptPoll must be positive and at most receiptTimeout. Current values are "
          + receiptPoll + " and " + receiptTimeout + ".");
    }
  }

  /** The {@code spark.sparkgrid.chain.*} keys of {@code config}. */
  public static ChainOptions from(SparkGridConfig config) {
    Duration poll = Duration.ofMillis(Math.min(config.get(SparkGridConfig.CHAIN_RECEIPT_POLL_MS),
        config.get(SparkGridConfig.CHAIN_RECEIPT_TIMEOUT_MS)));
    return new ChainOptions(gwei(config.get(SparkGridConfig.CHAIN_MAX_FEE_PER_GAS_GWEI)),
        config.get(SparkGridConfig.CHAIN_GAS_MARGIN_PERCENT), config.get(SparkGridConfig.CHAIN_LOG_BLOCK_RANGE),
        poll, Duration.ofMillis(config.get(SparkGridConfig.CHAIN_RECEIPT_TIMEOUT_MS)));
  }

  /** {@code g} gwei in wei. */
  public static BigInteger gwei(long g) {
    return BigInteger.valueOf(g).multiply(GWEI);
  }

  public ChainOptions withMaxFeePerGas(BigInteger wei) {
    return new ChainOptions(wei, gasMarginPercent, logBlockRange, receiptPoll, receiptTimeout);
  }

  public ChainOptions withLogBlockRange(long blocks) {
    return new ChainOptions(maxFeePerGas, gasMarginPercent, blocks, receiptPoll, receiptTimeout);
  }

  public ChainOptions withReceiptTimeout(Duration timeout) {
    return new ChainOptions(maxFeePerGas, gasMarginPercent, logBlockRange, receiptPoll, timeout);
  }

  /** How many times a receipt is asked for before giving up. */
  int receiptAttempts() {
    return (int) Math.max(1, receiptTimeout.toMillis() / receiptPoll.toMillis());
  }
}
