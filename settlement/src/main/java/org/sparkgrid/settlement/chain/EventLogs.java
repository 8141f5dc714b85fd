package org.sparkgrid.settlement.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterNumber;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Reads a contract's events in block ranges of a bounded size, from a first block (the
 * deployment's) to the latest: public RPC providers refuse an {@code eth_getLogs} over the whole
 * chain. The ranges together return what one call over the same blocks would, in the same order.
 *
 * <pre>{@code
 * List<Log> published = EventLogs.read(web3j, distributor, 2000, deploymentBlock,
 *     EventEncoder.encode(RewardDistributor.SETTLEMENTPUBLISHED_EVENT));
 * }</pre>
 */
public final class EventLogs {
  private EventLogs() {}

  /**
   * @param address   the contract
   * @param range     blocks per request, {@code >= 1}
   * @param fromBlock the first block to read
   * @param topics    topic 0, 1, ... to match (a null entry matches any)
   * @throws IOException naming the range, if the node refuses a request
   */
  public static List<Log> read(Web3j web3j, String address, long range, long fromBlock, String... topics)
      throws IOException {
    Objects.requireNonNull(address, "address");
    if (range < 1) {
      throw new IllegalArgumentException("range must be >= 1. Current value is " + range + ".");
    }
    var head = web3j.ethBlockNumber().send();
    if (head.hasError()) {
      throw new IOException("eth_blockNumber failed: " + head.getError().getMessage());
    }
    long latest = head.getBlockNumber().longValueExact();
    List<Log> logs = new ArrayList<>();
    for (long from = Math.max(0, fromBlock); from <= latest; from += range) {
      long to = Math.min(latest, from + range - 1);
      EthFilter filter = new EthFilter(new DefaultBlockParameterNumber(BigInteger.valueOf(from)),
          new DefaultBlockParameterNumber(BigInteger.valueOf(to)), address);
      for (String topic : topics) {
        if (topic == null) {
          filter.addNullTopic();
        } else {
          filter.addSingleTopic(topic);
        }
      }
      EthLog answer = web3j.ethGetLogs(filter).send();
      if (answer.hasError()) {
        throw new IOException("eth_getLogs over blocks " + from + ".." + to + " failed: "
            + answer.getError().getMessage() + " (lower spark.sparkgrid.chain.logBlockRange)");
      }
      for (EthLog.LogResult<?> r : answer.getLogs()) {
        logs.add((Log) r.get());
      }
    }
    return logs;
  }
}
