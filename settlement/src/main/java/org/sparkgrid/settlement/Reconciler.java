package org.sparkgrid.settlement;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.ledger.Bytes32;
import org.sparkgrid.settlement.ledger.Payout;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.tuples.generated.Tuple3;
import org.web3j.tx.ReadonlyTransactionManager;

/**
 * Compares the ledger (the receipt store) with the chain: for every stored settlement, the root,
 * the funded total, which payouts are claimed and whether the unclaimed rest on chain equals the
 * total minus the claimed payouts; and whether the chain holds settlements the store does not.
 * Reads only; sends nothing.
 *
 * <pre>{@code
 * Reconciler.Report report = new Reconciler(chain, deployment.distributor()).reconcile(store);
 * report.differences().forEach(System.out::println);
 * }</pre>
 */
public final class Reconciler {
  private final Chain chain;
  private final String distributorAddress;
  private final RewardDistributor distributor;

  public Reconciler(Chain chain, String distributor) {
    this.chain = Objects.requireNonNull(chain, "chain");
    this.distributorAddress = Objects.requireNonNull(distributor, "distributor");
    this.distributor = RewardDistributor.load(distributor, chain.web3j(),
        new ReadonlyTransactionManager(chain.web3j(), distributor), chain.gas());
  }

  /** What differs between the ledger and the chain. */
  public enum Kind {
    /** stored, but the chain has no root for the id */
    MISSING_ON_CHAIN,
    /** the chain has another root */
    ROOT,
    /** the chain has another funded total */
    TOTAL,
    /** the unclaimed rest on chain is not the total minus the claimed payouts */
    REMAINING,
    /** published on chain, not in the store */
    UNKNOWN_TO_LEDGER
  }

  /**
   * One difference.
   *
   * @param settlementId the settlement id
   * @param name         its name, if the store knows it (else empty)
   * @param kind         what differs
   * @param ledger       the ledger's value
   * @param chain        the chain's value
   */
  public record Difference(String settlementId, String name, Kind kind, String ledger, String chain) {}

  /**
   * The claims of one stored settlement, as the chain has them.
   *
   * @param name            the settlement's name
   * @param payouts         how many payouts it has
   * @param claimed         claimed flag of payout {@code i} at position {@code i}
   * @param claimedAmount   the sum of the claimed payouts
   * @param unclaimedAmount the sum of the others
   */
  public record Status(String name, int payouts, List<Boolean> claimed, BigInteger claimedAmount,
                       BigInteger unclaimedAmount) {}

  /** @param differences empty when the ledger and the chain agree */
  public record Report(List<Status> settlements, List<Difference> differences) {
    public boolean consistent() {
      return differences.isEmpty();
    }
  }

  /**
   * @throws IOException if the store or the node cannot be read
   */
  public Report reconcile(ReceiptStore store) throws IOException {
    List<Status> statuses = new ArrayList<>();
    List<Difference> differences = new ArrayList<>();
    Set<String> known = new HashSet<>();
    try {
      for (SettlementReceipt r : store.all()) {
        known.add(r.settlementId());
        Tuple3<byte[], BigInteger, BigInteger> onChain = distributor.settlement(r.id().bytes()).send();
        Bytes32 root = Bytes32.of(onChain.component1());
        if (root.isZero()) {
          differences.add(new Difference(r.settlementId(), r.name(), Kind.MISSING_ON_CHAIN, r.root(), root.hex()));
          continue;
        }
        if (!root.equals(Bytes32.fromHex(r.root()))) {
          differences.add(new Difference(r.settlementId(), r.name(), Kind.ROOT, r.root(), root.hex()));
        }
        if (onChain.component2().compareTo(r.total()) != 0) {
          differences.add(new Difference(r.settlementId(), r.name(), Kind.TOTAL, r.total().toString(),
              onChain.component2().toString()));
        }
        List<Boolean> claimed = new ArrayList<>();
        BigInteger claimedAmount = BigInteger.ZERO;
        for (Payout p : r.payouts()) {
          boolean c = distributor.isClaimed(r.id().bytes(), BigInteger.valueOf(p.index())).send();
          claimed.add(c);
          if (c) {
            claimedAmount = claimedAmount.add(p.amount());
          }
        }
        BigInteger unclaimed = r.total().subtract(claimedAmount);
        if (onChain.component3().compareTo(unclaimed) != 0) {
          differences.add(new Difference(r.settlementId(), r.name(), Kind.REMAINING, unclaimed.toString(),
              onChain.component3().toString()));
        }
        statuses.add(new Status(r.name(), r.payouts().size(), List.copyOf(claimed), claimedAmount, unclaimed));
      }
      for (String id : publishedIds()) {
        if (!known.contains(id)) {
          differences.add(new Difference(id, "", Kind.UNKNOWN_TO_LEDGER, "", "published"));
        }
      }
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("reading the chain failed: " + e.getMessage(), e);
    }
    return new Report(List.copyOf(statuses), List.copyOf(differences));
  }

  private List<String> publishedIds() throws IOException {
    EthFilter filter = new EthFilter(DefaultBlockParameterName.EARLIEST, DefaultBlockParameterName.LATEST,
        distributorAddress).addSingleTopic(EventEncoder.encode(RewardDistributor.SETTLEMENTPUBLISHED_EVENT));
    EthLog logs = chain.web3j().ethGetLogs(filter).send();
    if (logs.hasError()) {
      throw new IOException("eth_getLogs failed: " + logs.getError().getMessage());
    }
    List<String> ids = new ArrayList<>();
    for (EthLog.LogResult<?> result : logs.getLogs()) {
      ids.add(((Log) result.get()).getTopics().get(1));
    }
    return ids;
  }

  @Override
  public String toString() {
    return "Reconciler[" + chain + ", distributor=" + distributorAddress + "]";
  }
}
