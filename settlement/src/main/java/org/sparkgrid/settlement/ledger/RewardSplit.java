package org.sparkgrid.settlement.ledger;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Splits an integer pool among payees in proportion to their weights, exactly: every
 * share is an integer, and the shares sum to the pool.
 *
 * <p>Each account first gets {@code floor(pool * w / W)}, where {@code W} is the sum of the
 * weights. What is left (fewer units than there are accounts) goes one unit each to the largest
 * remainders {@code pool * w mod W}; equal remainders go in account order (Hamilton's
 * largest-remainder method, with a deterministic tie-break). The arithmetic is exact
 * ({@link BigInteger} over the weights scaled to integers), so no unit is lost to rounding.
 *
 * <pre>{@code
 * List<Share> shares = RewardSplit.split(BigInteger.valueOf(100), payees, Weighting.SCORE);
 * }</pre>
 */
public final class RewardSplit {
  private RewardSplit() {}

  /**
   * @param pool          the amount to split, {@code >= 0}
   * @param payees one per account, at least one
   * @param weighting     what the pool is split in proportion to
   * @return one share per contribution, in account order, summing to {@code pool}
   * @throws IllegalArgumentException if the pool is negative, there are no payees, an
   *     account appears twice, or all weights are zero while the pool is not
   */
  public static List<Share> split(BigInteger pool, List<Payee> payees, Weighting weighting) {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(payees, "payees");
    Objects.requireNonNull(weighting, "weighting");
    if (pool.signum() < 0) {
      throw new IllegalArgumentException("pool must be >= 0. Current value is " + pool + ".");
    }
    if (payees.isEmpty()) {
      throw new IllegalArgumentException("payees must not be empty");
    }
    List<Payee> sorted = new ArrayList<>(payees);
    sorted.sort(Comparator.comparing(Payee::account));
    Map<String, String> siteOf = new HashMap<>();
    for (Payee c : sorted) {
      String earlier = siteOf.putIfAbsent(c.account(), c.site());
      if (earlier != null) {
        throw new IllegalArgumentException("account " + c.account() + " appears twice (sites '" + earlier
            + "' and '" + c.site() + "'); merge its payees first");
      }
    }

    int n = sorted.size();
    BigInteger[] weights = integerWeights(sorted, weighting);
    BigInteger total = BigInteger.ZERO;
    for (BigInteger w : weights) {
      total = total.add(w);
    }
    if (total.signum() == 0 && pool.signum() > 0) {
      throw new IllegalArgumentException("all " + weighting + " weights are zero: the pool of " + pool
          + " cannot be split");
    }

    BigInteger[] amounts = new BigInteger[n];
    BigInteger[] remainders = new BigInteger[n];
    BigInteger assigned = BigInteger.ZERO;
    for (int i = 0; i < n; i++) {
      if (total.signum() == 0) {
        amounts[i] = BigInteger.ZERO;
        remainders[i] = BigInteger.ZERO;
      } else {
        BigInteger[] qr = pool.multiply(weights[i]).divideAndRemainder(total);
        amounts[i] = qr[0];
        remainders[i] = qr[1];
      }
      assigned = assigned.add(amounts[i]);
    }

    int leftover = pool.subtract(assigned).intValueExact(); // < n: the remainders sum to leftover * total
    List<Integer> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    // largest remainder first; the list is in account order, and the sort is stable
    order.sort((a, b) -> remainders[b].compareTo(remainders[a]));
    for (int k = 0; k < leftover; k++) {
      int i = order.get(k);
      amounts[i] = amounts[i].add(BigInteger.ONE);
    }

    List<Share> shares = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Payee c = sorted.get(i);
      shares.add(new Share(c.site(), c.account(), amounts[i]));
    }
    return List.copyOf(shares);
  }

  /** The weights scaled by one power of ten so that all are integers, in the same ratio. */
  private static BigInteger[] integerWeights(List<Payee> sorted, Weighting weighting) {
    BigDecimal[] decimals = new BigDecimal[sorted.size()];
    int scale = 0;
    for (int i = 0; i < decimals.length; i++) {
      decimals[i] = weighting.weight(sorted.get(i));
      scale = Math.max(scale, decimals[i].scale());
    }
    BigInteger[] weights = new BigInteger[decimals.length];
    for (int i = 0; i < decimals.length; i++) {
      weights[i] = decimals[i].setScale(scale).unscaledValue();
    }
    return weights;
  }
}
