package org.sparkgrid.federation.strategy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.StrategySpec;

/**
 * The registry of aggregation strategies, derived from their declarations: every
 * {@link StrategyDefinition} listed in
 * {@code META-INF/services/org.sparkgrid.federation.strategy.StrategyDefinition}, in that order.
 * Builds the {@link AggregationStrategy} a request's {@code federation.strategy} asks for. Where to
 * start in this package.
 *
 * <pre>{@code
 * AggregationStrategy s = Strategies.create(new StrategySpec("trimmed-mean", Map.of("trim", 0.2)));
 * Aggregation a = s.aggregate(global, updates, StrategyState.EMPTY);
 * float[] next = a.global();          // the new global parameters
 * StrategyState carry = a.state();    // pass to the next round; checkpoint with carry.toMap()
 * }</pre>
 *
 * <p>The types, their parameters (type, default, range) and weighting are listed in
 * {@code docs/strategies.md}, generated from the declarations by {@link #markdownReference()}
 * ({@link StrategyReference}). Adding a strategy: one class with its {@code Definition}, one line
 * in the services file (a test fails if it is missing), and its test.
 */
public final class Strategies {

  private static final Map<String, StrategyDefinition> DEFINITIONS = index(
      ServiceLoader.load(StrategyDefinition.class, StrategyDefinition.class.getClassLoader()));

  private Strategies() {}

  /** Every registered strategy, in the order of the services file (the reference's order). */
  public static List<StrategyDefinition> definitions() {
    return List.copyOf(DEFINITIONS.values());
  }

  /** The type names, as the request's {@code federation.strategy.type} accepts them. */
  public static List<String> types() {
    return List.copyOf(DEFINITIONS.keySet());
  }

  /**
   * The declaration of a type.
   *
   * @throws InvalidRequestException naming {@code federation.strategy.type} for an unknown type
   */
  public static StrategyDefinition definition(String type) {
    StrategyDefinition d = DEFINITIONS.get(type);
    if (d == null) {
      throw new InvalidRequestException(StrategyParams.PREFIX + "type", type,
          "unknown strategy type \"" + type + "\"; known: " + String.join(", ", DEFINITIONS.keySet()));
    }
    return d;
  }

  /**
   * The strategy the request asks for (fedavg when the type is null).
   *
   * @throws InvalidRequestException (an {@link IllegalArgumentException}) naming the field, e.g.
   *     {@code federation.strategy.trim: must be in [0, 0.5), got 0.6}, for an unknown type, a missing
   *     required parameter, a value out of range or an unknown parameter
   */
  public static AggregationStrategy create(StrategySpec spec) {
    String type = spec.type() == null ? "fedavg" : spec.type();
    return definition(type).create(spec.params());
  }

  /**
   * {@link #create(StrategySpec)} for the federation's strategy, then the rule between the strategy
   * and {@code minSites}: a round must be able to merge what the minimum lets through, e.g. Krum and
   * Multi-Krum need {@code minSites >= 2f + 3}.
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

  /**
   * The strategy reference as a Markdown table, one row per type: its weighting, its parameters
   * with type, default and valid values, and its doc. {@code docs/strategies.md} holds it between
   * markers; a test fails when it is stale.
   */
  public static String markdownReference() {
    StringBuilder md = new StringBuilder();
    md.append("| type | weighting | parameters | description |\n");
    md.append("|---|---|---|---|\n");
    for (StrategyDefinition d : DEFINITIONS.values()) {
      List<String> params = new ArrayList<>();
      for (StrategyParameter<?> p : d.parameters()) {
        params.add(parameterCell(p));
      }
      md.append("| `").append(d.type()).append("` | ")
          .append(cell(d.weighting())).append(" | ")
          .append(String.join("<br>", params)).append(" | ")
          .append(cell(d.doc())).append(" |\n");
    }
    return md.toString();
  }

  /** {@code `trim`: number in [0, 0.5), default `0.2`. The fraction ...} */
  private static String parameterCell(StrategyParameter<?> p) {
    String kind = p.kind().whole() ? p.rangeText().replaceFirst("^a ", "") : "number " + p.rangeText();
    String dflt = p.required() ? "required" : p.defaultValue() == null ? "optional"
        : "default `" + new java.math.BigDecimal(p.defaultValue().toString()).stripTrailingZeros().toString().toLowerCase() + "`";
    return cell("`" + p.name() + "`: " + kind + ", " + dflt + ". " + p.doc());
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  /**
   * The definitions by type, in order.
   *
   * @throws IllegalStateException if none is registered or two declare the same type, naming them
   */
  static Map<String, StrategyDefinition> index(Iterable<StrategyDefinition> registered) {
    Map<String, StrategyDefinition> m = new LinkedHashMap<>();
    for (StrategyDefinition d : registered) {
      StrategyDefinition before = m.putIfAbsent(d.type(), d);
      if (before != null) {
        throw new IllegalStateException("strategy type " + d.type() + " is declared twice: by "
            + before.getClass().getName() + " and " + d.getClass().getName());
      }
    }
    if (m.isEmpty()) {
      throw new IllegalStateException("no strategy is registered in META-INF/services/"
          + StrategyDefinition.class.getName());
    }
    return Collections.unmodifiableMap(m);
  }
}
