/**
 * Tree mode (federated): sites train the global model on their own data, only updates leave a
 * site, and the updates merge each round under the request's strategy.
 *
 * <p>Start with {@link org.sparkgrid.jobs.tree.FederationRunner} (the rounds, contributions,
 * checkpoints, the registered model and the rewards); one round is
 * {@link org.sparkgrid.jobs.tree.TreeRound}: the sites' training as one Spark job
 * ({@link org.sparkgrid.jobs.tree.SiteRound}, a {@link org.sparkgrid.jobs.tree.SiteTrainer} per task,
 * updates signed by {@link org.sparkgrid.jobs.tree.SiteSigning} and checked by
 * {@link org.sparkgrid.jobs.tree.SignatureCheck}), then the merge in a Spark stage
 * ({@link org.sparkgrid.jobs.tree.SparkAggregation}) or on the driver, then the coordinator's stage of
 * leave-one-out scoring where the updates are cached and test evaluation
 * ({@link org.sparkgrid.jobs.tree.RoundEvaluation}). Rewards:
 * {@link org.sparkgrid.jobs.tree.TreeRewards} (the plans) and {@link org.sparkgrid.jobs.tree.RewardSettlement}
 * (on chain). Where sites run: {@link org.sparkgrid.jobs.tree.SiteIdentity} (the check each site task runs
 * first), {@link org.sparkgrid.jobs.tree.SitePlacement} (prefer the executors holding the site's identity),
 * {@link org.sparkgrid.jobs.tree.SiteRefusals} (where attempts were refused) and
 * {@link org.sparkgrid.jobs.tree.SiteStores} (the final model written by each site's own executor).
 * The strategies, site selection and scoring themselves are pure Java in the federation
 * module. Nothing here knows compute mode.
 */
package org.sparkgrid.jobs.tree;
