package org.sparkgrid.federation.strategy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.sparkgrid.core.request.InvalidRequestException;

/**
 * One strategy's parameters read from the request against its declared {@link StrategyParameter}s,
 * each checked where it is declared, in declaration order; then any parameter the strategy does not
 * declare is refused. Messages name the field and the value:
 * {@code federation.strategy.trim: must be in [0, 0.5), got 0.6}.
 */
final class StrategyParams {

  static final String PREFIX = "federation.strategy.";

  private final Map<String, Object> values = new HashMap<>();

  private StrategyParams() {}

  /**
   * Reads and checks every declared parameter, then refuses undeclared ones.
   *
   * @param type     the strategy type, for messages
   * @param declared the type's parameters, in the order they are checked
   * @param params   the request's parameters by name (null for none)
   * @throws InvalidRequestException naming the first offending parameter and its value
   */
  static StrategyParams read(String type, List<StrategyParameter<?>> declared, Map<String, Object> params) {
    Map<String, Object> given = params == null ? Map.of() : params;
    StrategyParams out = new StrategyParams();
    for (StrategyParameter<?> p : declared) {
      out.values.put(p.name(), value(type, p, given.get(p.name())));
    }
    for (String name : given.keySet()) {
      if (!out.values.containsKey(name)) {
        String hint = name.equals("eta_l")
            ? "; the sites' learning rate is training.updater.learningRate"
            : "; known: " + String.join(", ", new TreeSet<>(out.values.keySet()));
        throw new InvalidRequestException(PREFIX + name, String.valueOf(given.get(name)),
            "unknown parameter for " + type + hint);
      }
    }
    return out;
  }

  /**
   * The parameter's value: as given, or its default; null for an optional parameter without a
   * default that the request does not set.
   *
   * @throws IllegalArgumentException if {@code p} is not one of the parameters read (a programming error)
   */
  @SuppressWarnings("unchecked")
  <T> T get(StrategyParameter<T> p) {
    if (!values.containsKey(p.name())) {
      throw new IllegalArgumentException("parameter " + p.name() + " is not declared by this strategy");
    }
    return (T) values.get(p.name());
  }

  private static Object value(String type, StrategyParameter<?> p, Object v) {
    String field = PREFIX + p.name();
    if (v == null) {
      if (p.required()) {
        throw new InvalidRequestException(field, null, "is required for " + type + " (" + p.rangeText() + ")");
      }
      return p.defaultValue();
    }
    if (!(v instanceof Number n)) {
      throw new InvalidRequestException(field, String.valueOf(v), "must be a number, got " + shown(v));
    }
    double d = n.doubleValue();
    if (!p.valid(d)) {
      throw new InvalidRequestException(field, number(d), "must be " + p.rangeText() + ", got " + number(d));
    }
    return switch (p.kind()) {
      case REAL -> d;
      case LONG -> (long) d;
      case INT -> {
        if (d > Integer.MAX_VALUE) {
          throw new InvalidRequestException(field, number(d), "must be at most " + Integer.MAX_VALUE + ", got " + number(d));
        }
        yield (int) d;
      }
    };
  }

  /** A double without a needless ".0": {@code 1}, {@code 0.6}, {@code 1.0E-7}. */
  static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private static String shown(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }
}
