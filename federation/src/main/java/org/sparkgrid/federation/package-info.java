/**
 * Tree mode's logic, pure Java over {@code sparkgrid-core}: what the federated Spark stages call.
 * No Spark here; the stages convert and delegate.
 *
 * <p>Where to start, in the order a round uses them:
 * <ol>
 *   <li>{@link org.sparkgrid.federation.strategy.Strategies#create(org.sparkgrid.core.request.FederationSpec)}
 *       builds the {@link org.sparkgrid.federation.strategy.AggregationStrategy} of the request
 *       (FedAvg, FedAvgM, FedProx, FedAdam, FedYogi, FedAdagrad, median, trimmed mean, Krum,
 *       Multi-Krum, DP-FedAvg), checking its parameters;
 *   <li>{@link org.sparkgrid.federation.round.SiteSelection} picks the round's sites;
 *   <li>{@link org.sparkgrid.federation.round.RoundAggregation#run} validates the sites'
 *       {@link org.sparkgrid.federation.strategy.SiteUpdate}s, enforces {@code minSites}, merges them and
 *       returns the next {@link org.sparkgrid.federation.round.RoundState} (the checkpoint);
 *   <li>{@link org.sparkgrid.federation.scoring.ContributionScores} scores each site's update
 *       (example share, leave-one-out, Monte-Carlo Shapley);
 *   <li>{@link org.sparkgrid.federation.privacy.RdpAccountant} reports DP-FedAvg's epsilon.
 * </ol>
 * {@link org.sparkgrid.federation.split.DatasetSplits} splits one dataset among simulated sites
 * (IID, Dirichlet, k classes per site) for experiments and tests.
 */
package org.sparkgrid.federation;
