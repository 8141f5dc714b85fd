/**
 * Contribution scoring: how much each site's update helped a round, the input of settlement.
 * Start with {@link org.sparkgrid.federation.scoring.ContributionScores}; the coordinator's
 * validation loss comes in as a {@link org.sparkgrid.federation.scoring.LossFunction}.
 */
package org.sparkgrid.federation.scoring;

import org.sparkgrid.core.reward.Contribution;
