package org.sparkgrid.settlement.ledger;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.sparkgrid.core.request.RewardSpec;
import org.sparkgrid.core.reward.Contribution;

/**
 * Turns a federation's per-round {@link Contribution contributions} into settlement plans: one plan
 * (one Merkle root, one transaction) per round, splitting {@code reward.poolPerRound} among the
 * round's accepted sites.
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
 * Settlement names are {@code <job>/round-<n>}: settling a round twice settles it once. A pure
 * function of its arguments: the report recomputes the plans a job settled with it.
 *
 * <pre>{@code
 * List<SettlementPlan> plans = RoundRewards.plans("fed-1", Map.of("a", "0x...01", "b", "0x...02")::get,
 *     contributions, new RewardSpec("1000", "loss-improvement"));
 * }</pre>
 */
public final class RoundRewards {
  private RoundRewards() {}

  /**
   * @param accountOf the account each site is paid to
   * @throws IllegalArgumentException if a contribution names a site {@code accountOf} does not know
   *     (it throws that itself, or returns null)
   */
  public static List<SettlementPlan> plans(String jobId, Function<String, String> accountOf,
      List<Contribution> contributions, RewardSpec reward) {
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
      List<Payee> payees = new ArrayList<>();
      for (Contribution c : e.getValue()) {
        String account = accountOf.apply(c.siteId());
        if (account == null) {
          throw new IllegalArgumentException("contribution of round " + c.round() + " names site '" + c.siteId()
              + "', which has no account");
        }
        payees.add(new Payee(c.siteId(), account, scores.get(c.siteId()), c.numExamples()));
      }
      plans.add(SettlementPlan.of(jobId + "/round-" + e.getKey(), pool, payees,
          byExamples ? Weighting.EXAMPLES : Weighting.SCORE));
    }
    return plans;
  }
}
