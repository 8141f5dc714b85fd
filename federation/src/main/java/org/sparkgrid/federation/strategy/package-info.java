/**
 * Aggregation strategies: pure functions from the global parameters and the sites' updates
 * (deltas with example counts) to the new global parameters.
 *
 * <p>Start with {@link org.sparkgrid.federation.strategy.Strategies}, which builds a strategy from
 * the request and lists each type's parameters, and
 * {@link org.sparkgrid.federation.strategy.AggregationStrategy}, the seam. Server optimizers
 * carry a {@link org.sparkgrid.federation.strategy.StrategyState} from round to round, which
 * checkpoints as a map. {@link org.sparkgrid.federation.strategy.Vectors} holds update-norm
 * clipping. The implementations are package-private, one per file (FedAvg, FedAvgM, FedProx,
 * ServerOptimizer with FedAdam, FedYogi and FedAdagrad, CoordinateMedian, TrimmedMean, Krum,
 * Clipped), except {@link org.sparkgrid.federation.strategy.DpFedAvg}, public for its accounting.
 */
package org.sparkgrid.federation.strategy;
