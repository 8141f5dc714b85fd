package org.sparkgrid.settlement.ledger;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.web3j.crypto.Hash;

/**
 * What one settlement pays: its id, the payouts (one per account with a non-zero share, indexed
 * in account order), their total and their Merkle root. Built from payees by
 * {@link #of(String, BigInteger, List, Weighting)}; everything in it is a pure function of its
 * inputs, so the same round settled twice yields the same plan.
 *
 * <pre>{@code
 * SettlementPlan plan = SettlementPlan.of("fmnist-fed-0001/round-7", new BigInteger("100000"),
 *     payees, Weighting.SCORE);
 * plan.root();      // published on chain
 * plan.proof(0);    // what payout 0's account claims with
 * }</pre>
 */
public final class SettlementPlan {
  private final String name;
  private final Bytes32 id;
  private final List<Payout> payouts;
  private final BigInteger total;
  private final MerkleTree tree;

  private SettlementPlan(String name, List<Payout> payouts) {
    this.name = name;
    this.id = idOf(name);
    this.payouts = List.copyOf(payouts);
    BigInteger sum = BigInteger.ZERO;
    for (Payout p : this.payouts) {
      sum = sum.add(p.amount());
    }
    this.total = sum;
    this.tree = MerkleTree.of(this.payouts);
  }

  /**
   * Splits {@code pool} among the payees (see {@link RewardSplit}) and keeps the non-zero
   * shares as payouts.
   *
   * @param name a unique name for the settlement, e.g. {@code <job id>/round-<n>}; its keccak256
   *     is the on-chain settlement id
   * @throws IllegalArgumentException if the name is blank, the split refuses its inputs, or no
   *     share is positive
   */
  public static SettlementPlan of(String name, BigInteger pool, List<Payee> payees, Weighting weighting) {
    List<Payout> payouts = new ArrayList<>();
    for (Share share : RewardSplit.split(pool, payees, weighting)) {
      if (share.amount().signum() > 0) {
        payouts.add(new Payout(payouts.size(), share.account(), share.amount()));
      }
    }
    return ofPayouts(name, payouts);
  }

  /**
   * A plan from payouts already computed (e.g. read back from a receipt store).
   *
   * @throws IllegalArgumentException if the name is blank, there are no payouts, or payout
   *     {@code i} does not have index {@code i}
   */
  public static SettlementPlan ofPayouts(String name, List<Payout> payouts) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(payouts, "payouts");
    if (name.isBlank()) {
      throw new IllegalArgumentException("settlement name must not be blank");
    }
    if (payouts.isEmpty()) {
      throw new IllegalArgumentException("settlement '" + name + "' has no positive payout");
    }
    for (int i = 0; i < payouts.size(); i++) {
      if (payouts.get(i).index() != i) {
        throw new IllegalArgumentException("payout at position " + i + " of settlement '" + name
            + "' must have index " + i + ". Current value is " + payouts.get(i).index() + ".");
      }
    }
    return new SettlementPlan(name, payouts);
  }

  /** The on-chain id of a settlement name: keccak256 of its UTF-8 bytes. */
  public static Bytes32 idOf(String name) {
    return Bytes32.of(Hash.sha3(name.getBytes(StandardCharsets.UTF_8)));
  }

  public String name() {
    return name;
  }

  public Bytes32 id() {
    return id;
  }

  /** The payouts, payout {@code i} at position {@code i}. */
  public List<Payout> payouts() {
    return payouts;
  }

  /** The sum of the payouts: what publishing the settlement transfers to the distributor. */
  public BigInteger total() {
    return total;
  }

  public Bytes32 root() {
    return tree.root();
  }

  /**
   * The proof of payout {@code index}.
   *
   * @throws IndexOutOfBoundsException if there is no such payout
   */
  public List<Bytes32> proof(int index) {
    return tree.proof(index);
  }

  /**
   * The payout of an account.
   *
   * @throws IllegalArgumentException if the account has none in this settlement
   */
  public Payout payoutOf(String account) {
    for (Payout p : payouts) {
      if (p.account().equalsIgnoreCase(account)) {
        return p;
      }
    }
    throw new IllegalArgumentException("account " + account + " has no payout in settlement '" + name + "'");
  }

  @Override
  public String toString() {
    return "SettlementPlan[" + name + ", id=" + id + ", payouts=" + payouts.size() + ", total=" + total
        + ", root=" + root() + "]";
  }
}
