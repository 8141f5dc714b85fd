package org.sparkgrid.federation.strategy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.sparkgrid.federation.privacy.GaussianNoise;
import org.sparkgrid.federation.privacy.RdpAccountant;

/**
 * DP-FedAvg with server-side Gaussian noise (McMahan et al. 2018, "Learning Differentially Private
 * Recurrent Language Models"), type {@code dp-fedavg}. Parameters: {@code clipNorm} C (> 0,
 * required), {@code noiseMultiplier} z (>= 0, required), {@code delta} (the delta at which epsilon
 * is reported, in (0, 1), default 1e-5) and {@code epsilonBudget} (> 0, optional: the most epsilon
 * the run may spend).
 *
 * <p>Each round, with {@code n} updates:
 * <pre>
 *   d_k    = clip(delta_k, C)                      each update scaled to L2 norm at most C
 *   global = global + (1/n) * sum_k d_k + N(0, (z * C / n)^2) per coordinate
 * </pre>
 * The mean is <b>unweighted</b>: with example weights one site could move the mean by more than
 * {@code C / n}, and the noise would no longer cover it. The noise comes from
 * {@link GaussianNoise#secure()}, a {@link java.security.SecureRandom}: no request field seeds it,
 * so nobody can predict and subtract it, and a retried or resumed round draws fresh noise (only the
 * checkpointed rounds' models ever leave the coordinator, and those are the rounds accounted). It is
 * drawn on the caller for the whole vector in {@link #finish}, after the sum, so the merge on one
 * machine and the merge range by range add the same noise to the same coordinate whenever they draw
 * from the same bits: with {@link #withTestSeed}, which only tests of this package can reach.
 *
 * <p>Privacy is per site (site-level DP), accounted by {@link #epsilon} with {@link RdpAccountant};
 * the accountant assumes the noise's {@code n} is the number of sites sampled, so a round should not
 * run with far fewer updates than sampled. {@link #checkBudget} refuses a round that would take
 * epsilon over {@code epsilonBudget}.
 */
public final class DpFedAvg implements AggregationStrategy {

  static final StrategyParameter<Double> CLIP_NORM = StrategyParameter.requiredReal("clipNorm",
      StrategyParameter.Range.greaterThan(0), 100.0, "C: each update is clipped to this L2 norm.");
  static final StrategyParameter<Double> NOISE_MULTIPLIER = StrategyParameter.requiredReal("noiseMultiplier",
      StrategyParameter.Range.atLeast(0), 0.0, "z: the noise's standard deviation is z * C / n.");
  static final StrategyParameter<Double> DELTA = StrategyParameter.real("delta", 1e-5,
      StrategyParameter.Range.open(0, 1), "The delta at which epsilon is reported each round.");
  static final StrategyParameter<Double> EPSILON_BUDGET = StrategyParameter.optionalReal("epsilonBudget",
      StrategyParameter.Range.greaterThan(0), 8.0, "The most epsilon (at delta) the run may spend: it fails, naming"
          + " the budget and the epsilon it would reach, before a round that would exceed it; absent, no limit.");

  /** Type {@code dp-fedavg}, parameters {@code clipNorm}, {@code noiseMultiplier}, {@code delta}, {@code epsilonBudget}. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("dp-fedavg", "none", "DP-FedAvg (McMahan et al. 2018): the unweighted mean of the clipped deltas plus"
          + " Gaussian noise N(0, (z * C / n)^2) per coordinate from a SecureRandom; site-level differential"
          + " privacy, epsilon at delta reported each round by the RDP accountant (federation.fraction as the"
          + " sampling rate).", CLIP_NORM, NOISE_MULTIPLIER, DELTA, EPSILON_BUDGET);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new DpFedAvg(p.get(CLIP_NORM), p.get(NOISE_MULTIPLIER), p.get(DELTA), p.get(EPSILON_BUDGET), null);
    }
  }

  private final double clipNorm;
  private final double noiseMultiplier;
  private final double delta;
  private final Double epsilonBudget;
  /** Null in production: the noise is secure. Set only by {@link #withTestSeed}. */
  private final Long testSeed;

  private DpFedAvg(double clipNorm, double noiseMultiplier, double delta, Double epsilonBudget, Long testSeed) {
    this.clipNorm = clipNorm;
    this.noiseMultiplier = noiseMultiplier;
    this.delta = delta;
    this.epsilonBudget = epsilonBudget;
    this.testSeed = testSeed;
  }

