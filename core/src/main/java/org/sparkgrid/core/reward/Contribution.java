package org.sparkgrid.core.reward;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One site's contribution to one federated round: measured by federation's scoring
 * ({@code org.sparkgrid.federation.scoring.ContributionScores}), kept in the round state and the
 * model's lineage, and turned into tokens by settlement ({@code org.sparkgrid.settlement.ledger.RoundRewards}).
 *
 * @param round          the round's number (0 for the first)
 * @param siteId         the site
 * @param numExamples    examples it trained on
 * @param exampleShare   {@code numExamples} over the round's total, in [0, 1]
 * @param lossImprovement leave-one-out loss improvement; NaN if not computed
 * @param shapley        Monte-Carlo Shapley estimate; NaN if not computed
 */
public record Contribution(
    int round, String siteId, long numExamples, double exampleShare, double lossImprovement, double shapley) {

  /** @throws NullPointerException if {@code siteId} is null */
  public Contribution {
    Objects.requireNonNull(siteId, "siteId");
  }

  /** The fields by name, NaN as null (JSON has no NaN). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("round", round);
    m.put("siteId", siteId);
    m.put("numExamples", numExamples);
    m.put("exampleShare", exampleShare);
    m.put("lossImprovement", Double.isNaN(lossImprovement) ? null : lossImprovement);
    m.put("shapley", Double.isNaN(shapley) ? null : shapley);
    return m;
  }

  /**
   * Reads what {@link #toMap()} wrote, null as NaN.
   *
   * @throws IllegalArgumentException naming the key if one is missing or of the wrong type
   */
  public static Contribution fromMap(Map<String, ?> m) {
    Object site = m.get("siteId");
    if (!(site instanceof String siteId)) {
      throw new IllegalArgumentException("contribution: siteId must be a string, got " + site);
    }
    return new Contribution((int) whole(m, "round"), siteId, whole(m, "numExamples"),
        real(m, "exampleShare", false), real(m, "lossImprovement", true), real(m, "shapley", true));
  }

  private static long whole(Map<String, ?> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Number n) || n.doubleValue() != n.longValue()) {
      throw new IllegalArgumentException("contribution: " + key + " must be a whole number, got " + v);
    }
    return n.longValue();
  }

  private static double real(Map<String, ?> m, String key, boolean nullable) {
    Object v = m.get(key);
    if (v == null && nullable) {
      return Double.NaN;
    }
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException("contribution: " + key + " must be a number, got " + v);
    }
    return n.doubleValue();
  }
}
