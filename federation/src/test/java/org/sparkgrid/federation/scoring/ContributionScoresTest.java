package org.sparkgrid.federation.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.federation.strategy.Strategies;
import org.sparkgrid.federation.strategy.StrategyState;

/**
 * One parameter, global 0, loss(w) = (w - 1)^2, FedAvg with equal examples. Sites a and b send +1
 * (towards the optimum), c sends -2 (poisoned). Merges and losses by hand:
 * <pre>
 *   {}      -> 0     loss 1      v = 0
 *   {a}     -> 1     loss 0      v = 1       (same for {b}, {a, b})
 *   {c}     -> -2    loss 9      v = -8
 *   {a, c}  -> -0.5  loss 2.25   v = -1.25   (same for {b, c})
 *   {a,b,c} -> 0     loss 1      v = 0
 * </pre>
 */
class ContributionScoresTest {

  private static final float[] GLOBAL = {0};
  private static final List<SiteUpdate> UPDATES = List.of(
      new SiteUpdate("a", new float[] {1}, 10), new SiteUpdate("b", new float[] {1}, 10),
      new SiteUpdate("c", new float[] {-2}, 10));
  private static final LossFunction LOSS = w -> (w[0] - 1.0) * (w[0] - 1.0);

  @Test
  void exampleSharesAreFractionsOfTheTotal() {
    List<SiteUpdate> updates = List.of(new SiteUpdate("a", new float[1], 1), new SiteUpdate("b", new float[1], 3));

    assertThat(ContributionScores.exampleShares(updates)).containsExactly(0.25, 0.75);
  }

  @Test
  void leaveOneOutRewardsHelpersAndPenalisesThePoisoner() {
    // without a: merge(b, c) = -0.5, loss 2.25, minus loss(all) 1 = 1.25; without c: merge(a, b) = 1, loss 0 -> -1
    double[] loo = ContributionScores.leaveOneOut(GLOBAL, UPDATES, Strategies.fedAvg(), StrategyState.EMPTY, LOSS);

    assertThat(loo).containsExactly(1.25, 1.25, -1.0);
  }

  @Test
  void shapleyEstimateConvergesToTheExactValues() {
    // Exact Shapley of the game in the class comment: a = b = 1/3*1 + 1/6*0 + 1/6*6.75 + 1/3*1.25 = 1.875,
    // c = 0 - 2 * 1.875 = -3.75. 3000 sampled orders: standard error about 0.05
    double[] phi = ContributionScores.shapley(GLOBAL, UPDATES, Strategies.fedAvg(), StrategyState.EMPTY, LOSS, 3000, 1);

    assertThat(phi[0]).isCloseTo(1.875, within(0.25));
    assertThat(phi[1]).isCloseTo(1.875, within(0.25));
    assertThat(phi[2]).isCloseTo(-3.75, within(0.25));
  }

  @Test
  void shapleyEstimatesAddUpToTheValueOfAllSitesForAnyBudget() {
    // v(all) = loss(global) - loss(merge(all)) = 1 - 1 = 0, in every sampled order
    double[] phi = ContributionScores.shapley(GLOBAL, UPDATES, Strategies.fedAvg(), StrategyState.EMPTY, LOSS, 5, 9);

    assertThat(phi[0] + phi[1] + phi[2]).isCloseTo(0, within(1e-12));
  }

  @Test
  void shapleyIsDeterministicForASeedAndEvaluatesEachSubsetOnce() {
    AtomicInteger calls = new AtomicInteger();
    LossFunction counting = w -> {
      calls.incrementAndGet();
      return LOSS.loss(w);
    };

    double[] first = ContributionScores.shapley(GLOBAL, UPDATES, Strategies.fedAvg(), StrategyState.EMPTY, counting, 200, 4);
    double[] second = ContributionScores.shapley(GLOBAL, UPDATES, Strategies.fedAvg(), StrategyState.EMPTY, LOSS, 200, 4);

    assertThat(second).containsExactly(first);
    assertThat(calls.get()).isLessThanOrEqualTo(8); // loss(global) plus the 7 non-empty subsets
  }

  @Test
  void scoreAssemblesContributions() {
    List<Contribution> cs = ContributionScores.score(4, GLOBAL, UPDATES, Strategies.fedAvg(), StrategyState.EMPTY, LOSS,
        0, 1);

    assertThat(cs.get(2)).isEqualTo(new Contribution(4, "c", 10, 1.0 / 3, -1.0, Double.NaN));
  }
}
