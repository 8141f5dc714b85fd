package org.sparkgrid.federation.strategy;

import java.util.List;

/**
 * How one round's site updates merge into the next global parameters: the seam between tree mode's
 * Spark aggregation stage and the math. Instances come from {@link Strategies#create}; each type of
 * the request's {@code federation.strategy} is one implementation in its own file.
 *
 * <p>A strategy is a pure function: it modifies none of its arguments, keeps no mutable fields,
 * and returns the same result for the same arguments (DP-FedAvg's noise too: it is drawn from the
 * strategy's seed and the round count in {@link StrategyState}). So a Spark stage that is retried
 * gives the same global parameters, and a round resumed from a checkpoint gives the same result as
 * one that was never interrupted.
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
}