  /**
   * This strategy with reproducible noise, a function of {@code (seed, round)}: for tests that compare
   * two merge paths. Package-private on purpose: no request field, parameter or configuration key
   * reaches it, and production code never calls it.
   */
  DpFedAvg withTestSeed(long seed) {
    return new DpFedAvg(clipNorm, noiseMultiplier, delta, epsilonBudget, seed);
  }

  @Override
  public String type() {
    return "dp-fedavg";
  }

  @Override
  public Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    Vectors.checkUpdates(global, updates);
    double[] sum = new double[global.length];
    for (SiteUpdate u : updates) {
      float[] d = Vectors.clipToNorm(u.delta(), clipNorm);
      for (int i = 0; i < sum.length; i++) {
        sum[i] += d[i];
      }
    }
    return finish(global, sum, updates.size(), state);
  }

  /**
   * Plan: one pass for the squared norms, one for the sum of the clipped deltas; then the mean and
   * the noise on the caller.
   */
  @Override
  public Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges) {
    double[] scales = ShardedAggregation.clipScales(ranges, clipNorm);
    double[] sum = ShardedAggregation.concat(ranges.scaled(scales).map(ShardedAggregation.columnSum()));
    return finish(global, sum, facts.count(), state);
  }

  /** The mean of {@code n} clipped deltas from their sum, plus this round's noise, added to {@code global}. */
  Aggregation finish(float[] global, double[] sum, int n, StrategyState state) {
    double std = noiseStd(n);
    double[] noise = std == 0 ? new double[global.length]
        : GaussianNoise.standardNormals(global.length, bits(state.rounds()));
    float[] next = new float[global.length];
    for (int i = 0; i < next.length; i++) {
      next[i] = (float) (global[i] + sum[i] / n + std * noise[i]);
    }
    return new Aggregation(next, state.next(Map.of()));
  }

  /** Where this round's noise comes from: the secure source, or with a test seed, {@code (seed, round)}. */
  private RandomGenerator bits(long round) {
    return testSeed == null ? GaussianNoise.secure() : new SplittableRandom(testSeed * 0x9E3779B97F4A7C15L + round);
  }

  /** The noise's standard deviation with {@code n} updates: {@code z * C / n}. */
  public double noiseStd(int n) {
    return noiseMultiplier * clipNorm / n;
  }

  /**
   * Epsilon spent after {@code rounds} rounds at this strategy's {@code delta}, by
   * {@link RdpAccountant#epsilon(double, double, long, double)}.
   *
   * @param samplingRate the fraction of sites sampled each round, {@code federation.fraction}
   * @throws IllegalArgumentException if {@code samplingRate} is not in [0, 1] or {@code rounds} is negative
   */
  public double epsilon(double samplingRate, long rounds) {
    return RdpAccountant.epsilon(samplingRate, noiseMultiplier, rounds, delta).epsilon();
  }

  /**
   * Refuses to run round {@code round} (0-based) if it would take epsilon over {@code epsilonBudget};
   * without a budget, does nothing.
   *
   * @param samplingRate the fraction of sites sampled each round, {@code federation.fraction}
   * @throws IllegalStateException naming the budget, the round (1-based, as the console counts) and the
   *     epsilon it would reach
   */
  public void checkBudget(double samplingRate, int round) {
    if (epsilonBudget == null) {
      return;
    }
    double next = epsilon(samplingRate, round + 1L);
    if (next > epsilonBudget) {
      throw new IllegalStateException(String.format(java.util.Locale.ROOT,
          "federation.strategy.epsilonBudget is %s: round %d would bring epsilon to %.4f at delta %s"
              + " (noiseMultiplier %s, fraction %s); the federation stops before round %d",
          epsilonBudget, round + 1, next, delta, noiseMultiplier, samplingRate, round + 1));
    }
  }

  /** The most epsilon the run may spend; empty without a budget. */
  public java.util.OptionalDouble epsilonBudget() {
    return epsilonBudget == null ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(epsilonBudget);
  }

  /** C. */
  public double clipNorm() {
    return clipNorm;
  }

  /** z. */
  public double noiseMultiplier() {
    return noiseMultiplier;
  }

  /** The delta at which epsilon is reported. */
  public double delta() {
    return delta;
  }
}
