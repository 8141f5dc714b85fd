/**
 * Aggregation math: small pure functions over {@code float[]} with their example counts, no I/O
 * and no Spark. The Spark code converts to and from these and delegates.
 *
 * <p>Start with {@link org.sparkgrid.core.math.WeightedAverage}, the example-weighted mean that
 * parameter averaging and FedAvg share.
 */
package org.sparkgrid.core.math;
