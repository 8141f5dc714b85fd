package org.sparkgrid.jobs.run;

import java.io.IOException;
import org.sparkgrid.core.request.TrainingRequest;

/**
 * One way of running a training request on Spark, end to end: prepare ({@link JobSetup}), train,
 * register the model ({@link ModelPublisher}). Implemented by compute mode
 * ({@code compute.ComputeJob}), sweeps ({@code compute.SweepRunner}) and tree mode
 * ({@code tree.FederationRunner}); {@code modes.RunModes} picks the one a request's mode needs, so
 * callers (the CLI, the service) never branch on the mode themselves.
 *
 * <pre>{@code
 * TrainingRun run = RunModes.forRequest(request, new RunModes.Context(sc, config, models, checkpoints,
 *     ProgressListener.NONE));
 * RunResult r = run.run(request, request.id());
 * System.out.println(r.version().name() + "@" + r.version().version() + " " + r.metrics());
 * }</pre>
 */
public interface TrainingRun {

  /**
   * Runs a request from its start (or from its {@code model.initFrom} model).
   *
   * @throws IllegalArgumentException if the request is not of this run's mode, or the job ran before
   * @throws org.sparkgrid.core.request.InvalidRequestException if a data path or the initFrom model is missing
   * @throws IOException if the store or the data cannot be read
   * @throws InterruptedException if the calling thread was interrupted while it ran
   */
  RunResult run(TrainingRequest request, String jobId) throws IOException, InterruptedException;

  /**
   * Resumes a job from its last checkpoint, with the request it was started with ({@link JobRuns}).
   *
   * @throws IllegalArgumentException if the job is unknown or not of this run's mode
   */
  RunResult resume(String jobId) throws IOException, InterruptedException;
}
