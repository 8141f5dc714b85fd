package org.sparkgrid.core.request;

import java.util.List;
import java.util.Map;

/**
 * N configurations trained concurrently; the best by {@code select} is registered.
 * {@link SweepTrials#expand} turns a request with a sweep into its trials.
 *
 * @param parameters    request field path to the values to try, e.g.
 *                      {@code "training.updater.learningRate": [0.0005, 0.001]}; at least one field, each
 *                      with at least one value and no value twice; the fields are
 *                      {@link RequestCodec#sweepableFields()}, the values Integer, Long (training.seed),
 *                      Double or String as the field's type is
 * @param method        grid (every combination, at most {@value #MAX_TRIALS}; the default) or random
 *                      ({@code trials} distinct combinations drawn with the request's training.seed)
 * @param trials        random only: how many combinations to draw, 1..{@value #MAX_TRIALS} and at most
 *                      {@link #combinations()} ({@code null} for grid)
 * @param maxConcurrent trials run at once, 1..64 (default 2)
 * @param select        metric that picks the best trial: accuracy (test accuracy, higher is better; the
 *                      default) or loss (test loss, lower is better)
 */
public record SweepSpec(
    Map<String, List<Object>> parameters, String method, Integer trials, int maxConcurrent, String select) {

  /** The most trials one sweep may have, by either method. */
  public static final int MAX_TRIALS = 10_000;

  /** Whether {@link #method} draws combinations at random rather than trying them all. */
  public boolean random() {
    return "random".equals(method);
  }

  /**
   * The number of distinct combinations of the parameters' values: the product of the list sizes,
   * or {@link Long#MAX_VALUE} if that product does not fit in a long.
   */
  public long combinations() {
    long n = 1;
    for (List<Object> values : parameters.values()) {
      if (n > Long.MAX_VALUE / values.size()) {
        return Long.MAX_VALUE;
      }
      n *= values.size();
    }
    return n;
  }

  /** How many trials the sweep runs: {@code trials} for random, every combination for grid. */
  public int trialCount() {
    return random() ? trials : (int) Math.min(combinations(), Integer.MAX_VALUE);
  }
}
