package org.sparkgrid.jobs.run;

import org.sparkgrid.core.request.TrainingRequest;

/** How a request trains, read from it once: the one place that looks at {@code federation} and {@code sweep}. */
public enum RunMode {
  /** One configuration, data-parallel on Spark. */
  COMPUTE,
  /** Compute mode with a {@code sweep}: several configurations, the best one registered. */
  SWEEP,
  /** Tree mode: sites train on their own data, updates merge each round. */
  TREE;

  /** The mode of {@code request}: tree if it has a federation section, else sweep if it has a sweep, else compute. */
  public static RunMode of(TrainingRequest request) {
    if (request.federation() != null) {
      return TREE;
    }
    return request.sweep() != null ? SWEEP : COMPUTE;
  }
}
