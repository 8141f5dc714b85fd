/**
 * One federated round around the strategy: which sites train
 * ({@link org.sparkgrid.federation.round.SiteSelection}), which updates count
 * ({@link org.sparkgrid.federation.round.UpdateValidation}, with the
 * {@link org.sparkgrid.federation.round.UpdateCheck} hook for allowlists and signatures), the merge
 * with its {@code minSites} rule ({@link org.sparkgrid.federation.round.RoundAggregation}, where to
 * start), and the checkpoint ({@link org.sparkgrid.federation.round.RoundState}, written in
 * {@link org.sparkgrid.federation.round.RoundStateBinary}'s compact form).
 */
package org.sparkgrid.federation.round;
