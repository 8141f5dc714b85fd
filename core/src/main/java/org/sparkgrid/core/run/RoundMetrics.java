package org.sparkgrid.core.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One round's figures, as written to metrics.json and the checkpoint.
 *
 * @param round         0-based round
 * @param testAccuracy  the new global model's accuracy on the coordinator's test set (NaN without one)
 * @param testLoss      its mean test loss (NaN without one)
 * @param selected      sites asked to train
 * @param accepted      sites whose updates were merged
 * @param rejected      site id to the reason its update was left out (deadline, failure, validation)
 * @param seconds       wall time of the round
 * @param slowestSite   wall time of the slowest accepted site's training
 * @param epsilon       differential privacy spent so far, rounds 0..round included, at the strategy's
 *                      delta (dp-fedavg); NaN for a strategy without privacy accounting
 * @param phases        where the round's time went ({@link RoundPhases}); {@link RoundPhases#UNKNOWN}
 *                      for a round written before phases were recorded
 */
public record RoundMetrics(int round, double testAccuracy, double testLoss, List<String> selected,
    List<String> accepted, Map<String, String> rejected, double seconds, double slowestSite, double epsilon,
    RoundPhases phases) {

  /** @throws NullPointerException if {@code phases} is null */
  public RoundMetrics {
    java.util.Objects.requireNonNull(phases, "phases");
  }

  /** A round whose phases were not recorded. */
  public RoundMetrics(int round, double testAccuracy, double testLoss, List<String> selected,
      List<String> accepted, Map<String, String> rejected, double seconds, double slowestSite, double epsilon) {
    this(round, testAccuracy, testLoss, selected, accepted, rejected, seconds, slowestSite, epsilon,
        RoundPhases.UNKNOWN);
  }

  /** This round with other phases (the checkpoint's and settlement's, measured after the round's figures). */
  public RoundMetrics withPhases(RoundPhases p) {
    return new RoundMetrics(round, testAccuracy, testLoss, selected, accepted, rejected, seconds, slowestSite, epsilon,
        p);
  }

  /** A round of a strategy without privacy accounting: epsilon NaN. */
  public RoundMetrics(int round, double testAccuracy, double testLoss, List<String> selected,
      List<String> accepted, Map<String, String> rejected, double seconds, double slowestSite) {
    this(round, testAccuracy, testLoss, selected, accepted, rejected, seconds, slowestSite, Double.NaN);
  }

  /**
   * As a JSON-ready map; NaN figures left out (so {@code epsilon} only for a DP strategy), the phases
   * measured as {@code phasesMs} ({@link RoundPhases#toMap}).
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("round", round);
    if (!Double.isNaN(testAccuracy)) {
      m.put("testAccuracy", testAccuracy);
      m.put("testLoss", testLoss);
    }
    m.put("selected", selected);
    m.put("accepted", accepted);
    m.put("rejected", rejected);
    m.put("seconds", seconds);
    m.put("slowestSiteSeconds", slowestSite);
    if (!Double.isNaN(epsilon)) {
      // no noise (z = 0) spends infinite epsilon, which JSON has no number for
      m.put("epsilon", Double.isInfinite(epsilon) ? "Infinity" : epsilon);
    }
    Map<String, Double> p = phases.toMap();
    if (!p.isEmpty()) {
      m.put("phasesMs", p);
    }
    return m;
  }

  /**
   * Reads {@link #toMap()} back; figures a file leaves out read as NaN, site lists as empty.
   *
   * @throws IllegalArgumentException if {@code round} is missing
   */
  @SuppressWarnings("unchecked")
  public static RoundMetrics fromMap(Map<String, Object> m) {
    Long round = JsonFields.whole(m, "round");
    if (round == null) {
      throw new IllegalArgumentException("round: a round's figures must name the round, got " + m);
    }
    return new RoundMetrics(round.intValue(), orNaN(JsonFields.number(m, "testAccuracy")),
        orNaN(JsonFields.number(m, "testLoss")),
        m.get("selected") instanceof List<?> s ? (List<String>) s : List.of(),
        m.get("accepted") instanceof List<?> a ? (List<String>) a : List.of(),
        m.get("rejected") instanceof Map<?, ?> r ? (Map<String, String>) r : Map.of(),
        orNaN(JsonFields.number(m, "seconds")), orNaN(JsonFields.number(m, "slowestSiteSeconds")),
        "Infinity".equals(m.get("epsilon")) ? Double.POSITIVE_INFINITY : orNaN(JsonFields.number(m, "epsilon")),
        RoundPhases.fromMap(JsonFields.map(m, "phasesMs")));
  }

  private static double orNaN(Double v) {
    return v == null ? Double.NaN : v;
  }
}
