package org.sparkgrid.core.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Typed reads of the maps a JSON file parses into; a missing or mistyped value reads as absent. */
final class JsonFields {
  private JsonFields() {}

  /** The object under {@code key}; empty if absent or not an object. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<?, ?> m, String key) {
    Object v = m.get(key);
    return v instanceof Map<?, ?> ? (Map<String, Object>) v : Map.of();
  }

  /** The objects in the list under {@code key}, each read by {@code read}; rows it cannot read are skipped. */
  @SuppressWarnings("unchecked")
  static <T> List<T> list(Map<?, ?> m, String key, Function<Map<String, Object>, T> read) {
    if (!(m.get(key) instanceof List<?> rows)) {
      return null;
    }
    List<T> out = new ArrayList<>();
    for (Object row : rows) {
      if (row instanceof Map<?, ?> r) {
        try {
          out.add(read.apply((Map<String, Object>) r));
        } catch (RuntimeException e) {
          // a row written by another version, or damaged: left out
        }
      }
    }
    return out;
  }

  /** The number under {@code key}; {@code null} if absent or not a number. */
  static Double number(Map<?, ?> m, String key) {
    return m.get(key) instanceof Number n ? n.doubleValue() : null;
  }

  /** The whole number under {@code key}; {@code null} if absent or not a number. */
  static Long whole(Map<?, ?> m, String key) {
    return m.get(key) instanceof Number n ? n.longValue() : null;
  }

  /** The value under {@code key} as text; {@code null} if absent. */
  static String text(Map<?, ?> m, String key) {
    Object v = m.get(key);
    return v == null ? null : v.toString();
  }

  /** The numbers of a list, NaN for anything else; empty if it is not a list. */
  static double[] numbers(Object list) {
    if (!(list instanceof List<?> l)) {
      return new double[0];
    }
    return l.stream().mapToDouble(e -> e instanceof Number n ? n.doubleValue() : Double.NaN).toArray();
  }

  /** Puts {@code value} unless it is null. */
  static void putIfPresent(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}
