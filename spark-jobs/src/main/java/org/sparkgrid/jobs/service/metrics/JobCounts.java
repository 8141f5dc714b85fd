package org.sparkgrid.jobs.service.metrics;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.sparkgrid.ingest.jobs.JobState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job store's counts by state, read at most once per {@code maxAgeMs}: one scrape reads the
 * gauges of every state (and the queue depth) from a single query. A store that fails gives no
 * count (the gauges show NaN) and one warning until it answers again. Thread-safe.
 *
 * <pre>{@code
 * JobCounts counts = new JobCounts(store::countByState, 1_000, System::nanoTime);
 * counts.get(JobState.QUEUED);   // OptionalLong.of(3)
 * }</pre>
 */
final class JobCounts {
  private static final Logger LOG = LoggerFactory.getLogger(JobCounts.class);

  private final Supplier<Map<JobState, Long>> source;
  private final long maxAgeNanos;
  private final LongSupplier nanos;
  private Map<JobState, Long> last;
  private long readAt;
  private boolean failing;

  /**
   * @param source   the store's counts ({@code JobStore::countByState})
   * @param maxAgeMs how long a read is reused, at least 0
   * @param nanos    a monotonic clock
   * @throws IllegalArgumentException if {@code maxAgeMs} is negative
   */
  JobCounts(Supplier<Map<JobState, Long>> source, long maxAgeMs, LongSupplier nanos) {
    if (maxAgeMs < 0) {
      throw new IllegalArgumentException("maxAgeMs must be at least 0, got " + maxAgeMs);
    }
    this.source = source;
    this.maxAgeNanos = TimeUnit.MILLISECONDS.toNanos(maxAgeMs);
    this.nanos = nanos;
  }

  /** Jobs in {@code state}; empty if the store could not be read. */
  synchronized OptionalLong get(JobState state) {
    long now = nanos.getAsLong();
    if (last == null || now - readAt > maxAgeNanos) {
      readAt = now;
      try {
        last = Map.copyOf(source.get());
        failing = false;
      } catch (RuntimeException e) {
        last = Map.of();
        if (!failing) {
          LOG.warn("metrics: cannot count the jobs in the job store: {}", e.toString());
        }
        failing = true;
      }
    }
    Long n = last.get(state);
    return n == null ? OptionalLong.empty() : OptionalLong.of(n);
  }
}
