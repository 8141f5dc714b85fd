package org.sparkgrid.jobs.service;

import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.TimeoutSpec;
import org.sparkgrid.jobs.run.JobPhase;

/**
 * One attempt of a job: the time it spent in each phase, against each phase's limit. Time in a
 * phase adds up over the attempt (training between two checkpoints, then the next stretch ...);
 * a new attempt (a resumed job) starts a new clock. Pure bookkeeping over a nanosecond clock;
 * thread-safe.
 *
 * <pre>{@code
 * PhaseClock clock = new PhaseClock(PhaseClock.limits(request.training().timeouts(), config), System::nanoTime);
 * OptionalLong left = clock.enter(JobPhase.TRAIN);   // nanoseconds until train's limit, empty if none
 * }</pre>
 */
final class PhaseClock {
  private final Map<JobPhase, Long> limitNanos = new EnumMap<>(JobPhase.class);
  private final Map<JobPhase, Long> spentNanos = new EnumMap<>(JobPhase.class);
  private final LongSupplier nanos;
  private JobPhase current;
  private long since;

  /**
   * @param limitsMs the limited phases and their limits in milliseconds (each at least 1)
   * @param nanos    a monotonic clock, e.g. {@code System::nanoTime}
   * @throws IllegalArgumentException if a limit is below 1 ms
   */
  PhaseClock(Map<JobPhase, Long> limitsMs, LongSupplier nanos) {
    limitsMs.forEach((phase, ms) -> {
      if (ms < 1) {
        throw new IllegalArgumentException("limit of phase " + phase.wire() + " must be at least 1 ms, got " + ms);
      }
      limitNanos.put(phase, TimeUnit.MILLISECONDS.toNanos(ms));
    });
    this.nanos = nanos;
  }

  /**
   * The limits of a job: each of the request's {@code training.timeouts} that is set, else the
   * service's {@code spark.sparkgrid.service.timeout.*}; a phase whose limit is 0 is left out.
   */
  static Map<JobPhase, Long> limits(TimeoutSpec request, SparkGridConfig config) {
    Map<JobPhase, Long> m = new EnumMap<>(JobPhase.class);
    putLimit(m, JobPhase.DATA, request.dataMs(), config.get(SparkGridConfig.SERVICE_TIMEOUT_DATA_MS));
    putLimit(m, JobPhase.TRAIN, request.trainMs(), config.get(SparkGridConfig.SERVICE_TIMEOUT_TRAIN_MS));
    putLimit(m, JobPhase.CHECKPOINT, request.checkpointMs(),
        config.get(SparkGridConfig.SERVICE_TIMEOUT_CHECKPOINT_MS));
    return m;
  }

  private static void putLimit(Map<JobPhase, Long> m, JobPhase phase, Long requested, long serviceDefault) {
    long ms = requested != null ? requested : serviceDefault;
    if (ms > 0) {
      m.put(phase, ms);
    }
  }

  /**
   * Leaves the current phase (adding its time) and enters {@code phase}.
   *
   * @return nanoseconds {@code phase} has left before its limit (0 if already used up), or empty
   *     if it has no limit
   */
  synchronized OptionalLong enter(JobPhase phase) {
    long now = nanos.getAsLong();
    if (current != null) {
      spentNanos.merge(current, now - since, Long::sum);
    }
    current = phase;
    since = now;
    return left();
  }

  /** The current phase's nanoseconds left before its limit (0 if used up); empty if no phase or no limit. */
  synchronized OptionalLong left() {
    if (current == null || !limitNanos.containsKey(current)) {
      return OptionalLong.empty();
    }
    long spent = spentNanos.getOrDefault(current, 0L) + nanos.getAsLong() - since;
    return OptionalLong.of(Math.max(0, limitNanos.get(current) - spent));
  }

  /** The phase the job is in, or null before the first {@link #enter}. */
  synchronized JobPhase current() {
    return current;
  }
}
