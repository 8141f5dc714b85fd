package org.sparkgrid.core.request;

import java.util.List;
import java.util.Map;

/**
 * N configurations trained concurrently; the best by {@code select} is registered.
 *
 * @param parameters    request field path to the values to try, e.g.
 *                      {@code "training.updater.learningRate": [0.0005, 0.001]}; at least one field, each
 *                      with at least one value; the fields are {@link RequestCodec#sweepableFields()}, the
 *                      values Integer, Long (training.seed), Double or String as the field's type is
 * @param method        grid (every combination; the default) or random (sample {@code trials} combinations)
 * @param trials        random only: how many combinations to sample, 1..10000 ({@code null} for grid)
 * @param maxConcurrent trials run at once, 1..64 (default 2)
 * @param select        metric that picks the best trial: accuracy (higher is better; the default) or loss (lower)
 */
public record SweepSpec(
    Map<String, List<Object>> parameters, String method, Integer trials, int maxConcurrent, String select) {}
