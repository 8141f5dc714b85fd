package org.sparkgrid.federation.strategy;

import java.util.Objects;

/**
 * One parameter of a strategy, declared once beside the strategy (a field of its class) with its
 * name in {@code federation.strategy}, its type, default, valid range and doc, in the spirit of Spark
 * ML's {@code Param}. The request check ({@link StrategyParams}), the registry's contract test and
 * the reference in {@code docs/strategies.md} all read these declarations.
 *
 * <pre>{@code
 * static final StrategyParameter<Double> TRIM = StrategyParameter.real("trim", 0.2, Range.closedOpen(0, 0.5),
 *     "The fraction cut from each side of every coordinate.");
 * }</pre>
 *
 * @param name         the field's name in {@code federation.strategy}
 * @param kind         how the JSON number is read
 * @param defaultValue the value when absent; null when the parameter is required or optional without a default
 * @param required     whether a request must set it
 * @param range        the valid values (for whole numbers, also whole)
 * @param example      a valid value: the default, or for a parameter without one a value that tests
 *                     build the strategy with
 * @param doc          what it means, one or two sentences
 * @param <T>          {@link Double} for {@link Kind#REAL}, {@link Integer} for {@link Kind#INT},
 *                     {@link Long} for {@link Kind#LONG}
 */
public record StrategyParameter<T>(String name, Kind kind, T defaultValue, boolean required, Range range, T example,
    String doc) {

  /** How a parameter's JSON number is read. */
  public enum Kind {
    /** A finite double. */
    REAL,
    /** A whole number that fits in an int. */
    INT,
    /** A whole number of at most 2^53 in magnitude (exact in a JSON double). */
    LONG;

    /** Whether the value must be whole. */
    public boolean whole() {
      return this != REAL;
    }
  }

  /**
   * @throws NullPointerException if a field but {@code defaultValue} is null
   * @throws IllegalArgumentException if a required parameter has a default, or the default or example
   *     is not valid
   */
  public StrategyParameter {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(example, "example");
    Objects.requireNonNull(doc, "doc");
    if (required && defaultValue != null) {
      throw new IllegalArgumentException(name + ": a required parameter has no default");
    }
    for (T v : java.util.Arrays.asList(defaultValue, example)) {
      if (v != null && !valid(kind, range, ((Number) v).doubleValue())) {
        throw new IllegalArgumentException(name + ": " + v + " is not " + rangeText(kind, range));
      }
    }
  }

  /** A real number with a default. */
  public static StrategyParameter<Double> real(String name, double defaultValue, Range range, String doc) {
    return new StrategyParameter<>(name, Kind.REAL, defaultValue, false, range, defaultValue, doc);
  }

  /** A real number the request must set; {@code example} is a valid value for tests. */
  public static StrategyParameter<Double> requiredReal(String name, Range range, double example, String doc) {
    return new StrategyParameter<>(name, Kind.REAL, null, true, range, example, doc);
  }

  /** A real number without a default: absent, the feature it turns on is off. */
  public static StrategyParameter<Double> optionalReal(String name, Range range, double example, String doc) {
    return new StrategyParameter<>(name, Kind.REAL, null, false, range, example, doc);
  }

  /** A whole number (int) at least {@code min} that the request must set. */
  public static StrategyParameter<Integer> requiredInt(String name, int min, int example, String doc) {
    return new StrategyParameter<>(name, Kind.INT, null, true, Range.atLeast(min), example, doc);
  }

  /** A whole number (int) at least {@code min} without a default (the doc says what absent means). */
  public static StrategyParameter<Integer> optionalInt(String name, int min, int example, String doc) {
    return new StrategyParameter<>(name, Kind.INT, null, false, Range.atLeast(min), example, doc);
  }

  /** A whole number (long) at least {@code min} with a default. */
  public static StrategyParameter<Long> wholeNumber(String name, long defaultValue, long min, String doc) {
    return new StrategyParameter<>(name, Kind.LONG, defaultValue, false, Range.atLeast(min), defaultValue, doc);
  }

  /** The valid values as the refusals word them: {@code > 0}, {@code in [0, 1)}, {@code a whole number >= 1}. */
  public String rangeText() {
    return rangeText(kind, range);
  }

  /** Whether {@code x} is valid, the int bound of {@link Kind#INT} aside. */
  boolean valid(double x) {
    return valid(kind, range, x);
  }

  private static boolean valid(Kind kind, Range range, double x) {
    return Double.isFinite(x) && range.test(x) && (!kind.whole() || (x == Math.rint(x) && Math.abs(x) <= 1L << 53));
  }

  private static String rangeText(Kind kind, Range range) {
    return kind.whole() ? "a whole number " + range.text() : range.text();
  }

  /**
   * An interval of real numbers, each end open or closed, the upper one possibly infinite.
   *
   * @param min          lower end
   * @param minInclusive whether {@code min} itself is valid
   * @param max          upper end, {@link Double#POSITIVE_INFINITY} for none
   * @param maxInclusive whether {@code max} itself is valid
   */
  public record Range(double min, boolean minInclusive, double max, boolean maxInclusive) {

    /** {@code (min, inf)}. */
    public static Range greaterThan(double min) {
      return new Range(min, false, Double.POSITIVE_INFINITY, false);
    }

    /** {@code [min, inf)}. */
    public static Range atLeast(double min) {
      return new Range(min, true, Double.POSITIVE_INFINITY, false);
    }

    /** {@code [min, max)}. */
    public static Range closedOpen(double min, double max) {
      return new Range(min, true, max, false);
    }

    /** {@code (min, max)}. */
    public static Range open(double min, double max) {
      return new Range(min, false, max, false);
    }

    /** Whether {@code x} lies in the interval (false for NaN). */
    public boolean test(double x) {
      return (minInclusive ? x >= min : x > min) && (maxInclusive ? x <= max : x < max);
    }

    /** {@code > 0}, {@code >= 0}, {@code in [0, 0.5)}, {@code in (0, 1)}. */
    public String text() {
      if (max == Double.POSITIVE_INFINITY) {
        return (minInclusive ? ">= " : "> ") + StrategyParams.number(min);
      }
      return "in " + (minInclusive ? "[" : "(") + StrategyParams.number(min) + ", " + StrategyParams.number(max)
          + (maxInclusive ? "]" : ")");
    }

    /** A value just outside the interval, below it: what a contract test expects to be refused. */
    public double below() {
      return minInclusive ? min - 1 : min;
    }
  }
}
