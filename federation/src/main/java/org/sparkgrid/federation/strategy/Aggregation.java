package org.sparkgrid.federation.strategy;

import java.util.Objects;

/**
 * What {@link AggregationStrategy#aggregate} returns.
 *
 * @param global the new global parameters (a new array)
 * @param state  the strategy's state after this round, to pass to the next
 */
public record Aggregation(float[] global, StrategyState state) {

  /** @throws NullPointerException if an argument is null */
  public Aggregation {
    Objects.requireNonNull(global, "global");
    Objects.requireNonNull(state, "state");
  }
}
