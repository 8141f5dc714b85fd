package org.sparkgrid.federation.scoring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.federation.strategy.AggregationStrategy;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.federation.strategy.StrategyState;

/**
 * How much each site's update helped a round: three scores, pure functions of the round's updates.
 *
 * <ul>
 *   <li>{@link #exampleShares}: {@code n_k / sum(n)}. Free, but rewards data volume, not quality.
 *   <li>{@link #leaveOneOut}: {@code loss(merge(all but k)) - loss(merge(all))}: how much worse the
 *       round would have been without site k. Positive helps, negative hurts (a poisoned update
 *       scores below 0). Costs {@code n + 1} merges and losses. Sites with the same update share
 *       the credit badly (removing one of two copies changes little), which Shapley fixes.
 *   <li>{@link #shapley}: the Shapley value of the game {@code v(S) = loss(global) - loss(merge(S))}
 *       ({@code v} of no site is 0: the global parameters stay), estimated by Monte-Carlo over
 *       random orders (Castro et al. 2009; Ghorbani and Zou 2019 "Data Shapley"): for each of
 *       {@code permutations} seeded random orders, each site gets {@code v(before it and it) - v(before it)};
 *       the estimate is the mean over orders. In every order the gains add up to
 *       {@code v(all sites)}, so the estimates do too. Costs at most {@code permutations * n} losses
 *       (fewer: each subset's value is computed once).
 * </ul>
 *
 * <p>{@code merge} is the given strategy applied to a subset with the round's input state (the state
 * it returns is discarded). Krum and other strategies with a minimum number of updates cannot merge
 * small subsets: score those rounds with {@link org.sparkgrid.federation.strategy.Strategies#fedAvg()}.
 *
 * <pre>{@code
 * double[] loo = ContributionScores.leaveOneOut(global, accepted, Strategies.fedAvg(), StrategyState.EMPTY,
 *     params -> validationLoss(params));
 * }</pre>
 */
public final class ContributionScores {

  private ContributionScores() {}

  /**
   * Each update's share of the examples.
   *
   * @throws IllegalArgumentException if the list is empty or no update has examples
   */
  public static double[] exampleShares(List<SiteUpdate> updates) {
    return exampleShares(updates.stream().mapToLong(SiteUpdate::numExamples).toArray());
  }

  /**
   * Each example count's share of their total, for updates that are not held here.
   *
   * @throws IllegalArgumentException if the array is empty or the total is not positive
   */
  public static double[] exampleShares(long[] examples) {
    long total = 0;
    for (long n : examples) {
      total = Math.addExact(total, n);
    }
    if (total <= 0) {
      throw new IllegalArgumentException("updates hold " + total + " examples in all; need at least 1");
    }
    double[] shares = new double[examples.length];
    for (int k = 0; k < shares.length; k++) {
      shares[k] = (double) examples[k] / total;
    }
    return shares;
  }

  /**
   * Leave-one-out loss improvement of each update, in the order of {@code updates}.
   *
   * @throws IllegalArgumentException if {@code updates} is empty
   * @throws IllegalStateException if the strategy cannot merge {@code n - 1} updates
   */
  public static double[] leaveOneOut(float[] global, List<SiteUpdate> updates, AggregationStrategy strategy,
      StrategyState state, LossFunction loss) {
    if (updates.isEmpty()) {
      throw new IllegalArgumentException("no updates to score");
    }
    double all = loss.loss(merge(global, updates, strategy, state));
    double[] scores = new double[updates.size()];
    for (int k = 0; k < scores.length; k++) {
      List<SiteUpdate> others = new ArrayList<>(updates);
      others.remove(k);
      scores[k] = loss.loss(merge(global, others, strategy, state)) - all;
    }
    return scores;
  }

