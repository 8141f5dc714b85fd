/**
 * Aggregation strategies: pure functions from the global parameters and the sites' updates
 * (deltas with example counts) to the new global parameters.
 *
 * <p>Start with {@link org.sparkgrid.federation.strategy.Strategies}, the registry, which builds a
 * strategy from the request, and {@link org.sparkgrid.federation.strategy.AggregationStrategy}, the
 * seam. Each strategy is one package-private class that declares everything about itself: a nested
 * {@link org.sparkgrid.federation.strategy.StrategyDefinition} (its type, weighting, doc and
 * {@link org.sparkgrid.federation.strategy.StrategyParameter}s with defaults and ranges), its merge
 * on one machine ({@code aggregate}) and its merge plan range by range ({@code aggregateRanges},
 * built from the kernels of {@link org.sparkgrid.federation.strategy.ShardedAggregation}). The
 * registry finds the definitions with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/org.sparkgrid.federation.strategy.StrategyDefinition}); the request
 * codec's check ({@link org.sparkgrid.federation.strategy.RegisteredStrategies}, core's
 * {@code StrategyCatalog}) and {@code docs/strategies.md} ({@link org.sparkgrid.federation.strategy.StrategyReference})
 * follow from them.
 *
 * <p>Adding a strategy: one class with its {@code Definition}, {@code aggregate} and
 * {@code aggregateRanges}; its line in the services file (StrategyDefinitionsTest fails without
 * it); its hand-checked test. StrategyContractTest then holds it to the contract every strategy
 * passes, the reference page test asks for the regenerated table, and the codec accepts it.
 *
 * <p>Server optimizers carry a {@link org.sparkgrid.federation.strategy.StrategyState} from round
 * to round, which checkpoints as a map. {@link org.sparkgrid.federation.strategy.Vectors} holds
 * update-norm clipping; {@code Clipped} puts it in front of any strategy. The implementations are
 * FedAvg, FedAvgM, FedProx, FedNova, ServerOptimizer with FedAdam, FedYogi and FedAdagrad,
 * CoordinateMedian, TrimmedMean, Krum (krum and multi-krum), Clipped,
 * {@link org.sparkgrid.federation.strategy.DpFedAvg}, public for its accounting, and
 * {@link org.sparkgrid.federation.strategy.Scaffold}, public for the site side's math.
 *
 * <p>Strategies for heterogeneous sites need facts from the sites besides the delta, carried by
 * {@link org.sparkgrid.federation.strategy.SiteUpdate} and
 * {@link org.sparkgrid.federation.strategy.UpdateFacts}: FedNova the local steps
 * ({@code needsLocalSteps()}), SCAFFOLD a control-variate delta, after training with the control
 * variates ({@code needsControlVariates()}).
 */
package org.sparkgrid.federation.strategy;
