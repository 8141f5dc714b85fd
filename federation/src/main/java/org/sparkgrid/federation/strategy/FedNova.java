package org.sparkgrid.federation.strategy;

import java.util.List;
import java.util.Map;

/**
 * FedNova (Wang et al. 2020, "Tackling the Objective Inconsistency Problem in Heterogeneous
 * Federated Optimization"), type {@code fednova}, parameter {@code eta} (server learning rate, > 0,
 * default 1): FedAvg normalized for the different number of local steps of unequal sites, so that a
 * site that took many steps does not pull the model towards its own optimum. With {@code p_i} the
 * example weights {@code n_i / sum n}, {@code tau_i} update {@code i}'s local steps and
 * {@code delta_i} its delta:
 * <pre>
 *   d_i     = delta_i / tau_i                  (the normalized update, a_i = [1 ... 1] for SGD)
 *   tau_eff = sum_i p_i tau_i
 *   global  = global + eta * tau_eff * sum_i p_i d_i
 * </pre>
 * With equal local steps it is FedAvg (times {@code eta}). Stateless.
 *
 * <p><b>What the site must send:</b> its delta as today, and its local steps {@code tau_i}
 * ({@link SiteUpdate#localSteps()}): {@code ||a_i||_1} of the paper, which for plain local SGD is
 * the number of local mini-batch steps it took this round (batches per epoch times local epochs);
 * for local SGD with momentum {@code rho} it is
 * {@code (tau_i - rho (1 - rho^tau_i) / (1 - rho)) / (1 - rho)} (the paper's section 4). The site
 * applies nothing new while it trains; the normalization is the server's. An update without local
 * steps (0) is refused.
 *
 * <p>Example, by hand: sites of 1 and 3 local steps, one example each, deltas 1 and 6:
 * {@code d = (1, 2)}, mean 1.5, {@code tau_eff = 2}, step 3 (FedAvg would step 3.5).
 */
final class FedNova implements AggregationStrategy {

  static final StrategyParameter<Double> ETA = StrategyParameter.real("eta", 1.0, StrategyParameter.Range.greaterThan(0),
      "Server learning rate; 1 is the paper's FedNova.");

  /** Type {@code fednova}, parameter {@code eta}. */
  public static final class Definition extends StrategyDefinition {
    public Definition() {
      super("fednova", "examples", "FedNova (Wang et al. 2020): each delta divided by its site's local steps tau_i,"
          + " example-weighted mean, times tau_eff = the example-weighted mean of tau_i; global += eta * that."
          + " Needs each update's local steps from the site. Stateless.", ETA);
    }

    @Override
    AggregationStrategy build(StrategyParams p) {
      return new FedNova(p.get(ETA));
    }
  }

  private final double eta;

  FedNova(double eta) {
    this.eta = eta;
  }

  /** The sites must report their local steps. */
  @Override
  public boolean needsLocalSteps() {
    return true;
  }

  @Override
  public String type() {
    return "fednova";
  }

  /** @throws IllegalArgumentException if an update reports no local steps, naming its site */
  @Override
  public Aggregation aggregate(float[] global, List<SiteUpdate> updates, StrategyState state) {
    UpdateFacts facts = UpdateFacts.of(updates);
    double[] scales = scales(facts);
    List<SiteUpdate> normalized = new java.util.ArrayList<>(updates.size());
    for (int k = 0; k < updates.size(); k++) {
      normalized.add(updates.get(k).withDelta(scaled(updates.get(k).delta(), scales[k])));
    }
    return step(global, FedAvg.meanDelta(global, normalized), facts, state);
  }

  /** Plan: the ranges scaled by {@code 1 / tau_i}, one pass of the example-weighted mean; the step on the caller. */
  @Override
  public Aggregation aggregateRanges(float[] global, UpdateFacts facts, StrategyState state, UpdateRanges ranges) {
    float[] d = ShardedAggregation.mean(ranges.scaled(scales(facts)), facts.examples(),
        ShardedAggregation.all(facts.count()));
    return step(global, d, facts, state);
  }

  /** {@code 1 / tau_i} of every update. */
  private static double[] scales(UpdateFacts facts) {
    double[] out = new double[facts.count()];
    for (int k = 0; k < out.length; k++) {
      long tau = facts.localSteps()[k];
      if (tau < 1) {
        throw new IllegalArgumentException("fednova needs each update's local steps: site " + facts.siteIds().get(k)
            + " reported " + tau + " (the site task must send the number of local steps it took)");
      }
      out[k] = 1.0 / tau;
    }
    return out;
  }

  /** {@code v * scale}, each value rounded to float, as {@link UpdateSlice#scaled} does. */
  private static float[] scaled(float[] v, double scale) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * scale);
    }
    return out;
  }

  /** The server step from the mean normalized update {@code d}: {@code global + eta * tau_eff * d}. */
  private Aggregation step(float[] global, float[] d, UpdateFacts facts, StrategyState state) {
    double weighted = 0;
    double total = 0;
    for (int k = 0; k < facts.count(); k++) {
      weighted += (double) facts.examples()[k] * facts.localSteps()[k];
      total += facts.examples()[k];
    }
    double tauEff = weighted / total;
    float[] next = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      next[i] = (float) (global[i] + eta * tauEff * d[i]);
    }
    return new Aggregation(next, state.next(Map.of()));
  }
}
