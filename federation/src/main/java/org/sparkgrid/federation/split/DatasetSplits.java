package org.sparkgrid.federation.split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Splits a dataset among simulated sites, as pure index math: each method returns
 * {@code int[site][]} of example indices, every example in exactly one site, each site's indices
 * sorted ascending. The same arguments give the same split (the random numbers come from a
 * {@link SplittableRandom} with the given seed). Sites may be empty where a method says so.
 *
 * <pre>{@code
 * int[][] sites = DatasetSplits.dirichlet(labels, 10, 0.5, 42);   // sites[3]: the examples of site 3
 * }</pre>
 *
 * <ul>
 *   <li>{@link #iid}: a random permutation cut into near-equal parts (sizes differ by at most 1).
 *   <li>{@link #dirichlet}: label skew after Hsu et al. 2019: for each class, proportions over the
 *       sites from Dirichlet(alpha) ({@link GammaSampler}); the class's shuffled examples are cut at
 *       those proportions. Large alpha (100) is close to IID; small alpha (0.1) gives each site a
 *       few dominant classes, and some sites may get no example at all.
 *   <li>{@link #classesPerSite}: the pathological split of McMahan et al. 2017: each site holds
 *       {@code k} classes. The classes, shuffled, are dealt round-robin: site {@code s} holds classes
 *       {@code order[(s*k + j) mod C]} for {@code j < k}; each class's shuffled examples are cut into
 *       near-equal parts among the sites that hold it (the remainder of the division goes one example
 *       each to the first holders, so nothing is left over). Needs {@code sites * k >= C} so that
 *       every class has a holder.
 * </ul>
 */
public final class DatasetSplits {

  private DatasetSplits() {}

  /**
   * IID: a random permutation of {@code 0..numExamples-1} cut into {@code sites} near-equal parts.
   *
   * @throws IllegalArgumentException if {@code numExamples < 0} or {@code sites < 1}
   */
  public static int[][] iid(int numExamples, int sites, long seed) {
    if (numExamples < 0) {
      throw new IllegalArgumentException("numExamples is " + numExamples + "; must be >= 0");
    }
    checkSites(sites);
    int[] all = new int[numExamples];
    Arrays.setAll(all, i -> i);
    shuffle(all, new SplittableRandom(seed));
    int[][] out = new int[sites][];
    for (int s = 0; s < sites; s++) {
      out[s] = slice(all, cut(numExamples, sites, s), cut(numExamples, sites, s + 1));
    }
    return out;
  }

  /**
   * Label skew: per class, Dirichlet(alpha) proportions over the sites.
   *
   * @param labels each example's class (any ints; classes are taken in ascending order)
   * @param alpha  the concentration, > 0 and finite
   * @throws IllegalArgumentException if {@code sites < 1} or {@code alpha} is out of range
   */
  public static int[][] dirichlet(int[] labels, int sites, double alpha, long seed) {
    checkSites(sites);
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("alpha is " + alpha + "; must be > 0 and finite");
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<List<Integer>> bySite = emptySites(sites);
    for (int[] members : byClass(labels).values()) {
      shuffle(members, random);
      double[] p = GammaSampler.dirichlet(random, sites, alpha);
      double cumulative = 0;
      int from = 0;
      for (int s = 0; s < sites; s++) {
        cumulative += p[s];
        int to = s == sites - 1 ? members.length : Math.min(members.length, (int) Math.round(cumulative * members.length));
        for (int i = from; i < to; i++) {
          bySite.get(s).add(members[i]);
        }
        from = Math.max(from, to);
      }
    }
    return sorted(bySite);
  }

  /**
   * Each site holds {@code k} classes (see the class comment for the deal and the remainders).
   *
   * @throws IllegalArgumentException if {@code sites < 1}, {@code k < 1}, {@code k} exceeds the
   *     number of classes, or {@code sites * k} is less than it, naming the values
   */
  public static int[][] classesPerSite(int[] labels, int sites, int k, long seed) {
    checkSites(sites);
    TreeMap<Integer, int[]> classes = byClass(labels);
    int c = classes.size();
    if (k < 1 || k > c) {
      throw new IllegalArgumentException("k is " + k + "; must be in [1, " + c + "] (the number of classes)");
    }
    if ((long) sites * k < c) {
      throw new IllegalArgumentException("sites * k is " + sites + " * " + k + " = " + (long) sites * k
          + " but there are " + c + " classes; some class would have no site");
    }
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = new int[c];
    Arrays.setAll(order, i -> i);
    shuffle(order, random);
    List<List<Integer>> holders = new ArrayList<>(); // class position -> sites holding it, in site order
    for (int i = 0; i < c; i++) {
      holders.add(new ArrayList<>());
    }
    for (int s = 0; s < sites; s++) {
      for (int j = 0; j < k; j++) {
        holders.get(order[(int) (((long) s * k + j) % c)]).add(s);
      }
    }
    List<List<Integer>> bySite = emptySites(sites);
    int position = 0;
    for (int[] members : classes.values()) {
      shuffle(members, random);
      List<Integer> h = holders.get(position++);
      for (int i = 0; i < h.size(); i++) {
        for (int e = cut(members.length, h.size(), i); e < cut(members.length, h.size(), i + 1); e++) {
          bySite.get(h.get(i)).add(members[e]);
        }
      }
    }
    return sorted(bySite);
  }

  /** Example indices of each class, classes ascending, indices ascending. */
  static TreeMap<Integer, int[]> byClass(int[] labels) {
    TreeMap<Integer, List<Integer>> lists = new TreeMap<>();
    for (int i = 0; i < labels.length; i++) {
      lists.computeIfAbsent(labels[i], x -> new ArrayList<>()).add(i);
    }
    TreeMap<Integer, int[]> out = new TreeMap<>();
    lists.forEach((label, l) -> out.put(label, l.stream().mapToInt(Integer::intValue).toArray()));
    return out;
  }

  /** Start of part {@code i} of {@code parts} near-equal parts of {@code n}; the first {@code n % parts} get one more. */
  private static int cut(int n, int parts, int i) {
    return i * (n / parts) + Math.min(i, n % parts);
  }

  private static void checkSites(int sites) {
    if (sites < 1) {
      throw new IllegalArgumentException("sites is " + sites + "; must be >= 1");
    }
  }

  private static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static int[] slice(int[] a, int from, int to) {
    int[] out = Arrays.copyOfRange(a, from, to);
    Arrays.sort(out);
    return out;
  }

  private static List<List<Integer>> emptySites(int sites) {
    List<List<Integer>> out = new ArrayList<>();
    for (int s = 0; s < sites; s++) {
      out.add(new ArrayList<>());
    }
    return out;
  }

  private static int[][] sorted(List<List<Integer>> bySite) {
    int[][] out = new int[bySite.size()][];
    for (int s = 0; s < out.length; s++) {
      out[s] = bySite.get(s).stream().mapToInt(Integer::intValue).sorted().toArray();
    }
    return out;
  }
}
