/**
 * The one place that chooses how a request runs: {@link org.sparkgrid.jobs.modes.RunModes} gives a
 * {@code run.TrainingRun} for a request (or a job to resume) by its {@code run.RunMode}: compute,
 * sweep or tree. The CLI and the service start every job through it, after
 * {@link org.sparkgrid.jobs.modes.RequestPreflight} checked its data and federation file.
 */
package org.sparkgrid.jobs.modes;
