package org.sparkgrid.ingest.jobs;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which jobs {@link JobStore#list} returns: those in one of {@code states}, oldest first, at most
 * {@code limit}.
 *
 * <pre>{@code
 * store.list(JobFilter.all());                                  // every job, up to 1000
 * store.list(JobFilter.in(JobState.QUEUED, JobState.RUNNING));  // the live ones
 * store.list(JobFilter.in(JobState.FAILED).limit(10));
 * }</pre>
 *
 * @param states the states to include, not empty
 * @param limit  the most jobs returned, 1..100000
 */
public record JobFilter(Set<JobState> states, int limit) {

  /** The limit of {@link #all()} and {@link #in}. */
  public static final int DEFAULT_LIMIT = 1000;

  /** @throws IllegalArgumentException if {@code states} is empty or {@code limit} is out of range */
  public JobFilter {
    Objects.requireNonNull(states, "states");
    if (states.isEmpty()) {
      throw new IllegalArgumentException("states must not be empty");
    }
    if (limit < 1 || limit > 100_000) {
      throw new IllegalArgumentException("limit must be between 1 and 100000, got " + limit);
    }
    states = Set.copyOf(EnumSet.copyOf(states));
  }

  /** Every job, up to {@value #DEFAULT_LIMIT}. */
  public static JobFilter all() {
    return new JobFilter(EnumSet.allOf(JobState.class), DEFAULT_LIMIT);
  }

  /** The jobs in one of these states, up to {@value #DEFAULT_LIMIT}. */
  public static JobFilter in(JobState first, JobState... more) {
    return new JobFilter(EnumSet.of(first, more), DEFAULT_LIMIT);
  }

  /** This filter with another limit. */
  public JobFilter limit(int newLimit) {
    return new JobFilter(states, newLimit);
  }
}
