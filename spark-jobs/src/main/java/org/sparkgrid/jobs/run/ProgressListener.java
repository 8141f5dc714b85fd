package org.sparkgrid.jobs.run;

import org.sparkgrid.core.run.EpochMetrics;
import org.sparkgrid.jobs.engine.TrainingEngine;

/** What a long training run tells the person (or program) waiting for it. */
public interface ProgressListener {

  /** Reports nothing. */
  ProgressListener NONE = new ProgressListener() {};

  /** A preparatory phase started (loading data, resuming ...). */
  default void phase(String description) {}

  /**
   * The job waits (queued) for the cluster; {@code reason} names what is short. Told when waiting
   * starts and whenever the reason changes.
   */
  default void waiting(String reason) {}

  /** Whether the job has been cancelled: asked between checks while it waits. */
  default boolean cancelled() {
    return false;
  }

  /**
   * The job moves to {@code phase}; called on the job's thread, at the start of each phase. The
   * service counts each phase's time against its limit here, and may throw to stop a job that was
   * cancelled or timed out meanwhile.
   */
  default void enter(JobPhase phase) {}

  /**
   * Training starts.
   *
   * @param jobId         the job
   * @param epochs        epochs in all
   * @param stepsPerEpoch sync steps per epoch
   * @param examples      training examples per epoch
   * @param startEpoch    0-based epoch training starts at (more than 0 when resuming)
   * @param startStep     sync step it starts at within that epoch
   */
  default void start(String jobId, int epochs, int stepsPerEpoch, long examples, int startEpoch, int startStep) {}

  /** A Spark job of an epoch finished. */
  default void segment(TrainingEngine.SegmentReport report) {}

  /** An epoch finished and was evaluated. */
  default void epochDone(EpochMetrics metrics, int epochs) {}

  /** A federated (tree-mode) round finished and was checkpointed. */
  default void roundDone(org.sparkgrid.jobs.run.RoundReport report) {}

  /** A round's settlement receipt is stored, {@code latency} after the round was checkpointed. */
  default void settled(java.time.Duration latency) {}

  /** Training finished. */
  default void finish() {}
}
