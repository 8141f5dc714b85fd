package org.sparkgrid.federation.strategy;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoublePredicate;
import org.sparkgrid.core.request.InvalidRequestException;

/**
 * Reads one strategy's parameters from the request, checking each where it is read, and refuses
 * any it did not read ({@link #finish}). Messages name the field and the value:
 * {@code federation.strategy.trim: must be in [0, 0.5), got 0.6}.
 */
final class StrategyParams {

  static final String PREFIX = "federation.strategy.";

  private final String type;
  private final Map<String, Object> params;
  private final Set<String> known = new LinkedHashSet<>();

  StrategyParams(String type, Map<String, Object> params) {
    this.type = type;
    this.params = params == null ? Map.of() : params;
  }

  /** Whether the request sets the parameter. */
  boolean has(String name) {
    known.add(name);
    return params.get(name) != null;
  }

  /**
   * A number in {@code range} (described as in "must be {@code rangeText}"), or
   * {@code defaultValue} when absent; a null default makes it required.
   */
  double number(String name, Double defaultValue, DoublePredicate range, String rangeText) {
    known.add(name);
    Object v = params.get(name);
    if (v == null) {
      if (defaultValue == null) {
        throw new InvalidRequestException(PREFIX + name, null, "is required for " + type + " (" + rangeText + ")");
      }
      return defaultValue;
    }
    if (!(v instanceof Number n)) {
      throw new InvalidRequestException(PREFIX + name, String.valueOf(v), "must be a number, got " + shown(v));
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d) || !range.test(d)) {
      throw new InvalidRequestException(PREFIX + name, number(d), "must be " + rangeText + ", got " + number(d));
    }
    return d;
  }

  /** A whole number >= {@code min}, or {@code defaultValue} when absent; a null default makes it required. */
  long wholeNumber(String name, Long defaultValue, long min) {
    Long v = optionalWholeNumber(name, min);
    if (v != null) {
      return v;
    }
    if (defaultValue == null) {
      number(name, null, x -> true, "a whole number >= " + min); // throws: required
    }
    return defaultValue;
  }

  /** A whole number >= {@code min}, or null when absent. */
  Long optionalWholeNumber(String name, long min) {
    if (!has(name)) {
      return null;
    }
    return (long) number(name, null, x -> x >= min && x == Math.rint(x) && Math.abs(x) <= 1L << 53,
        "a whole number >= " + min);
  }

  /** {@link #optionalWholeNumber} that must fit in an int: also refuses values above {@link Integer#MAX_VALUE}. */
  Integer optionalInt(String name, int min) {
    Long v = optionalWholeNumber(name, min);
    if (v != null && v > Integer.MAX_VALUE) {
      throw new InvalidRequestException(PREFIX + name, Long.toString(v),
          "must be at most " + Integer.MAX_VALUE + ", got " + v);
    }
    return v == null ? null : v.intValue();
  }

  /** {@link #optionalInt}, required. */
  int requiredInt(String name, int min) {
    Integer v = optionalInt(name, min);
    if (v == null) {
      number(name, null, x -> true, "a whole number >= " + min); // throws: required
    }
    return v;
  }

  /**
   * Refuses every parameter that was not read.
   *
   * @throws InvalidRequestException naming the first unknown parameter and listing the known ones
   */
  void finish() {
    for (String name : params.keySet()) {
      if (!known.contains(name)) {
        String hint = name.equals("eta_l")
            ? "; the sites' learning rate is training.updater.learningRate"
            : "; known: " + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known)));
        throw new InvalidRequestException(PREFIX + name, String.valueOf(params.get(name)),
            "unknown parameter for " + type + hint);
      }
    }
  }

  /** A double without a needless ".0": {@code 1}, {@code 0.6}, {@code 1.0E-7}. */
  static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private static String shown(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }
}
