package org.sparkgrid.core.request;

/**
 * A job's per-phase time limits ({@code training.timeouts}), in milliseconds. A job that spends
 * longer than a phase's limit in that phase during one attempt ends as {@code TIMED_OUT} with the
 * phase named. {@code null} where the request sets no limit: the service's default
 * ({@code spark.sparkgrid.service.timeout.*}) applies; 0 means no limit, whatever the default.
 *
 * @param dataMs       reading, sharding and normalizing the data and loading the starting model,
 *                     0..{@value #MAX_MS} (default: the service's)
 * @param trainMs      training, evaluation after each epoch or round included, summed over the
 *                     attempt, 0..{@value #MAX_MS} (default: the service's)
 * @param checkpointMs writing checkpoints and registering the final model, summed over the attempt,
 *                     0..{@value #MAX_MS} (default: the service's)
 */
public record TimeoutSpec(Long dataMs, Long trainMs, Long checkpointMs) {

  /** The largest limit a request may set: 30 days. */
  public static final long MAX_MS = 2_592_000_000L;

  /** No limit set by the request: every phase takes the service's default. */
  public static final TimeoutSpec NONE = new TimeoutSpec(null, null, null);

  /** Whether the request set no limit at all. */
  public boolean isNone() {
    return dataMs == null && trainMs == null && checkpointMs == null;
  }
}
