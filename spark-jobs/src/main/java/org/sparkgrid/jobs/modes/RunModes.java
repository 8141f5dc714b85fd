package org.sparkgrid.jobs.modes;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.store.CheckpointStore;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.jobs.compute.ComputeJob;
import org.sparkgrid.jobs.compute.SweepRunner;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.run.RunMode;
import org.sparkgrid.jobs.run.RunSoFar;
import org.sparkgrid.jobs.run.TrainingRun;
import org.sparkgrid.jobs.tree.FederationRunner;
import org.sparkgrid.jobs.tree.LocalSiteTrainer;
import org.sparkgrid.jobs.tree.SiteTrainer;

/**
 * The one place that chooses how a request runs: {@link ComputeJob}, {@link SweepRunner} or
 * {@link FederationRunner}, by its {@link RunMode}. The CLI and the service start every job here.
 *
 * <pre>{@code
 * RunModes.Context ctx = new RunModes.Context(sc, config, Stores.models(config, hadoop),
 *     Stores.checkpoints(config, hadoop), ProgressListener.NONE);
 * RunResult r = RunModes.forRequest(request, ctx).run(request, request.id());
 * }</pre>
 */
public final class RunModes {
  private RunModes() {}

  /**
   * What every run needs, and what only some use.
   *
   * @param progress      told each phase, epoch and round (compute and tree mode)
   * @param sweep         told each finished trial, and gives each trial's progress listener (sweeps)
   * @param stopRequested whether a sweep should stop between its trials' Spark jobs (sweeps)
   * @param sites         trains a site's round (tree mode)
   */
  public record Context(JavaSparkContext sc, SparkGridConfig config, ModelStore models, CheckpointStore checkpoints,
      ProgressListener progress, SweepRunner.Listener sweep, BooleanSupplier stopRequested, SiteTrainer sites) {

    /** A context with no sweep listener, sweeps never stopped, and sites trained by {@link LocalSiteTrainer}. */
    public Context(JavaSparkContext sc, SparkGridConfig config, ModelStore models, CheckpointStore checkpoints,
        ProgressListener progress) {
      this(sc, config, models, checkpoints, progress, SweepRunner.Listener.NONE, () -> false, new LocalSiteTrainer());
    }

    /** This context, with a sweep's listener and stop check. */
    public Context withSweep(SweepRunner.Listener listener, BooleanSupplier stop) {
      return new Context(sc, config, models, checkpoints, progress, listener, stop, sites);
    }
  }

  /** The run for a request of {@code mode}. */
  public static TrainingRun forMode(RunMode mode, Context ctx) {
    return switch (mode) {
      case COMPUTE -> new ComputeJob(ctx.sc(), ctx.config(), ctx.models(), ctx.checkpoints(), ctx.progress());
      case SWEEP -> new SweepRunner(ctx.sc(), ctx.config(), ctx.models(), ctx.checkpoints(), ctx.sweep(),
          ctx.stopRequested());
      case TREE -> new FederationRunner(ctx.sc(), ctx.config(), ctx.models(), ctx.checkpoints(), ctx.progress(),
          ctx.sites());
    };
  }

  /** The run for {@code request}, by its mode ({@link RunMode#of}). */
  public static TrainingRun forRequest(TrainingRequest request, Context ctx) {
    return forMode(RunMode.of(request), ctx);
  }

  /**
   * What a job's checkpoint {@code step} holds of its figures, read the way its mode wrote it (a
   * sweep's own job has no checkpoints: its trials do, under their own ids).
   *
   * @throws java.util.NoSuchElementException if the checkpoint lacks its files
   */
  public static RunSoFar soFar(RunMode mode, CheckpointStore checkpoints, String jobId, long step) throws IOException {
    return mode == RunMode.TREE ? FederationRunner.soFar(checkpoints, jobId, step)
        : ComputeJob.soFar(checkpoints, jobId, step);
  }
}
