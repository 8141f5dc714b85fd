package org.sparkgrid.federation.strategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What a range-by-range merge ({@link AggregationStrategy#aggregateRanges}) knows about each update
 * of a round besides its vector, in the order of the ranges: the facts of {@link SiteUpdate} other
 * than the delta. The driver merge reads the same facts from {@link SiteUpdate}; {@link #of} derives
 * these from those, so both merges see the same facts.
 *
 * <pre>{@code
 * UpdateFacts facts = UpdateFacts.of(updates);      // or new UpdateFacts(examples) for example counts alone
 * Aggregation a = ShardedAggregation.aggregate(strategy, global, facts, state, ranges);
 * }</pre>
 *
 * @param examples      each update's example count (the weights of FedAvg); not copied, not modified
 * @param localSteps    each update's local steps (FedNova's {@code ||a_i||_1}), 0 where not reported;
 *                      as many as {@code examples}
 * @param siteIds       each update's site id (the key of per-site state such as SCAFFOLD's {@code c_i})
 * @param controlDeltas each update's SCAFFOLD control-variate delta {@code c_i+ - c_i} held whole on the
 *                      driver, null where not sent; unmodifiable list
 */
public record UpdateFacts(long[] examples, long[] localSteps, List<String> siteIds, List<float[]> controlDeltas) {

  /**
   * @throws IllegalArgumentException if there are no updates or the facts are not one per update
   * @throws NullPointerException if an array, a list or a site id is null
   */
  public UpdateFacts {
    if (examples.length == 0) {
      throw new IllegalArgumentException("no updates");
    }
    if (localSteps.length != examples.length || siteIds.size() != examples.length
        || controlDeltas.size() != examples.length) {
      throw new IllegalArgumentException(examples.length + " example counts, " + localSteps.length + " local step counts, "
          + siteIds.size() + " site ids and " + controlDeltas.size() + " control deltas; need one of each per update");
    }
    siteIds = List.copyOf(siteIds);
    controlDeltas = Collections.unmodifiableList(new ArrayList<>(controlDeltas));
  }

  /** Example counts alone: no local steps, site ids {@code 0, 1, ...}, no control deltas. */
  public UpdateFacts(long[] examples) {
    this(examples, new long[examples.length], indices(examples.length),
        Collections.nCopies(examples.length, (float[]) null));
  }

  /** The facts of these updates, in their order. @throws IllegalArgumentException if there are none */
  public static UpdateFacts of(List<SiteUpdate> updates) {
    return new UpdateFacts(Vectors.examples(updates), updates.stream().mapToLong(SiteUpdate::localSteps).toArray(),
        updates.stream().map(SiteUpdate::siteId).toList(),
        updates.stream().map(SiteUpdate::controlDelta).toList());
  }

  /** The number of updates. */
  public int count() {
    return examples.length;
  }

  private static List<String> indices(int n) {
    List<String> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      out.add(Integer.toString(k));
    }
    return out;
  }

  @Override
  public String toString() {
    return "UpdateFacts[examples=" + Arrays.toString(examples) + ", localSteps=" + Arrays.toString(localSteps)
        + ", siteIds=" + siteIds + "]";
  }
}
