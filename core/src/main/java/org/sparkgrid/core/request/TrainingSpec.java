package org.sparkgrid.core.request;

/**
 * How long and how to train.
 *
 * @param epochs    passes over the training data, 1..10000 (required)
 * @param batchSize minibatch size per worker, 1..65536 (default 64)
 * @param seed      seed for weight initialisation and shuffling, any 64-bit integer (default 42)
 * @param updater   the optimizer (default adam, learning rate 0.001)
 * @param l2        L2 weight decay, in [0, 1] (default 0)
 * @param timeouts  per-phase time limits ({@link TimeoutSpec#NONE} when absent: the service's defaults)
 */
public record TrainingSpec(int epochs, int batchSize, long seed, UpdaterSpec updater, double l2, TimeoutSpec timeouts) {

  public TrainingSpec {
    timeouts = timeouts == null ? TimeoutSpec.NONE : timeouts;
  }

  /** A training section without time limits of its own. */
  public TrainingSpec(int epochs, int batchSize, long seed, UpdaterSpec updater, double l2) {
    this(epochs, batchSize, seed, updater, l2, TimeoutSpec.NONE);
  }
}
