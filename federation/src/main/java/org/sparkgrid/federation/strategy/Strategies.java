package org.sparkgrid.federation.strategy;

import java.util.List;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.StrategySpec;

/**
 * Builds the {@link AggregationStrategy} a request's {@code federation.strategy} asks for, checking
 * its parameters. Where to start in this package.
 *
 * <pre>{@code
 * AggregationStrategy s = Strategies.create(new StrategySpec("trimmed-mean", Map.of("trim", 0.2)));
 * Aggregation a = s.aggregate(global, updates, StrategyState.EMPTY);
 * float[] next = a.global();          // the new global parameters
 * StrategyState carry = a.state();    // pass to the next round; checkpoint with carry.toMap()
 * }</pre>
 *
 * <table>
 *   <caption>Types and parameters (numbers; "required" has no default)</caption>
 *   <tr><th>type</th><th>parameters</th><th>weighting</th></tr>
 *   <tr><td>fedavg</td><td>-</td><td>examples</td></tr>
 *   <tr><td>fedavgm</td><td>eta 1 (&gt; 0), momentum 0.9 ([0, 1))</td><td>examples</td></tr>
 *   <tr><td>fedprox</td><td>mu required (&gt;= 0), applied by the sites</td><td>examples</td></tr>
 *   <tr><td>fedadam</td><td>eta 0.1, beta1 0.9, beta2 0.99, tau 1e-9</td><td>examples</td></tr>
 *   <tr><td>fedyogi</td><td>eta 0.01, beta1 0.9, beta2 0.99, tau 1e-3</td><td>examples</td></tr>
 *   <tr><td>fedadagrad</td><td>eta 0.1, beta1 0, tau 1e-9</td><td>examples</td></tr>
 *   <tr><td>median</td><td>-</td><td>none</td></tr>
 *   <tr><td>trimmed-mean</td><td>trim 0.2 ([0, 0.5))</td><td>none</td></tr>
 *   <tr><td>krum</td><td>f required (whole, &gt;= 0)</td><td>-</td></tr>
 *   <tr><td>multi-krum</td><td>f required, m (whole, &gt;= 1; default n - f)</td><td>examples</td></tr>
 *   <tr><td>dp-fedavg</td><td>clipNorm required (&gt; 0), noiseMultiplier required (&gt;= 0),
 *       delta 1e-5 ((0, 1)), seed 0 (whole, &gt;= 0)</td><td>none</td></tr>
 * </table>
 *
 * <p>Every type but dp-fedavg also takes {@code clipNorm} (&gt; 0): update-norm clipping before the
 * strategy ({@link Vectors#clipToNorm}). The eta, beta1 and beta2 of the server optimizers must be
 * in (0, inf), [0, 1) and [0, 1), tau &gt; 0.
 */
public final class Strategies {

  /** The type names, as the request's {@code federation.strategy.type} accepts them. */
  public static final List<String> TYPES = List.of(
      "fedavg", "fedavgm", "fedprox", "fedadam", "fedyogi", "fedadagrad", "median", "trimmed-mean", "krum",
      "multi-krum", "dp-fedavg");

  private static final String POSITIVE = "> 0";
  private static final String NON_NEGATIVE = ">= 0";
  private static final String UNIT = "in [0, 1)";

  private Strategies() {}

  /**
   * The strategy the request asks for.
   *
   * @throws InvalidRequestException (an {@link IllegalArgumentException}) naming the field, e.g.
   *     {@code federation.strategy.trim: must be in [0, 0.5), got 0.6}, for an unknown type, a missing
   *     required parameter, a value out of range or an unknown parameter
   */
  public static AggregationStrategy create(StrategySpec spec) {
    String type = spec.type() == null ? "fedavg" : spec.type();
    StrategyParams p = new StrategyParams(type, spec.params());
    AggregationStrategy s = switch (type) {
      case "fedavg" -> new FedAvg();
      case "fedavgm" -> new FedAvgM(
          p.number("eta", 1.0, x -> x > 0, POSITIVE), p.number("momentum", 0.9, x -> x >= 0 && x < 1, UNIT));
      case "fedprox" -> new FedProx(p.number("mu", null, x -> x >= 0, NON_NEGATIVE));
      case "fedadam" -> new FedAdam(p.number("eta", 0.1, x -> x > 0, POSITIVE), beta(p, "beta1", 0.9),
          beta(p, "beta2", 0.99), p.number("tau", 1e-9, x -> x > 0, POSITIVE));
      case "fedyogi" -> new FedYogi(p.number("eta", 0.01, x -> x > 0, POSITIVE), beta(p, "beta1", 0.9),
          beta(p, "beta2", 0.99), p.number("tau", 1e-3, x -> x > 0, POSITIVE));
      case "fedadagrad" -> new FedAdagrad(p.number("eta", 0.1, x -> x > 0, POSITIVE), beta(p, "beta1", 0.0),
          p.number("tau", 1e-9, x -> x > 0, POSITIVE));
      case "median" -> new CoordinateMedian();
      case "trimmed-mean" -> new TrimmedMean(p.number("trim", 0.2, x -> x >= 0 && x < 0.5, "in [0, 0.5)"));
      case "krum" -> new Krum(type, p.requiredInt("f", 0), 1);
      case "multi-krum" -> {
        int f = p.requiredInt("f", 0);
        yield new Krum(type, f, p.optionalInt("m", 1));
      }
      case "dp-fedavg" -> new DpFedAvg(p.number("clipNorm", null, x -> x > 0, POSITIVE),
          p.number("noiseMultiplier", null, x -> x >= 0, NON_NEGATIVE),
          p.number("delta", 1e-5, x -> x > 0 && x < 1, "in (0, 1)"),
          p.wholeNumber("seed", 0L, 0));
      default -> throw new InvalidRequestException(StrategyParams.PREFIX + "type", type,
          "unknown strategy type \"" + type + "\"; known: " + String.join(", ", TYPES));
    };
    if (!type.equals("dp-fedavg") && p.has("clipNorm")) {
      s = new Clipped(s, p.number("clipNorm", null, x -> x > 0, POSITIVE));
    }
    p.finish();
    return s;
  }

  /**
   * {@link #create(StrategySpec)} for the federation's strategy, then the rule between the strategy
   * and {@code minSites}: Krum and Multi-Krum need {@code minSites >= 2f + 3}, or a round could pass
   * the minimum and still be too small to merge.
   *
   * @throws InvalidRequestException as {@link #create(StrategySpec)}, or naming
   *     {@code federation.minSites} when it is below the strategy's {@link AggregationStrategy#minUpdates()}
   */
  public static AggregationStrategy create(FederationSpec federation) {
    AggregationStrategy s = create(federation.strategy());
    if (federation.minSites() < s.minUpdates()) {
      throw new InvalidRequestException("federation.minSites", Integer.toString(federation.minSites()),
          "must be at least " + s.minUpdates() + " for " + s.type() + " (2f + 3 updates), got " + federation.minSites());
    }
    return s;
  }

  /** FedAvg, weighted by examples: also what contribution scoring uses by default. */
  public static AggregationStrategy fedAvg() {
    return new FedAvg();
  }

  private static double beta(StrategyParams p, String name, double defaultValue) {
    return p.number(name, defaultValue, x -> x >= 0 && x < 1, UNIT);
  }
}
