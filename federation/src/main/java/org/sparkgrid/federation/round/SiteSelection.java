package org.sparkgrid.federation.round;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Which sites train in a round: a random sample of the eligible sites (those not excluded),
 * the same for the same {@code (seed, round)} whatever the order of the site list.
 *
 * <p>The sample size is {@code max(ceil(fraction * eligible), min(minSites, eligible))}: at least
 * one site for any fraction above 0, at least {@code minSites} when there are that many eligible
 * sites, never more than there are. (Flower rounds down; rounding up means a fraction never
 * selects fewer sites than it says.) The sample is uniform without replacement: a partial
 * Fisher-Yates shuffle of the sorted eligible ids with a {@link SplittableRandom} seeded by
 * {@code (seed, round)}.
 *
 * <pre>{@code
 * List<String> sites = SiteSelection.select(List.of("a", "b", "c", "d"), Set.of("c"), 0.5, 1, 42, 0);
 * // two of a, b, d, sorted; the same two every time for seed 42, round 0
 * }</pre>
 */
public final class SiteSelection {

  private SiteSelection() {}

  /**
   * The sites selected for a round, sorted.
   *
   * @param sites    every site of the federation (duplicates count once)
   * @param excluded sites never to select
   * @param fraction the request's {@code federation.fraction}, in (0, 1]
   * @param minSites the request's {@code federation.minSites}, >= 1
   * @throws IllegalArgumentException naming the argument if {@code fraction} or {@code minSites} is out of range
   */
  public static List<String> select(List<String> sites, Set<String> excluded, double fraction, int minSites,
      long seed, int round) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction is " + fraction + "; must be in (0, 1]");
    }
    if (minSites < 1) {
      throw new IllegalArgumentException("minSites is " + minSites + "; must be >= 1");
    }
    TreeSet<String> eligibleSet = new TreeSet<>(sites);
    eligibleSet.removeAll(excluded);
    List<String> eligible = new ArrayList<>(eligibleSet);
    int count = sampleSize(eligible.size(), fraction, minSites);
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + round);
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(eligible.size() - i);
      String t = eligible.get(i);
      eligible.set(i, eligible.get(j));
      eligible.set(j, t);
    }
    return List.copyOf(new TreeSet<>(eligible.subList(0, count)));
  }

  /**
   * How many of {@code eligible} sites to select. {@code fraction * eligible} is rounded up after
   * taking off 1e-9, so that 0.3 * 10 (3.0000000000000004 in binary) selects 3, not 4.
   */
  static int sampleSize(int eligible, double fraction, int minSites) {
    int byFraction = (int) Math.ceil(fraction * eligible - 1e-9);
    return Math.min(eligible, Math.max(byFraction, minSites));
  }
}
