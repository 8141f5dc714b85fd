package org.sparkgrid.federation.strategy;

import java.util.List;

/**
 * How one round's site updates merge into the next global parameters: the seam between tree mode's
 * Spark aggregation stage and the math. Instances come from {@link Strategies#create}; each type of
 * the request's {@code federation.strategy} is one implementation in its own file, which also
 * declares the type ({@link StrategyDefinition}).
 *
 * <p>Each strategy merges in two ways that give the same result: {@link #aggregate(float[], List, StrategyState)}
 * with every update in one JVM (the single-machine oracle, and what contribution scoring uses), and
 * {@link #aggregateRanges} when each task holds one coordinate range of every update (tree mode's
 * Spark stage, through {@link ShardedAggregation}): its merge plan, built from the range kernels of
 * {@link ShardedAggregation} (a weighted mean, a per-coordinate statistic, squared norms, pairwise
 * squared distances, a column sum) and a finish on the caller's side (a server optimizer's step,
 * Krum's selection, DP noise).
 *
 * <p>A strategy is a pure function: it modifies none of its arguments, keeps no mutable fields,
 * and returns the same result for the same arguments (DP-FedAvg's noise too: it is drawn from the
 * strategy's seed and the round count in {@link StrategyState}). So a Spark stage that is retried
 * gives the same global parameters, and a round resumed from a checkpoint gives the same result as
 * one that was never interrupted.
 *
 * <p>State across rounds lives in {@link StrategyState} (named vectors, checkpointed with the round),
 * never in the strategy object. Strategies with per-site state fit the same shape: SCAFFOLD's
 * control variates as vectors keyed by site id in the state ({@link Scaffold}), FedNova's local
 * step counts as one more fact of {@link SiteUpdate} and {@link UpdateFacts}; what the sites must
 * apply or report while they train is asked of the strategy ({@link #proximalMu()},
 * {@link #needsLocalSteps()}, {@link #needsControlVariates()}).
 *
 * <p>Callers validate updates first ({@code org.sparkgrid.federation.round.UpdateValidation}):
 * every delta as long as {@code global}, finite, with at least one example. A strategy checks only
 * the lengths and throws {@link IllegalArgumentException} if they differ.
 */
public interface AggregationStrategy {

  /** The request's type name, e.g. {@code trimmed-mean}. */
  String type();

  /**
   * Merges one round's updates.
   *
   * @param global  the global parameters the sites started the round from; not modified
   * @param updates at least {@link #minUpdates()} validated updates; not modified
   * @param state   what the strategy carried over from the previous round ({@link StrategyState#EMPTY}
   *                before the first)
   * @return the new global parameters and the state to pass to the next round
   * @throws IllegalArgumentException if {@code updates} is empty or a delta's length differs from
   *     {@code global}'s
   * @throws IllegalStateException if there are fewer than {@link #minUpdates()} updates
   */
  Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state);

  /**
   * Merges one round's updates held range by range, as {@link #aggregate(float[], List, StrategyState)}
   * would merge the same updates: the strategy's merge plan. Callers go through
   * {@link ShardedAggregation#aggregate}, which checks the counts and lengths first.
   *
   * @param global   the global parameters the sites started the round from; not modified
   * @param facts    each update's example count (and, as strategies need them, other facts), in the
   *                 order of {@code ranges}
   * @param state    what the strategy carried over from the previous round
   * @param ranges   the round's validated updates, cut into coordinate ranges; as many as {@code facts}
   * @return the new global parameters and the state to pass to the next round
   * @throws IllegalStateException if there are fewer than {@link #minUpdates()} updates
   */
  Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges);

  /** Fewest updates this strategy can merge: 1, except Krum and Multi-Krum ({@code 2f + 3}). */
  default int minUpdates() {
    return 1;
  }

  /**
   * The weight {@code mu} of FedProx's proximal term {@code mu/2 * ||w - w_global||^2}, which the
   * sites add to their local loss; 0 for every other strategy. The server side never applies it.
   */
  default double proximalMu() {
    return 0;
  }

  /**
   * Whether each site must report its local steps with its update ({@link SiteUpdate#localSteps()}):
   * true for FedNova, which refuses updates without them. A runner whose site task does not report
   * them must refuse such a strategy before the first round.
   */
  default boolean needsLocalSteps() {
    return false;
  }

  /**
   * Whether each site must train with SCAFFOLD's control variates and send its control-variate delta
   * ({@link SiteUpdate#controlDelta()}; see {@link Scaffold} for what the site receives, applies and
   * sends): true for SCAFFOLD, which refuses updates without one. A runner whose site task does not
   * apply them must refuse such a strategy before the first round.
   */
  default boolean needsControlVariates() {
    return false;
  }
}
