/**
 * Compute mode: one request trained data-parallel on Spark, and sweeps of several configurations.
 *
 * <p>Start with {@link org.sparkgrid.jobs.compute.ComputeJob}: data, normalizer and network from
 * {@code run.JobSetup}, epochs on an {@code engine.TrainingEngine}, an evaluation after each epoch,
 * checkpoints ({@link org.sparkgrid.jobs.compute.StateFile} holds the parameters), the model
 * registered by {@code run.ModelPublisher}. {@link org.sparkgrid.jobs.compute.SweepRunner} trains a
 * sweep's trials as compute jobs of their own and registers the best. Both are
 * {@code run.TrainingRun}s; nothing here knows tree mode.
 */
package org.sparkgrid.jobs.compute;
