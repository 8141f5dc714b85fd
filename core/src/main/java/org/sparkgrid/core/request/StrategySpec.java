package org.sparkgrid.core.request;

import java.util.Map;

/**
 * An aggregation strategy and its parameters, as written in the request, e.g.
 * {@code {"type": "trimmed-mean", "trim": 0.2}}. The federation module interprets and checks the
 * parameters of each type.
 *
 * @param type   (default fedavg) fedavg, fedavgm, fedprox, fedadam, fedyogi, fedadagrad, median, trimmed-mean, krum,
 *               multi-krum, dp-fedavg
 * @param params every other field of the object, by name (numbers as Double, booleans, strings)
 */
public record StrategySpec(String type, Map<String, Object> params) {}
