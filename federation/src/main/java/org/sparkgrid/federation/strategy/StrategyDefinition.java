package org.sparkgrid.federation.strategy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a strategy declares about itself, once, in its own class: its type (the request's
 * {@code federation.strategy.type}), how it weights the sites, what it does, its
 * {@link StrategyParameter}s, and how to build it from checked parameters. The strategy it builds
 * carries the rest: its merge on one machine ({@link AggregationStrategy#aggregate(float[], List, StrategyState)})
 * and range by range ({@link AggregationStrategy#aggregateRanges}).
 *
 * <p>Each definition is a public nested class {@code Definition} of its strategy, with a public
 * no-argument constructor, listed in
 * {@code META-INF/services/org.sparkgrid.federation.strategy.StrategyDefinition}: {@link Strategies}
 * finds them with {@link java.util.ServiceLoader}, and the request check, the contract tests and
 * {@code docs/strategies.md} follow from them.
 *
 * <pre>{@code
 * public static final class Definition extends StrategyDefinition {
 *   public Definition() {
 *     super("trimmed-mean", "none", "Coordinate-wise trimmed mean (Yin et al. 2018) ...", TRIM);
 *   }
 *
 *   @Override
 *   AggregationStrategy build(StrategyParams p) {
 *     return new TrimmedMean(p.get(TRIM));
 *   }
 * }
 * }</pre>
 *
 * <p>Every type but one that declares its own {@code clipNorm} (dp-fedavg) also takes the optional
 * {@code clipNorm}: update-norm clipping in front of the strategy ({@link Clipped}).
 */
public abstract class StrategyDefinition {

  /**
   * Update-norm clipping before any strategy that does not declare its own {@code clipNorm}. Private,
   * so that a strategy's own {@code CLIP_NORM} field is not shadowed in its nested Definition.
   */
  private static final StrategyParameter<Double> CLIPPING = StrategyParameter.optionalReal("clipNorm",
      StrategyParameter.Range.greaterThan(0), 1.0,
      "Clips each update to this L2 norm before the strategy sees it; absent, no clipping.");

  private final String type;
  private final String weighting;
  private final String doc;
  private final List<StrategyParameter<?>> declared;
  private final boolean clippable;

  /**
   * @param type       the request's type name, lower case, e.g. {@code trimmed-mean}
   * @param weighting  how the sites' updates are weighted: {@code examples}, {@code none} ...
   * @param doc        what the strategy does, with its reference, one short paragraph
   * @param parameters its own parameters, in the order they are checked
   */
  StrategyDefinition(String type, String weighting, String doc, StrategyParameter<?>... parameters) {
    this.type = Objects.requireNonNull(type, "type");
    this.weighting = Objects.requireNonNull(weighting, "weighting");
    this.doc = Objects.requireNonNull(doc, "doc");
    List<StrategyParameter<?>> all = new ArrayList<>(List.of(parameters));
    this.clippable = all.stream().noneMatch(p -> p.name().equals(CLIPPING.name()));
    if (clippable) {
      all.add(CLIPPING);
    }
    this.declared = Collections.unmodifiableList(all);
  }

  /** Builds the strategy from its checked parameters (read them with {@link StrategyParams#get}). */
  abstract AggregationStrategy build(StrategyParams p);

  /** The request's type name. */
  public final String type() {
    return type;
  }

  /** How the updates are weighted, for the reference. */
  public final String weighting() {
    return weighting;
  }

  /** What the strategy does, for the reference. */
  public final String doc() {
    return doc;
  }

  /** Every parameter the type accepts, in the order they are checked: its own, then {@code clipNorm} if added. */
  public final List<StrategyParameter<?>> parameters() {
    return declared;
  }

  /**
   * The strategy with these request parameters, checked.
   *
   * @param params the request's parameters by name (numbers as Double); null for none
   * @throws org.sparkgrid.core.request.InvalidRequestException naming the first offending parameter
   */
  public final AggregationStrategy create(Map<String, Object> params) {
    StrategyParams p = StrategyParams.read(type, declared, params);
    AggregationStrategy s = build(p);
    Double clipNorm = clippable ? p.get(CLIPPING) : null;
    return clipNorm == null ? s : new Clipped(s, clipNorm);
  }

  /** The fewest parameters to build it with: each required parameter at its example value. */
  public final Map<String, Object> example() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (StrategyParameter<?> p : declared) {
      if (p.required()) {
        m.put(p.name(), ((Number) p.example()).doubleValue());
      }
    }
    return Collections.unmodifiableMap(m);
  }

  @Override
  public String toString() {
    return type + " " + getClass().getName();
  }
}
