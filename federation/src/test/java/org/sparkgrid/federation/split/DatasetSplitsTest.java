package org.sparkgrid.federation.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DatasetSplitsTest {

  /** 10 classes of 1000 examples each, labels interleaved: example i has class i % 10. */
  private static final int[] LABELS = IntStream.range(0, 10_000).map(i -> i % 10).toArray();

  @Test
  void iidCutsAPermutationIntoNearEqualParts() {
    int[][] sites = DatasetSplits.iid(10, 3, 1);

    assertPartition(sites, 10);
    assertThat(Arrays.stream(sites).mapToInt(s -> s.length)).containsExactly(4, 3, 3);
    assertThat(DatasetSplits.iid(10, 3, 1)).isDeepEqualTo(sites);
  }

  @Test
  void dirichletWithLargeAlphaIsCloseToIid() {
    int[][] sites = DatasetSplits.dirichlet(LABELS, 10, 100, 7);

    assertPartition(sites, LABELS.length);
    for (int[] site : sites) {
      assertThat(site.length).isBetween(800, 1200);
      assertThat(maxClassShare(site)).isLessThan(0.2); // IID would be 0.1
    }
  }

  @Test
  void dirichletWithSmallAlphaConcentratesEachSiteOnFewClasses() {
    int[][] sites = DatasetSplits.dirichlet(LABELS, 10, 0.1, 7);

    assertPartition(sites, LABELS.length);
    double meanMaxShare = Arrays.stream(sites).filter(s -> s.length > 0).mapToDouble(DatasetSplitsTest::maxClassShare)
        .average().orElseThrow();
    assertThat(meanMaxShare).isGreaterThan(0.5);
  }

  @Test
  void dirichletIsDeterministicForASeed() {
    assertThat(DatasetSplits.dirichlet(LABELS, 5, 0.5, 3)).isDeepEqualTo(DatasetSplits.dirichlet(LABELS, 5, 0.5, 3));
    assertThat(DatasetSplits.dirichlet(LABELS, 5, 0.5, 3)).isNotEqualTo(DatasetSplits.dirichlet(LABELS, 5, 0.5, 4));
  }

  @Test
  void classesPerSiteGivesEachSiteKClassesAndLeavesNothingOver() {
    // 10 classes, 5 sites, k = 2: each class has exactly one holder
    int[][] sites = DatasetSplits.classesPerSite(LABELS, 5, 2, 11);

    assertPartition(sites, LABELS.length);
    for (int[] site : sites) {
      assertThat(classesOf(site)).isEqualTo(2);
      assertThat(site).hasSize(2000);
    }
  }

  @Test
  void classesPerSiteSplitsASharedClassAmongItsHolders() {
    // 7 examples of 2 classes, 3 sites, k = 1: sites 0 and 2 share the first class dealt;
    // the class with 4 examples (or 3) is cut 2 + 2 (or 2 + 1), the first holder taking the remainder
    int[] labels = {0, 0, 0, 0, 1, 1, 1};

    int[][] sites = DatasetSplits.classesPerSite(labels, 3, 1, 5);

    assertPartition(sites, 7);
    assertThat(Arrays.stream(sites).mapToInt(DatasetSplitsTest::classesOfLabels).toArray()).containsOnly(1);
    assertThat(sites[0].length).isGreaterThanOrEqualTo(sites[2].length);
    assertThat(sites[0].length - sites[2].length).isBetween(0, 1);
  }

  @Test
  void classesPerSiteRefusesTooFewSlotsForTheClasses() {
    assertThatThrownBy(() -> DatasetSplits.classesPerSite(LABELS, 4, 2, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sites * k is 4 * 2 = 8 but there are 10 classes; some class would have no site");
  }

  @Test
  void gammaSamplerHasMeanShapeForSmallAndLargeShapes() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    for (double shape : new double[] {0.1, 1, 5}) {
      double sum = 0;
      int n = 20_000;
      for (int i = 0; i < n; i++) {
        sum += GammaSampler.sample(random, shape);
      }
      // variance = shape, so the mean's standard error is sqrt(shape / n); allow 5 of them
      assertThat(sum / n).isCloseTo(shape, org.assertj.core.api.Assertions.within(5 * Math.sqrt(shape / n)));
    }
  }

  private static void assertPartition(int[][] sites, int n) {
    int[] all = Arrays.stream(sites).flatMapToInt(Arrays::stream).sorted().toArray();
    assertThat(all).isEqualTo(IntStream.range(0, n).toArray());
    for (int[] site : sites) {
      assertThat(site).isSorted();
    }
  }

  private static double maxClassShare(int[] site) {
    int[] counts = new int[10];
    for (int i : site) {
      counts[LABELS[i]]++;
    }
    return (double) Arrays.stream(counts).max().orElseThrow() / site.length;
  }

  private static int classesOf(int[] site) {
    return (int) Arrays.stream(site).map(i -> LABELS[i]).distinct().count();
  }

  private static int classesOfLabels(int[] site) {
    int[] labels = {0, 0, 0, 0, 1, 1, 1};
    return (int) Arrays.stream(site).map(i -> labels[i]).distinct().count();
  }
}
