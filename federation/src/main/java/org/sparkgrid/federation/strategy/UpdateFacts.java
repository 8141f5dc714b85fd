package org.sparkgrid.federation.strategy;

/**
 * What a range-by-range merge ({@link AggregationStrategy#aggregateRanges}) knows about each update
 * of a round besides its vector, in the order of the ranges: today each update's example count.
 *
 * <p>This record is where the facts that stateful strategies need will join, so that adding them
 * changes no strategy's signature: FedNova's local step counts per update, and the site ids that
 * key SCAFFOLD's per-site control variates in {@link StrategyState} (the driver merge reads the
 * same facts from {@link SiteUpdate}).
 *
 * @param examples each update's example count (the weights of FedAvg); not copied, not modified
 */
public record UpdateFacts(long[] examples) {

  /** @throws IllegalArgumentException if there are no updates */
  public UpdateFacts {
    if (examples.length == 0) {
      throw new IllegalArgumentException("no updates");
    }
  }

  /** The number of updates. */
  public int count() {
    return examples.length;
  }
}
