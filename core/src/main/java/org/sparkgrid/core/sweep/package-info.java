/**
 * The results of a sweep: {@link org.sparkgrid.core.sweep.TrialOutcome} (one trial's row) and
 * {@link org.sparkgrid.core.sweep.Leaderboard} (how trials rank, which one is registered, the
 * table {@code bin/sparkgrid job ID} prints). A sweep's expansion into trials is
 * {@link org.sparkgrid.core.request.SweepTrials}; running them is Spark's side
 * ({@code org.sparkgrid.jobs.compute.SweepRunner}).
 */
package org.sparkgrid.core.sweep;
