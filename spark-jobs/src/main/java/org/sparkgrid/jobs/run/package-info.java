/**
 * The seam between the callers of a training run and its modes. Start with
 * {@link org.sparkgrid.jobs.run.TrainingRun} ({@code run}, {@code resume}, one
 * {@link org.sparkgrid.jobs.run.RunResult}), which compute, sweep and tree implement.
 *
 * <ul>
 *   <li>Shared steps: {@link org.sparkgrid.jobs.run.JobSetup} (path checks, capacity, the starting model)
 *       before training, {@link org.sparkgrid.jobs.run.ModelPublisher} (model.zip, metrics.json,
 *       lineage.json as core's {@code RunMetrics} and {@code Lineage}) after it, and
 *       {@link org.sparkgrid.jobs.run.JobRuns} (the request kept beside a job's checkpoints, for resuming).
 *   <li>Progress: {@link org.sparkgrid.jobs.run.ProgressListener} hears the {@link org.sparkgrid.jobs.run.JobPhase}s,
 *       each epoch's {@link org.sparkgrid.jobs.run.EpochMetrics} and each round's
 *       {@link org.sparkgrid.jobs.run.RoundReport}.
 * </ul>
 */
package org.sparkgrid.jobs.run;
