package org.sparkgrid.settlement;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a failed settlement is tried again: exponential backoff from {@code initialBackoff},
 * doubling up to {@code maxBackoff}, for at most {@code maxAttempts} attempts (0: no limit).
 *
 * @param maxAttempts    attempts in all, {@code >= 0}; 0 retries until the receipt is stored
 * @param initialBackoff the wait after the first failure, positive
 * @param maxBackoff     the longest wait, {@code >= initialBackoff}
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
  /**
   * {@code spark.sparkgrid.chain.maxAttempts}' default (10) attempts, 0.5 s doubling to 30 s: about
   * two minutes between the first and the last.
   */
  public static final RetryPolicy DEFAULT = new RetryPolicy(
      org.sparkgrid.core.config.SparkGridConfig.CHAIN_MAX_ATTEMPTS.defaultValue(), Duration.ofMillis(500),
      Duration.ofSeconds(30));

  /** {@code spark.sparkgrid.chain.maxAttempts} attempts, 0.5 s doubling to 30 s. */
  public static RetryPolicy from(org.sparkgrid.core.config.SparkGridConfig config) {
    return new RetryPolicy(config.get(org.sparkgrid.core.config.SparkGridConfig.CHAIN_MAX_ATTEMPTS),
        DEFAULT.initialBackoff(), DEFAULT.maxBackoff());
  }

  /**
   * @throws IllegalArgumentException naming the field and value, if one is out of range
   */
  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("maxAttempts must be >= 0. Current value is " + maxAttempts + ".");
    }
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive. Current value is " + initialBackoff + ".");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must be >= initialBackoff (" + initialBackoff
          + "). Current value is " + maxBackoff + ".");
    }
  }

  /** Whether another attempt follows attempt {@code attempt} (1-based). */
  public boolean allowsAnother(int attempt) {
    return maxAttempts == 0 || attempt < maxAttempts;
  }

  /** The wait after failed attempt {@code attempt} (1-based). */
  public Duration backoff(int attempt) {
    Duration d = initialBackoff;
    for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxBackoff) < 0 ? d : maxBackoff;
  }
}