  /**
   * Monte-Carlo Shapley estimate of each update, in the order of {@code updates}; the same for the
   * same seed.
   *
   * @param permutations how many random orders to sample, >= 1 (the budget)
   * @param seed         the seed of the orders
   * @throws IllegalArgumentException if {@code updates} is empty or has more than 62 updates, or
   *     {@code permutations < 1}
   * @throws IllegalStateException if the strategy cannot merge a subset
   */
  public static double[] shapley(float[] global, List<SiteUpdate> updates, AggregationStrategy strategy,
      StrategyState state, LossFunction loss, int permutations, long seed) {
    int n = updates.size();
    if (n == 0 || n > 62) {
      throw new IllegalArgumentException("shapley scores 1 to 62 updates, got " + n);
    }
    if (permutations < 1) {
      throw new IllegalArgumentException("permutations is " + permutations + "; must be >= 1");
    }
    double base = loss.loss(global);
    Map<Long, Double> value = new HashMap<>(); // subset bit mask -> v(S)
    value.put(0L, 0.0);
    SplittableRandom random = new SplittableRandom(seed);
    double[] sum = new double[n];
    int[] order = new int[n];
    for (int p = 0; p < permutations; p++) {
      shuffle(order, random);
      long subset = 0;
      for (int k : order) {
        long with = subset | (1L << k);
        double before = value.get(subset);
        double after = value.computeIfAbsent(with,
            s -> base - loss.loss(merge(global, subsetOf(updates, s), strategy, state)));
        sum[k] += after - before;
        subset = with;
      }
    }
    for (int k = 0; k < n; k++) {
      sum[k] /= permutations;
    }
    return sum;
  }

  /**
   * The three scores as {@link Contribution}s, Shapley only when {@code permutations > 0}.
   *
   * @throws IllegalArgumentException as the score methods
   */
  public static List<Contribution> score(int round, float[] global, List<SiteUpdate> updates,
      AggregationStrategy strategy, StrategyState state, LossFunction loss, int permutations, long seed) {
    double[] shares = exampleShares(updates);
    double[] loo = leaveOneOut(global, updates, strategy, state, loss);
    double[] sh = permutations > 0 ? shapley(global, updates, strategy, state, loss, permutations, seed) : null;
    List<Contribution> out = new ArrayList<>();
    for (int k = 0; k < updates.size(); k++) {
      SiteUpdate u = updates.get(k);
      out.add(new Contribution(round, u.siteId(), u.numExamples(), shares[k], loo[k], sh == null ? Double.NaN : sh[k]));
    }
    return out;
  }

  /**
   * Example shares and leave-one-out scores computed elsewhere (tree mode scores on the executors
   * that hold the updates, {@link LeaveOneOut}) as {@link Contribution}s, without Shapley.
   *
   * @param siteIds      the sites, in the order of {@code examples} and {@code leaveOneOut}
   * @param leaveOneOut  each site's leave-one-out loss improvement ({@link LeaveOneOut#scores})
   * @throws IllegalArgumentException if the lengths differ, or as {@link #exampleShares(long[])}
   */
  public static List<Contribution> fromLeaveOneOut(int round, List<String> siteIds, long[] examples,
      double[] leaveOneOut) {
    if (siteIds.size() != examples.length || examples.length != leaveOneOut.length) {
      throw new IllegalArgumentException(siteIds.size() + " sites, " + examples.length + " example counts and "
          + leaveOneOut.length + " scores; need one of each per site");
    }
    double[] shares = exampleShares(examples);
    List<Contribution> out = new ArrayList<>();
    for (int k = 0; k < examples.length; k++) {
      out.add(new Contribution(round, siteIds.get(k), examples[k], shares[k], leaveOneOut[k], Double.NaN));
    }
    return out;
  }

  /** The merged parameters of a subset; the global parameters for no update. */
  private static float[] merge(float[] global, List<SiteUpdate> subset, AggregationStrategy strategy,
      StrategyState state) {
    return subset.isEmpty() ? global : strategy.aggregate(global, subset, state).global();
  }

  private static List<SiteUpdate> subsetOf(List<SiteUpdate> updates, long mask) {
    List<SiteUpdate> out = new ArrayList<>();
    for (int k = 0; k < updates.size(); k++) {
      if ((mask & (1L << k)) != 0) {
        out.add(updates.get(k));
      }
    }
    return out;
  }

  /** Fills {@code order} with a uniformly random permutation of 0..n-1 (Fisher-Yates). */
  private static void shuffle(int[] order, SplittableRandom random) {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
