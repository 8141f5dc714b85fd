package org.sparkgrid.settlement;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.EventLogs;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.ledger.Bytes32;
import org.sparkgrid.settlement.ledger.Payout;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.tuples.generated.Tuple3;
import org.web3j.tx.ReadonlyTransactionManager;

/**
 * Compares the ledger (the receipt store) with itself and with the chain: for every stored
 * settlement, whether its stored payouts still hash to its stored root and add up to its stored
 * total (a payout altered in the ledger, even with the same total, changes the root), then the
 * root and the funded total on chain, which payouts are claimed and whether the unclaimed rest on
 * chain equals the total minus the claimed payouts; and whether the chain holds settlements the
 * store does not (read from the deployment block on, in ranges of
 * {@link org.sparkgrid.settlement.chain.ChainOptions#logBlockRange()} blocks). Reads only; sends nothing.
 *
 * <pre>{@code
 * Reconciler.Report report = new Reconciler(chain, deployment.distributor(), deployment.block()).reconcile(store);
 * report.differences().forEach(System.out::println);
 * }</pre>
 */
public final class Reconciler {
  private final Chain chain;
  private final String distributorAddress;
  private final RewardDistributor distributor;
  private final long fromBlock;

  /** Reads events from block 0. */
  public Reconciler(Chain chain, String distributor) {
    this(chain, distributor, 0);
  }

  /** @param fromBlock the distributor's deployment block */
  public Reconciler(Chain chain, String distributor, long fromBlock) {
    this.fromBlock = fromBlock;
    this.chain = Objects.requireNonNull(chain, "chain");
    this.distributorAddress = Objects.requireNonNull(distributor, "distributor");
    this.distributor = RewardDistributor.load(distributor, chain.web3j(),
        new ReadonlyTransactionManager(chain.web3j(), distributor), chain.gas());
  }

  /** What differs between the ledger and the chain. */
  public enum Kind {
    /** the stored payouts do not hash to the stored root */
    LEDGER_ROOT,
    /** the stored payouts do not add up to the stored total */
    LEDGER_TOTAL,
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
        differences.addAll(ledgerDifferences(r));
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

  /**
   * What differs within one stored receipt: the root rebuilt from its payouts against the stored
   * root, and the payouts' sum against the stored total. Pure: reads no chain.
   */
  public static List<Difference> ledgerDifferences(SettlementReceipt r) {
    List<Difference> out = new ArrayList<>();
    String rebuilt;
    try {
      rebuilt = SettlementPlan.ofPayouts(r.name(), r.payouts()).root().hex();
    } catch (IllegalArgumentException e) {
      rebuilt = "unbuildable (" + e.getMessage() + ")";
    }
    if (!rebuilt.equalsIgnoreCase(r.root())) {
      out.add(new Difference(r.settlementId(), r.name(), Kind.LEDGER_ROOT, "payouts hash to " + rebuilt,
          "stored root " + r.root()));
    }
    BigInteger sum = r.payouts().stream().map(Payout::amount).reduce(BigInteger.ZERO, BigInteger::add);
    if (sum.compareTo(r.total()) != 0) {
      out.add(new Difference(r.settlementId(), r.name(), Kind.LEDGER_TOTAL, "payouts add up to " + sum,
          "stored total " + r.total()));
    }
    return out;
  }

  private List<String> publishedIds() throws IOException {
    List<String> ids = new ArrayList<>();
    for (Log log : EventLogs.read(chain.web3j(), distributorAddress, chain.options().logBlockRange(), fromBlock,
        EventEncoder.encode(RewardDistributor.SETTLEMENTPUBLISHED_EVENT))) {
      ids.add(log.getTopics().get(1));
    }
    return ids;
  }

  @Override
  public String toString() {
    return "Reconciler[" + chain + ", distributor=" + distributorAddress + "]";
  }
}
