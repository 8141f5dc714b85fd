package org.sparkgrid.jobs.run;

/**
 * What a running job is doing, as the job store and the {@code timed-out} event name it. The first
 * three have time limits ({@code training.timeouts}, {@code spark.sparkgrid.service.timeout.*}).
 */
public enum JobPhase {
  /** Reading, sharding and normalizing the data; loading the checkpoint or initFrom model to start from. */
  DATA("data"),
  /** Training, with the evaluation after each epoch or round. */
  TRAIN("train"),
  /** Writing a checkpoint, or registering the final model. */
  CHECKPOINT("checkpoint"),
  /** Tree mode: settling the rewards on chain, after the model is registered. No time limit. */
  SETTLE("settle");

  private final String wire;

  JobPhase(String wire) {
    this.wire = wire;
  }

  /** The name in the job store and in events: {@code data}, {@code train}, {@code checkpoint}, {@code settle}. */
  public String wire() {
    return wire;
  }
}
