package org.sparkgrid.core.request;

import java.util.Map;

/**
 * An aggregation strategy and its parameters, as written in the request, e.g.
 * {@code {"type": "trimmed-mean", "trim": 0.2}}. Which types and parameters exist is the federation
 * module's: each strategy declares its own, the codec checks them through {@link StrategyCatalog},
 * and {@code docs/strategies.md} lists them (generated from the declarations).
 *
 * @param type   (default fedavg) one of {@link RequestCodec#strategyTypes()}
 * @param params every other field of the object, by name (numbers as Double, booleans, strings)
 */
public record StrategySpec(String type, Map<String, Object> params) {}
