package org.sparkgrid.federation.strategy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sparkgrid.federation.privacy.RdpAccountant;

/**
 * DP-FedAvg with server-side Gaussian noise (McMahan et al. 2018, "Learning Differentially Private
 * Recurrent Language Models"), type {@code dp-fedavg}. Parameters: {@code clipNorm} C (> 0,
 * required), {@code noiseMultiplier} z (>= 0, required), {@code delta} (the delta at which epsilon
 * is reported, in (0, 1), default 1e-5) and {@code seed} (whole number >= 0, default 0).
 *
 * <p>Each round, with {@code n} updates:
 * <pre>
 *   d_k    = clip(delta_k, C)                      each update scaled to L2 norm at most C
 *   global = global + (1/n) * sum_k d_k + N(0, (z * C / n)^2) per coordinate
 * </pre>
 * The mean is <b>unweighted</b>: with example weights one site could move the mean by more than
 * {@code C / n}, and the noise would no longer cover it. The noise is drawn from a
 * {@link SplittableRandom} seeded by {@code (seed, state.rounds())}, so a retried or resumed round
 * adds the same noise. Privacy is per site (site-level DP), accounted by {@link #epsilon}; the
 * accountant assumes the noise's {@code n} is the number of sites sampled, so a round should not
 * run with far fewer updates than sampled.
 */
public final class DpFedAvg implements AggregationStrategy {

  static final StrategyParameter<Double> CLIP_NORM = StrategyParameter.requiredReal("clipNorm",
      StrategyParameter.Range.greaterThan(0), 100.0, "C: each update is clipped to this L2 norm.");
  static final StrategyParameter<Double> NOISE_MULTIPLIER = StrategyParameter.requiredReal("noiseMultiplier",
      StrategyParameter.Range.atLeast(0), 0.0, "z: the noise's standard deviation is z * C / n.");
  static final StrategyParameter<Double> DELTA = StrategyParameter.real("delta", 1e-5,
      StrategyParameter.Range.open(0, 1), "The delta at which epsilon is reported.");
  static final StrategyParameter<Long> SEED = StrategyParameter.wholeNumber("seed", 0L, 0,
      "Seed of the noise; with the round count it fixes each round's noise, so a retried round adds the same.");

  /** Type {@code dp-fedavg}, parameters {@code clipNorm}, {@code noiseMultiplier}, {@code delta}, {@code seed}. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("dp-fedavg", "none", "DP-FedAvg (McMahan et al. 2018): the unweighted mean of the clipped deltas plus"
          + " Gaussian noise N(0, (z * C / n)^2) per coordinate; site-level differential privacy, epsilon accounted"
          + " by the RDP accountant.", CLIP_NORM, NOISE_MULTIPLIER, DELTA, SEED);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new DpFedAvg(p.get(CLIP_NORM), p.get(NOISE_MULTIPLIER), p.get(DELTA), p.get(SEED));
    }
  }

  private final double clipNorm;
  private final double noiseMultiplier;
  private final double delta;
  private final long seed;

  DpFedAvg(double clipNorm, double noiseMultiplier, double delta, long seed) {
    this.clipNorm = clipNorm;
    this.noiseMultiplier = noiseMultiplier;
    this.delta = delta;
    this.seed = seed;
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
    SplittableRandom random = noise(seed, state.rounds());
    float[] next = new float[global.length];
    for (int i = 0; i < next.length; i++) {
      double noise = std == 0 ? 0 : std * random.nextGaussian();
      next[i] = (float) (global[i] + sum[i] / n + noise);
    }
    return new Aggregation(next, state.next(Map.of()));
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
   */
  public double epsilon(double samplingRate, long rounds) {
    return RdpAccountant.epsilon(samplingRate, noiseMultiplier, rounds, delta).epsilon();
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

  /** The random numbers of one round: a function of the seed and the round count only. */
  static SplittableRandom noise(long seed, long round) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + round);
  }
}
