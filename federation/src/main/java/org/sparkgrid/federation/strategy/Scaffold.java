package org.sparkgrid.federation.strategy;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SCAFFOLD (Karimireddy et al. 2020, "SCAFFOLD: Stochastic Controlled Averaging for Federated
 * Learning"), type {@code scaffold}, parameters {@code eta} (server learning rate {@code eta_g}, > 0,
 * default 1) and {@code sites} (N, the federation's number of sites; absent, the round's number of
 * updates, i.e. every site takes part). Control variates correct each site's local steps for the
 * drift between its gradient and the federation's. With {@code S} the round's updates,
 * {@code delta_i = y_i - x} and {@code dc_i = c_i+ - c_i} what site {@code i} sends:
 * <pre>
 *   global = global + eta * sum_i p_i delta_i          (p_i = n_i / sum n, example weights)
 *   c      = c + (1 / N) * sum_{i in S} dc_i  =  c + (|S| / N) * mean_{i in S} dc_i   (unweighted, as the paper)
 *   c_i    = c_i + dc_i                                  (for each i in S; c and c_i start at 0)
 * </pre>
 * The model mean is weighted by examples like every other strategy here (the paper's is unweighted,
 * which equal counts give); {@code c} stays the unweighted mean of all N {@code c_i}, as the paper
 * keeps it. State: vector {@code c} (the server's control variate) and one vector
 * {@code c/<siteId>} per site that has taken part ({@link #siteControl}), so that sites need keep
 * nothing between rounds and a resumed federation continues exactly ({@link StrategyState#toMap}).
 *
 * <p><b>What the site task must receive, apply and send</b> (the spark-jobs wiring; the helpers
 * below are the math, as pure functions):
 * <ol>
 *   <li>receive {@code c = serverControl(state, n)} and its own {@code c_i = siteControl(state, id, n)}
 *       with the global parameters {@code x};</li>
 *   <li>train from {@code y = x} for {@code K} local steps of learning rate {@code lr}, each step
 *       {@code y <- y - lr * (g - c_i + c)} with {@code g} the mini-batch gradient at {@code y}
 *       ({@link #correctedGradient}); plain SGD, since the correction is a gradient's;</li>
 *   <li>compute {@code delta = y - x} and, by option II of the paper,
 *       {@code c_i+ = c_i - c + (x - y) / (K * lr)}, i.e. {@code dc_i = c_i+ - c_i = -c - delta / (K * lr)}
 *       ({@link #controlDeltaOptionII});</li>
 *   <li>send {@code delta}, its example count, {@code dc_i} ({@link SiteUpdate#controlDelta()}) and
 *       {@code K} ({@link SiteUpdate#localSteps()}), {@code dc_i} signed with the delta.</li>
 * </ol>
 * An update without a control-variate delta is refused.
 *
 * <p>Example, by hand: 2 of N = 4 sites take part, {@code c = 0.4}, they send {@code dc = 0.2} and
 * {@code 0.6}: {@code c = 0.4 + (2 / 4) * 0.4 = 0.6}.
 */
public final class Scaffold implements AggregationStrategy {

  /** The name of the server's control variate in {@link StrategyState}. */
  public static final String C = "c";

  /** The prefix of a site's control variate in {@link StrategyState}: {@code c/<siteId>}. */
  public static final String SITE_PREFIX = "c/";

  static final StrategyParameter<Double> ETA = StrategyParameter.real("eta", 1.0, StrategyParameter.Range.greaterThan(0),
      "Server learning rate eta_g; 1 as in the paper's experiments.");
  static final StrategyParameter<Integer> SITES = StrategyParameter.optionalInt("sites", 1, 4,
      "N, the federation's number of sites: c moves by the sum of the control deltas over N; absent, the round's"
          + " number of updates (every site takes part).");

  /** Type {@code scaffold}, parameters {@code eta} and {@code sites}. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("scaffold", "examples (c: unweighted over N sites)", "SCAFFOLD (Karimireddy et al. 2020):"
          + " global += eta * mean delta; c += sum of the sites' control deltas / N; c_i += its control delta."
          + " Needs each site's control delta (option II) and corrected local steps y -= lr * (g - c_i + c)."
          + " State: vector c and one vector c/siteId per site.", ETA, SITES);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new Scaffold(p.get(ETA), p.get(SITES));
    }
  }

  private final double eta;
  private final Integer sites;

  Scaffold(double eta, Integer sites) {
    this.eta = eta;
    this.sites = sites;
  }

  /** The sites must train with the control variates and send their control-variate delta. */
  @Override
  public boolean needsControlVariates() {
    return true;
  }

  @Override
  public String type() {
    return "scaffold";
  }

  /**
   * @throws IllegalArgumentException if an update has no control delta, one of another length, or two
   *     updates come from the same site
   * @throws IllegalStateException if there are more updates than {@code sites}, or a state vector's
   *     length differs from {@code global}'s
   */
  @Override
  public Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    return step(global, FedAvg.meanDelta(global, updates), UpdateFacts.of(updates), state);
  }

  /** Plan: one pass, the example-weighted mean delta; the control variates from the facts on the caller. */
  @Override
  public Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges) {
    checkFacts(facts, global.length);
    return step(global, ShardedAggregation.mean(ranges, facts.examples(), ShardedAggregation.all(facts.count())), facts,
        state);
  }

  private Aggregation step(float[] global, float[] d, UpdateFacts facts, StrategyState state) {
    checkFacts(facts, global.length);
    int n = sites == null ? facts.count() : sites;
    if (facts.count() > n) {
      throw new IllegalStateException("scaffold: " + facts.count() + " updates in one round but sites is " + n
          + "; sites must be the federation's number of sites");
    }
    float[] next = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      next[i] = (float) (global[i] + eta * d[i]);
    }
    double[] sum = new double[d.length];
    for (float[] dc : facts.controlDeltas()) {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += dc[i];
      }
    }
    float[] c0 = Vectors.stateVector(state, C, d.length);
    float[] c = new float[d.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = (float) ((c0 == null ? 0 : c0[i]) + sum[i] / n);
    }
    Map<String, float[]> vectors = new LinkedHashMap<>();
    vectors.put(C, c);
    state.vectors().forEach((name, v) -> {
      if (name.startsWith(SITE_PREFIX)) {
        vectors.put(name, v);
      }
    });
    for (int k = 0; k < facts.count(); k++) {
      String name = SITE_PREFIX + facts.siteIds().get(k);
      float[] ci = Vectors.stateVector(state, name, d.length);
      float[] dc = facts.controlDeltas().get(k);
      float[] updated = new float[d.length];
      for (int i = 0; i < updated.length; i++) {
        updated[i] = (ci == null ? 0 : ci[i]) + dc[i];
      }
      vectors.put(name, updated);
    }
    return new Aggregation(next, state.next(vectors));
  }

  private static void checkFacts(UpdateFacts facts, int length) {
    Set<String> seen = new HashSet<>();
    for (int k = 0; k < facts.count(); k++) {
      String site = facts.siteIds().get(k);
      if (!seen.add(site)) {
        throw new IllegalArgumentException("scaffold: site " + site + " sent two updates in one round");
      }
      float[] dc = facts.controlDeltas().get(k);
      if (dc == null) {
        throw new IllegalArgumentException("scaffold needs each update's control-variate delta: site " + site
            + " sent none (the site task must send c_i+ - c_i)");
      }
      if (dc.length != length) {
        throw new IllegalArgumentException("scaffold: the control-variate delta of site " + site + " has " + dc.length
            + " values but the global parameters have " + length);
      }
    }
  }

  /** The server's control variate {@code c} in {@code state}: zeros before the first round. */
  public static float[] serverControl(StrategyState state, int length) {
    float[] c = Vectors.stateVector(state, C, length);
    return c == null ? new float[length] : c.clone();
  }

  /** Site {@code siteId}'s control variate {@code c_i} in {@code state}: zeros before it first takes part. */
  public static float[] siteControl(StrategyState state, String siteId, int length) {
    float[] c = Vectors.stateVector(state, SITE_PREFIX + siteId, length);
    return c == null ? new float[length] : c.clone();
  }

  /**
   * The corrected gradient of one local step, {@code g - c_i + c}: the site steps
   * {@code y <- y - lr * correctedGradient(g, ci, c)}.
   *
   * @throws IllegalArgumentException if the lengths differ
   */
  public static float[] correctedGradient(float[] g, float[] ci, float[] c) {
    if (ci.length != g.length || c.length != g.length) {
      throw new IllegalArgumentException("gradient, c_i and c have lengths " + g.length + ", " + ci.length + " and "
          + c.length);
    }
    float[] out = new float[g.length];
    for (int i = 0; i < g.length; i++) {
      out[i] = g[i] - ci[i] + c[i];
    }
    return out;
  }

  /**
   * The control-variate delta a site sends by option II of the paper:
   * {@code c_i+ - c_i = -c - delta / (localSteps * learningRate)}, with {@code delta = y - x}.
   *
   * @throws IllegalArgumentException if the lengths differ, {@code localSteps < 1} or {@code learningRate <= 0}
   */
  public static float[] controlDeltaOptionII(float[] c, float[] delta, long localSteps, double learningRate) {
    if (c.length != delta.length) {
      throw new IllegalArgumentException("c and delta have lengths " + c.length + " and " + delta.length);
    }
    if (localSteps < 1 || !(learningRate > 0)) {
      throw new IllegalArgumentException("localSteps is " + localSteps + " and learningRate " + learningRate
          + "; need localSteps >= 1 and learningRate > 0");
    }
    double k = localSteps * learningRate;
    float[] out = new float[c.length];
    for (int i = 0; i < c.length; i++) {
      out[i] = (float) (-c[i] - delta[i] / k);
    }
    return out;
  }
}
