package org.sparkgrid.jobs.engine;

import java.io.Serializable;

/**
 * The schedule of one epoch of synchronous parameter averaging, as pure arithmetic.
 *
 * <p>Worker {@code w} holds {@code counts[w]} examples, cut into minibatches of {@code batchSize}
 * (the last one may be smaller). A <em>sync step</em> is {@code averagingFrequency} minibatches fitted
 * by every worker, then one averaging. An epoch has {@link #steps()} sync steps: enough for the
 * worker with the most minibatches; a worker that runs out earlier contributes nothing (weight 0)
 * to the remaining averagings and adopts their result. The epoch's steps are split into
 * {@link #segments()} Spark jobs of nearly equal length, so the driver can report progress and
 * checkpoint between them.
 */
public final class SyncPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int[] counts;
  private final int batchSize;
  private final int averagingFrequency;
  private final int steps;
  private final int segments;

  /**
   * @param counts             examples per worker, each >= 0, at least one > 0
   * @param batchSize          minibatch size, >= 1
   * @param averagingFrequency minibatches per sync step, >= 1
   * @param jobsPerEpoch       wanted Spark jobs per epoch, >= 1 (fewer if there are fewer steps)
   * @throws IllegalArgumentException for a value out of range, naming it
   */
  public SyncPlan(int[] counts, int batchSize, int averagingFrequency, int jobsPerEpoch) {
    if (counts.length == 0) {
      throw new IllegalArgumentException("counts must name at least one worker");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    if (averagingFrequency < 1) {
      throw new IllegalArgumentException("averagingFrequency must be at least 1, got " + averagingFrequency);
    }
    if (jobsPerEpoch < 1) {
      throw new IllegalArgumentException("jobsPerEpoch must be at least 1, got " + jobsPerEpoch);
    }
    int maxBatches = 0;
    long total = 0;
    for (int w = 0; w < counts.length; w++) {
      if (counts[w] < 0) {
        throw new IllegalArgumentException("worker " + w + " has a negative example count " + counts[w]);
      }
      total += counts[w];
      maxBatches = Math.max(maxBatches, batches(counts[w], batchSize));
    }
    if (total == 0) {
      throw new IllegalArgumentException("no worker holds any example");
    }
    this.counts = counts.clone();
    this.batchSize = batchSize;
    this.averagingFrequency = averagingFrequency;
    this.steps = (maxBatches + averagingFrequency - 1) / averagingFrequency;
    this.segments = Math.min(jobsPerEpoch, steps);
  }

  /** Minibatches of {@code batchSize} needed for {@code count} examples. */
  public static int batches(int count, int batchSize) {
    return (count + batchSize - 1) / batchSize;
  }

  /** Sync steps in one epoch. */
  public int steps() {
    return steps;
  }

  /** Spark jobs in one epoch. */
  public int segments() {
    return segments;
  }

  /** Workers. */
  public int workers() {
    return counts.length;
  }

  /** Examples held by worker {@code w}. */
  public int count(int w) {
    return counts[w];
  }

  /** Examples over all workers. */
  public long totalExamples() {
    long t = 0;
    for (int c : counts) {
      t += c;
    }
    return t;
  }

  public int batchSize() {
    return batchSize;
  }

  public int averagingFrequency() {
    return averagingFrequency;
  }

  /** First sync step of segment {@code s} (inclusive); {@code segmentStart(segments())} is {@link #steps()}. */
  public int segmentStart(int s) {
    return (int) ((long) s * steps / segments);
  }

  /** The segment that contains sync step {@code step}. */
  public int segmentOf(int step) {
    for (int s = 0; s < segments; s++) {
      if (step < segmentStart(s + 1)) {
        return s;
      }
    }
    throw new IllegalArgumentException("step " + step + " is past the epoch's " + steps + " steps");
  }

  /** First minibatch worker {@code w} fits in sync step {@code step} (clamped to its minibatch count). */
  public int firstBatch(int w, int step) {
    long batch = (long) step * averagingFrequency;
    return (int) Math.min(batch, batches(counts[w], batchSize));
  }

  /** One past the last minibatch worker {@code w} fits in sync step {@code step}. */
  public int endBatch(int w, int step) {
    return firstBatch(w, step + 1);
  }

  /** Examples worker {@code w} fits in sync step {@code step}: its weight in that averaging. */
  public int examplesInStep(int w, int step) {
    int from = firstBatch(w, step) * batchSize;
    int to = Math.min(endBatch(w, step) * batchSize, counts[w]);
    return Math.max(0, to - from);
  }
}
