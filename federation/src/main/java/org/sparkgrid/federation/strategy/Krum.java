package org.sparkgrid.federation.strategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.sparkgrid.core.math.WeightedAverage;

/**
 * Krum and Multi-Krum (Blanchard et al. 2017), types {@code krum} and {@code multi-krum}.
 * Parameters: {@code f}, the number of Byzantine sites assumed (whole number >= 0, required), and
 * for multi-krum {@code m}, how many updates to keep (whole number >= 1; default {@code n - f}).
 *
 * <p>Each update's score is the sum of its squared distances to its {@code n - f - 2} nearest other
 * updates. Krum moves the global parameters by the update with the lowest score; Multi-Krum by the
 * <b>example-weighted</b> mean of the {@code m} lowest-scoring ones (as Flower does; the paper's mean
 * is unweighted), {@code m} capped at {@code n}. Ties go to the earlier update in the list. The
 * guarantee needs {@code n >= 2f + 3}, so {@link #minUpdates()} is {@code 2f + 3}. Stateless.
 */
final class Krum implements AggregationStrategy {

  static final StrategyParameter<Integer> F = StrategyParameter.requiredInt("f", 0, 1,
      "The number of Byzantine sites assumed; a round needs at least 2f + 3 updates (and minSites at least that).");
  static final StrategyParameter<Integer> M = StrategyParameter.optionalInt("m", 1, 3,
      "How many of the lowest-scoring updates to average; absent, n - f. Capped at n.");

  /** Type {@code krum}, parameter {@code f}. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("krum", "none (one update)", "Krum (Blanchard et al. 2017): the global parameters move by the update"
          + " whose summed squared distance to its n - f - 2 nearest others is lowest.", F);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new Krum(type(), p.get(F), 1);
    }
  }

  /** Type {@code multi-krum}, parameters {@code f} and {@code m}. */
  public static final class MultiDefinition extends StrategyDefinition {
    public MultiDefinition() {
      super("multi-krum", "examples", "Multi-Krum (Blanchard et al. 2017): the example-weighted mean of the m"
          + " updates with the lowest Krum scores (the paper's mean is unweighted).", F, M);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new Krum(type(), p.get(F), p.get(M));
    }
  }

  private final String type;
  private final int f;
  private final Integer m;

  /** @param m how many to keep: 1 for Krum, null for Multi-Krum's default {@code n - f} */
  Krum(String type, int f, Integer m) {
    this.type = type;
    this.f = f;
    this.m = m;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public int minUpdates() {
    return (int) Math.min(Integer.MAX_VALUE, 2L * f + 3);
  }

  /** @throws IllegalStateException if there are fewer than {@code 2f + 3} updates, naming both */
  @Override
  public Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    Vectors.checkUpdates(global, updates);
    checkCount(updates.size());
    List<SiteUpdate> selected = new ArrayList<>();
    for (int k : select(distances(updates), f, keep(updates.size()))) {
      selected.add(updates.get(k));
    }
    float[] mean = WeightedAverage.average(Vectors.deltas(selected), Vectors.examples(selected));
    return new Aggregation(Vectors.add(global, mean), state.next(Map.of()));
  }

  /**
   * Plan: one pass summing every pair's squared distance range by range, the selection on the
   * caller, then one pass for the weighted mean of the selected updates.
   *
   * @throws IllegalStateException if there are fewer than {@code 2f + 3} updates, naming both
   */
  @Override
  public Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges) {
    int n = facts.count();
    checkCount(n);
    double[][] d = ShardedAggregation.unpack(ShardedAggregation.sum(ranges.map(ShardedAggregation.squaredDistances())), n);
    float[] mean = ShardedAggregation.mean(ranges, facts.examples(), select(d, f, keep(n)));
    return new Aggregation(Vectors.add(global, mean), state.next(Map.of()));
  }

  /** @throws IllegalStateException if {@code n} is below {@link #minUpdates()}, naming both */
  void checkCount(int n) {
    if (n < minUpdates()) {
      throw new IllegalStateException(type + " with f = " + f + " needs at least 2f + 3 = " + minUpdates()
          + " updates, got " + n);
    }
  }

  /** How many of {@code n} updates are averaged: 1 for Krum, {@code m} (default {@code n - f}) capped at n. */
  int keep(int n) {
    return Math.min(n, m == null ? n - f : m);
  }

  /** The number of Byzantine sites assumed. */
  int f() {
    return f;
  }

  /** The squared distances between every pair of deltas, as a symmetric matrix with a zero diagonal. */
  static double[][] distances(List<SiteUpdate> updates) {
    int n = updates.size();
    double[][] d = new double[n][n];
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        d[a][b] = Vectors.squaredDistance(updates.get(a).delta(), updates.get(b).delta());
        d[b][a] = d[a][b];
      }
    }
    return d;
  }

  /** Krum's scores: for each update, the sum of squared distances to its {@code n - f - 2} nearest others. */
  static double[] scores(double[][] d, int f) {
    int n = d.length;
    int neighbours = Math.max(0, n - f - 2);
    double[] scores = new double[n];
    for (int a = 0; a < n; a++) {
      int self = a;
      scores[a] = IntStream.range(0, n).filter(b -> b != self).mapToDouble(b -> d[self][b])
          .sorted().limit(neighbours).sum();
    }
    return scores;
  }

  /**
   * Indices of the {@code keep} updates with the lowest scores, lowest first, ties by index.
   *
   * @param d the pairwise squared distances ({@link #distances})
   */
  static int[] select(double[][] d, int f, int keep) {
    double[] scores = scores(d, f);
    return IntStream.range(0, d.length).boxed()
        .sorted(Comparator.<Integer>comparingDouble(k -> scores[k]).thenComparingInt(k -> k))
        .limit(keep).mapToInt(Integer::intValue).toArray();
  }
}
