/**
 * Contribution scoring: how much each site's update helped a round, the input of settlement.
 * Start with {@link org.sparkgrid.federation.scoring.ContributionScores}, which gives core's
 * {@link org.sparkgrid.core.reward.Contribution} per site and round; the coordinator's validation
 * loss comes in as a {@link org.sparkgrid.federation.scoring.LossFunction}.
 */
package org.sparkgrid.federation.scoring;
