package org.sparkgrid.federation.round;

import java.util.List;
import java.util.stream.Collectors;
import org.sparkgrid.federation.strategy.Aggregation;
import org.sparkgrid.federation.strategy.AggregationStrategy;
import org.sparkgrid.federation.strategy.SiteUpdate;

/**
 * One round's merge, what tree mode's Spark aggregation stage calls once it has the updates:
 * validate ({@link UpdateValidation}), check the minimum, aggregate, advance the round.
 *
 * <pre>{@code
 * AggregationStrategy strategy = Strategies.create(request.federation());
 * RoundState state = RoundState.initial(initialParams);
 * // each round: select, train on the sites, collect updates, then
 * RoundAggregation.Outcome out = RoundAggregation.run(state, updates, strategy, minSites, List.of());
 * out.rejected().forEach(r -> log.warn("site {} rejected: {}", r.siteId(), r.reason()));
 * state = out.next().withContributions(ContributionScores.score(state.round(), state.global(),
 *     out.accepted(), Strategies.fedAvg(), StrategyState.EMPTY, loss, 0, seed));
 * }</pre>
 */
public final class RoundAggregation {

  private RoundAggregation() {}

  /**
   * What a round produced.
   *
   * @param next     the state after the round: round + 1, new parameters, new strategy state
   *                 (contributions are added by the caller, who has the loss function)
   * @param accepted the updates that were merged
   * @param rejected the updates left out, with reasons
   */
  public record Outcome(RoundState next, List<SiteUpdate> accepted, List<Rejection> rejected) {}

  /**
   * Validates the updates and merges the valid ones.
   *
   * @param minSites    fewest valid updates the round needs ({@code federation.minSites}), >= 1
   * @param extraChecks allowlist, signature ... checks ({@link UpdateCheck}); may be empty
   * @throws IllegalStateException if fewer than {@code minSites} updates are valid, or fewer than the
   *     strategy's {@link AggregationStrategy#minUpdates()}; the message names both counts and the
   *     rejections
   * @throws IllegalArgumentException if {@code minSites < 1}
   */
  public static Outcome run(RoundState state, List<SiteUpdate> updates, AggregationStrategy strategy, int minSites,
      List<UpdateCheck> extraChecks) {
    UpdateValidation.Result v = UpdateValidation.validate(updates, state.global().length, extraChecks);
    checkEnough(state.round(), v.accepted().size(), v.rejected(), strategy, minSites);
    Aggregation a = strategy.aggregate(state.global(), v.accepted(), state.strategyState());
    return new Outcome(next(state, a), v.accepted(), v.rejected());
  }

  /**
   * The rule {@link #run} applies between validation and the merge, for a merge that runs elsewhere
   * (tree mode's Spark aggregation stage, where the updates never reach the caller).
   *
   * @param valid    how many updates passed validation
   * @param rejected the others, named in the message
   * @throws IllegalStateException if {@code valid} is below {@code minSites} or the strategy's
   *     {@link AggregationStrategy#minUpdates()}, naming both counts and the rejections
   * @throws IllegalArgumentException if {@code minSites < 1}
   */
  public static void checkEnough(int round, int valid, List<Rejection> rejected, AggregationStrategy strategy,
      int minSites) {
    if (minSites < 1) {
      throw new IllegalArgumentException("minSites is " + minSites + "; must be >= 1");
    }
    if (valid < minSites) {
      throw new IllegalStateException("round " + round + " has " + valid + " valid updates but minSites is "
          + minSites + rejections(rejected));
    }
    if (valid < strategy.minUpdates()) {
      throw new IllegalStateException("round " + round + " has " + valid + " valid updates but "
          + strategy.type() + " needs at least " + strategy.minUpdates() + rejections(rejected));
    }
  }

  /** The state after a round merged into {@code a}: round + 1, its parameters and strategy state. */
  public static RoundState next(RoundState state, Aggregation a) {
    return new RoundState(state.round() + 1, a.global(), a.state(), state.contributions(), state.excludedSites());
  }

  private static String rejections(List<Rejection> rejected) {
    return rejected.isEmpty() ? "" : " (" + rejected.size() + " rejected: "
        + rejected.stream().map(r -> r.siteId() + ": " + r.reason()).collect(Collectors.joining("; ")) + ")";
  }
}
