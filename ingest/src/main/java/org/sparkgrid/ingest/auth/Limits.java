package org.sparkgrid.ingest.auth;

import java.math.BigInteger;

/**
 * What one requester's requests may ask for; a {@code null} limit is no limit. Checked by
 * {@link Authorizer#checkLimits} against each request.
 *
 * @param maxWorkers            most workers at once: {@code engine.workers} times the trials a sweep
 *                              runs at once ({@code sweep.maxConcurrent}, at most its trial count)
 * @param maxGpus               most GPUs at once: those workers times {@code engine.resources.gpus}
 * @param maxRounds             most tree-mode rounds ({@code federation.rounds})
 * @param maxRewardPoolPerRound largest {@code reward.poolPerRound}, in the token's base units
 * @param minFee                smallest fee, in the token's base units (see {@link #fee})
 * @param maxFee                largest fee, in the token's base units
 */
public record Limits(Integer maxWorkers, Integer maxGpus, Integer maxRounds, BigInteger maxRewardPoolPerRound,
    BigInteger minFee, BigInteger maxFee) {

  /** No limit at all. */
  public static final Limits NONE = new Limits(null, null, null, null, null, null);

  /**
   * @throws IllegalArgumentException naming the limit and the value if one is negative, or minFee
   *     is above maxFee
   */
  public Limits {
    atLeast("maxWorkers", maxWorkers, 0);
    atLeast("maxGpus", maxGpus, 0);
    atLeast("maxRounds", maxRounds, 0);
    notNegative("maxRewardPoolPerRound", maxRewardPoolPerRound);
    notNegative("minFee", minFee);
    notNegative("maxFee", maxFee);
    if (minFee != null && maxFee != null && minFee.compareTo(maxFee) > 0) {
      throw new IllegalArgumentException("minFee: must be at most maxFee " + maxFee + ", got " + minFee);
    }
  }

  private static void atLeast(String field, Integer v, int min) {
    if (v != null && v < min) {
      throw new IllegalArgumentException(field + ": must be at least " + min + ", got " + v);
    }
  }

  private static void notNegative(String field, BigInteger v) {
    if (v != null && v.signum() < 0) {
      throw new IllegalArgumentException(field + ": must be at least 0, got " + v);
    }
  }
}
