package org.sparkgrid.jobs.tree;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sparkgrid.core.request.RewardSpec;
import org.sparkgrid.federation.scoring.Contribution;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.sparkgrid.settlement.ledger.Weighting;

/**
 * Turns a federation's per-round contributions into settlement plans: one plan (one Merkle root, one
 * transaction) per round, splitting {@code reward.poolPerRound} among the round's accepted sites.
 *
 * <ul>
 *   <li>{@code examples}: in proportion to the examples each site trained on;
 *   <li>{@code loss-improvement}: in proportion to the leave-one-out loss improvement, negative
 *       values counted as 0 (a site whose update made the model worse earns nothing that round);
 *       if no site improved the loss, the round falls back to example counts, so the pool of a
 *       round that took place is always paid;
 *   <li>{@code shapley}: as loss-improvement, with the Shapley estimate.
 * </ul>
 *
 * Settlement names are {@code <job>/round-<n>}: settling a round twice settles it once.
 */
public final class TreeRewards {
  private TreeRewards() {}

  /**
   * @throws IllegalArgumentException if a contribution names a site the federation lacks
   */
  public static List<SettlementPlan> plans(String jobId, FederationFile federation, List<Contribution> contributions,
      RewardSpec reward) {
    BigInteger pool = new BigInteger(reward.poolPerRound());
    Map<Integer, List<Contribution>> byRound = new TreeMap<>();
    for (Contribution c : contributions) {
      byRound.computeIfAbsent(c.round(), r -> new ArrayList<>()).add(c);
    }
    List<SettlementPlan> plans = new ArrayList<>();
    for (Map.Entry<Integer, List<Contribution>> e : byRound.entrySet()) {
      boolean byExamples = "examples".equals(reward.scoring());
      Map<String, Double> scores = new LinkedHashMap<>();
      for (Contribution c : e.getValue()) {
        double s = "shapley".equals(reward.scoring()) ? c.shapley() : c.lossImprovement();
        scores.put(c.siteId(), Double.isNaN(s) ? 0 : Math.max(0, s));
      }
      if (!byExamples && scores.values().stream().allMatch(v -> v == 0)) {
        byExamples = true;
      }
      List<org.sparkgrid.settlement.ledger.Contribution> ledger = new ArrayList<>();
      for (Contribution c : e.getValue()) {
        ledger.add(new org.sparkgrid.settlement.ledger.Contribution(c.siteId(),
            federation.site(c.siteId()).account(), scores.get(c.siteId()), c.numExamples()));
      }
      plans.add(SettlementPlan.of(jobId + "/round-" + e.getKey(), pool, ledger,
          byExamples ? Weighting.EXAMPLES : Weighting.SCORE));
    }
    return plans;
  }
}
