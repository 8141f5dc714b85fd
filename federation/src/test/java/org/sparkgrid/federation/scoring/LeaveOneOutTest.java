package org.sparkgrid.federation.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.federation.strategy.Strategies;
import org.sparkgrid.federation.strategy.StrategyState;
import org.sparkgrid.federation.strategy.UpdateRanges;

/**
 * The leave-one-out merges from one weighted sum against ContributionScores' own merges. By hand,
 * global 0, updates +1 (10 examples) and -2 (30 examples): S = 10 - 60 = -50, W = 40; all
 * = -50/40 = -1.25; without the first = (-50 - 10)/30 = -2; without the second = (-50 + 60)/10 = 1.
 */
class LeaveOneOutTest {

  private static final float[] GLOBAL = {0};
  private static final List<float[]> DELTAS = List.of(new float[] {1}, new float[] {-2});
  private static final long[] EXAMPLES = {10, 30};

  @Test
  void theMergesOfATwoSiteRoundMatchTheHandComputation() {
    double[] s = LeaveOneOut.weightedSum(DELTAS, EXAMPLES);

    assertThat(s).containsExactly(-50.0);
    assertThat(LeaveOneOut.all(GLOBAL, s, 40)).containsExactly(-1.25f);
    assertThat(LeaveOneOut.without(GLOBAL, s, 40, DELTAS.get(0), 10)).containsExactly(-2f);
    assertThat(LeaveOneOut.without(GLOBAL, s, 40, DELTAS.get(1), 30)).containsExactly(1f);
  }

  @Test
  void theOnlyUpdateLeftOutLeavesTheGlobalParameters() {
    double[] s = LeaveOneOut.weightedSum(List.of(new float[] {3}), new long[] {5});

    assertThat(LeaveOneOut.without(new float[] {0.5f}, s, 5, new float[] {3}, 5)).containsExactly(0.5f);
  }

  @Test
  void theSumOverRangesEqualsTheSumOverWholeUpdates() {
    List<float[]> deltas = randomDeltas(5, 1001, 7);
    long[] examples = {3, 1, 4, 1, 5};

    assertThat(LeaveOneOut.weightedSum(UpdateRanges.of(deltas, 7), examples))
        .containsExactly(LeaveOneOut.weightedSum(deltas, examples));
  }

  /**
   * Eight random updates of 10,000 values and unequal counts: every leave-one-out merge and the full
   * merge are within 4 float ulps of the value (at most 1e-6 here, values near 1) of FedAvg's own
   * merge of the same subset, which ContributionScores uses; so are the scores of a smooth loss.
   */
  @Test
  void theMergesEqualFedAvgOverTheSubsetsToFloatRounding() {
    float[] global = randomDeltas(1, 10_000, 1).get(0);
    List<float[]> deltas = randomDeltas(8, 10_000, 2);
    long[] examples = {2900, 12800, 4100, 5000, 7300, 3300, 9100, 6000};
    List<SiteUpdate> updates = new ArrayList<>();
    for (int k = 0; k < deltas.size(); k++) {
      updates.add(new SiteUpdate("s" + k, deltas.get(k), examples[k]));
    }
    double[] s = LeaveOneOut.weightedSum(deltas, examples);
    long total = java.util.Arrays.stream(examples).sum();

    assertClose(LeaveOneOut.all(global, s, total), Strategies.fedAvg().aggregate(global, updates, StrategyState.EMPTY)
        .global());
    for (int i = 0; i < updates.size(); i++) {
      List<SiteUpdate> others = new ArrayList<>(updates);
      others.remove(i);
      assertClose(LeaveOneOut.without(global, s, total, deltas.get(i), examples[i]),
          Strategies.fedAvg().aggregate(global, others, StrategyState.EMPTY).global());
    }
    LossFunction loss = w -> {
      double sum = 0;
      for (float v : w) {
        sum += (v - 0.25) * (v - 0.25);
      }
      return sum / w.length;
    };
    double[] driver = ContributionScores.leaveOneOut(global, updates, Strategies.fedAvg(), StrategyState.EMPTY, loss);
    double all = loss.loss(LeaveOneOut.all(global, s, total));
    double[] without = new double[updates.size()];
    for (int i = 0; i < without.length; i++) {
      without[i] = loss.loss(LeaveOneOut.without(global, s, total, deltas.get(i), examples[i]));
    }
    double[] here = LeaveOneOut.scores(all, without);
    for (int i = 0; i < here.length; i++) {
      assertThat(here[i]).as("site %d", i).isCloseTo(driver[i], within(1e-6));
    }
  }

  @Test
  void contributionsFromScoresCarryTheSharesAndNoShapley() {
    List<Contribution> c = ContributionScores.fromLeaveOneOut(3, List.of("a", "b"), EXAMPLES, new double[] {0.5, -0.1});

    assertThat(c).containsExactly(new Contribution(3, "a", 10, 0.25, 0.5, Double.NaN),
        new Contribution(3, "b", 30, 0.75, -0.1, Double.NaN));
  }

  @Test
  void anUpdateLeftOutWithMoreExamplesThanTheRoundIsRefused() {
    assertThatThrownBy(() -> LeaveOneOut.without(GLOBAL, new double[] {1}, 40, new float[] {1}, 41))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the update left out holds 41 examples; must be in [1, 40]");
    assertThatThrownBy(() -> ContributionScores.fromLeaveOneOut(0, List.of("a"), EXAMPLES, new double[2]))
        .hasMessage("1 sites, 2 example counts and 2 scores; need one of each per site");
  }

  private static void assertClose(float[] actual, float[] expected) {
    for (int j = 0; j < expected.length; j++) {
      assertThat(actual[j]).as("coordinate %d", j).isCloseTo(expected[j], within(4 * Math.ulp(Math.max(1f,
          Math.abs(expected[j])))));
    }
  }

  private static List<float[]> randomDeltas(int n, int length, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<float[]> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      float[] d = new float[length];
      for (int j = 0; j < length; j++) {
        d[j] = (float) (r.nextDouble() * 2 - 1);
      }
      out.add(d);
    }
    return out;
  }
}
