package org.sparkgrid.jobs.engine;

/**
 * How one epoch of data-parallel training is distributed over Spark. Each implementation is one
 * way of doing it (STYLE.md: "each of these different approaches would be implemented as a
 * TrainingMaster"); what the network is, and what happens between epochs (evaluation,
 * checkpoints, the model store) is the caller's.
 *
 * <ul>
 *   <li>{@link AveragingEngine}: SparkGrid's own synchronous parameter averaging (the default).
 *   <li>{@link Dl4jSparkEngine}: DL4J's {@code ParameterAveragingTrainingMaster}, for comparison and
 *       for users migrating from dl4j-spark.
 * </ul>
 */
public interface TrainingEngine extends AutoCloseable {

  /** The engine's name as written in a request's {@code engine.type}. */
  String name();

  /** Sync steps (progress units) in one epoch. */
  int stepsPerEpoch();

  /**
   * Fits one epoch, starting at sync step {@code fromStep} (0 for a fresh epoch; more when resuming
   * from a checkpoint taken mid-epoch).
   *
   * @param epoch    0-based epoch index
   * @param fromStep the first sync step to run
   * @param start    the model to start from
   * @param listener told after each Spark job, with the model at that point
   * @return the model after the epoch
   */
  ModelState fitEpoch(int epoch, int fromStep, ModelState start, SegmentListener listener);

  /** Releases what the engine holds on the driver (the averaging exchange's port). */
  @Override
  void close();

  /** Progress of an epoch, reported after each Spark job. */
  @FunctionalInterface
  interface SegmentListener {
    void segmentDone(SegmentReport report);
  }

  /**
   * @param epoch      0-based epoch
   * @param stepsDone  sync steps of the epoch done so far
   * @param steps      sync steps in the epoch
   * @param examples   examples fitted in this job, all workers together
   * @param meanLoss   mean training loss per example in this job
   * @param seconds    the job's wall time on the driver
   * @param state      the averaged model after this job
   */
  record SegmentReport(
      int epoch, int stepsDone, int steps, long examples, double meanLoss, double seconds, ModelState state) {}
}
