package org.sparkgrid.jobs.report;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkgrid.core.request.RewardSpec;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.core.run.Lineage;
import org.sparkgrid.settlement.ledger.Payout;
import org.sparkgrid.settlement.ledger.RoundRewards;
import org.sparkgrid.settlement.ledger.SettlementPlan;

/**
 * Each site's contribution and reward in a federation, from its {@code lineage.json}.
 *
 * <p>Lineage records the contributions per round per site and, per round, the settlement's total
 * and Merkle root ({@code payouts} when no chain was configured, {@code settlements} with the
 * transaction when one was). The per-site token amounts are not stored: they are recomputed here
 * with settlement's {@link RoundRewards#plans}, the function that made the settled plans (a pure function of the
 * contributions, the sites' accounts and the request's {@code reward} section), and every recomputed
 * plan is checked against the recorded total and root; a difference is reported as a note.
 *
 * @param sites    one row per site, in the federation's order
 * @param rounds   the rounds that were settled or recorded, in order
 * @param scoring  the contribution measure: {@code loss-improvement}, {@code shapley} or {@code examples}
 * @param rewarded whether the request had a {@code reward} section (token amounts are then known)
 * @param notes    what could not be computed, or a recorded figure that differs from the recomputed one
 */
public record SiteRewards(List<Site> sites, List<Round> rounds, String scoring, boolean rewarded, List<String> notes) {

  /**
   * One site over the whole federation.
   *
   * @param id               the site
   * @param account          its account ({@code null} if lineage does not name it)
   * @param rounds           rounds in which its update was merged
   * @param examples         examples it trained on, summed over those rounds
   * @param meanExampleShare its mean share of a round's examples
   * @param lossImprovement  leave-one-out loss improvement summed over rounds (NaN if not scored)
   * @param shapley          Shapley estimate summed over rounds (NaN if not scored)
   * @param reward           tokens (smallest unit) over all rounds; {@code null} without a reward section
   */
  public record Site(String id, String account, int rounds, long examples, double meanExampleShare,
      double lossImprovement, double shapley, BigInteger reward) {

    /** The figure that {@code scoring} pays by. */
    public double score(String scoring) {
      return switch (scoring) {
        case "shapley" -> shapley;
        case "examples" -> examples;
        default -> lossImprovement;
      };
    }
  }

  /**
   * One round's settlement.
   *
   * @param name            {@code <job>/round-<n>}
   * @param total           tokens paid in the round, as recorded
   * @param root            the Merkle root, as recorded
   * @param transactionHash the transaction that published it; {@code null} when nothing was paid on chain
   */
  public record Round(String name, String total, String root, String transactionHash) {}

  /**
   * Reads a federation's lineage as it parses ({@link Lineage#fromMap}). A compute job (no contributions) gives no sites.
   *
   * @param jobId   the job (settlement names are {@code <job>/round-<n>})
   * @param lineage {@code lineage.json}
   * @param request the request, as the codec writes it
   */
  public static SiteRewards of(String jobId, Map<String, Object> lineage, Map<String, Object> request) {
    return of(jobId, Lineage.fromMap(lineage), request);
  }

  /**
   * Reads a federation's lineage. A compute job (no contributions) gives no sites.
   *
   * @param jobId   the job (settlement names are {@code <job>/round-<n>})
   * @param lineage the registered version's lineage
   * @param request the request, as the codec writes it
   */
  public static SiteRewards of(String jobId, Lineage lineage, Map<String, Object> request) {
    Map<String, Object> reward = JsonValues.map(request, "reward");
    String scoring = reward.isEmpty() || JsonValues.text(reward, "scoring") == null ? "loss-improvement"
        : JsonValues.text(reward, "scoring");
    List<String> notes = new ArrayList<>();
    List<Contribution> contributions = lineage.contributions() == null ? List.of() : lineage.contributions();
    Map<String, String> accounts = new LinkedHashMap<>();
    if (lineage.sites() != null) {
      lineage.sites().forEach(s -> accounts.put(s.id(), s.account()));
    }
    contributions.forEach(c -> accounts.putIfAbsent(c.siteId(), null));

    List<Round> recorded = lineage.settledOrRecorded().stream()
        .map(r -> new Round(r.name(), r.total(), r.root(), r.transactionHash())).toList();
    Map<String, BigInteger> tokens = reward.isEmpty() ? Map.of()
        : tokens(jobId, accounts, contributions, reward, recorded, notes);
    List<Site> sites = new ArrayList<>();
    for (Map.Entry<String, String> a : accounts.entrySet()) {
      List<Contribution> mine = contributions.stream().filter(c -> c.siteId().equals(a.getKey())).toList();
      sites.add(new Site(a.getKey(), a.getValue(), mine.size(),
          mine.stream().mapToLong(Contribution::numExamples).sum(),
          mine.stream().mapToDouble(Contribution::exampleShare).average().orElse(0),
          sumOrNaN(mine.stream().mapToDouble(Contribution::lossImprovement).toArray()),
          sumOrNaN(mine.stream().mapToDouble(Contribution::shapley).toArray()),
          reward.isEmpty() ? null : tokens.getOrDefault(a.getKey(), BigInteger.ZERO)));
    }
    return new SiteRewards(sites, recorded, scoring, !reward.isEmpty(), notes);
  }

  /** Tokens per site: the plans recomputed, and checked against what lineage recorded. */
  private static Map<String, BigInteger> tokens(String jobId, Map<String, String> accounts,
      List<Contribution> contributions, Map<String, Object> reward, List<Round> recordedRounds, List<String> notes) {
    if (accounts.containsValue(null)) {
      notes.add("token amounts per site are not shown: lineage.json does not name every site's account");
      return Map.of();
    }
    List<SettlementPlan> plans;
    try {
      plans = RoundRewards.plans(jobId, accounts::get, contributions,
          new RewardSpec(JsonValues.text(reward, "poolPerRound"), JsonValues.text(reward, "scoring")));
    } catch (RuntimeException e) {
      notes.add("token amounts per site could not be computed: " + e.getMessage());
      return Map.of();
    }
    Map<String, Round> recorded = new LinkedHashMap<>();
    recordedRounds.forEach(r -> recorded.put(r.name(), r));
    Map<String, BigInteger> tokens = new LinkedHashMap<>();
    for (SettlementPlan plan : plans) {
      Round r = recorded.get(plan.name());
      if (r == null) {
        notes.add("lineage.json records no payout or settlement named " + plan.name());
      } else if (!plan.total().toString().equals(r.total()) || !plan.root().toString().equalsIgnoreCase(r.root())) {
        notes.add(plan.name() + ": lineage.json records total " + r.total() + " and root " + r.root()
            + ", but recomputing the plan gives " + plan.total() + " and " + plan.root());
      }
      for (Payout p : plan.payouts()) {
        accounts.forEach((id, account) -> {
          if (account.equalsIgnoreCase(p.account())) {
            tokens.merge(id, p.amount(), BigInteger::add);
          }
        });
      }
    }
    return tokens;
  }

  private static double sumOrNaN(double[] values) {
    double sum = 0;
    boolean any = false;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        sum += v;
        any = true;
      }
    }
    return any ? sum : Double.NaN;
  }
}
