package org.sparkgrid.jobs.report;

import java.util.List;
import java.util.Map;

/** Typed reads of the loosely typed maps that {@code metrics.json} and {@code lineage.json} parse into. */
final class JsonValues {
  private JsonValues() {}

  /** The map under {@code key}; empty if absent or not an object. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, ?> m, String key) {
    Object v = m == null ? null : m.get(key);
    return v instanceof Map<?, ?> ? (Map<String, Object>) v : Map.of();
  }

  /** The objects in the list under {@code key}, others skipped; empty if absent or not a list. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> maps(Map<String, ?> m, String key) {
    Object v = m == null ? null : m.get(key);
    if (!(v instanceof List<?> l)) {
      return List.of();
    }
    return l.stream().filter(e -> e instanceof Map<?, ?>).map(e -> (Map<String, Object>) e).toList();
  }

  /** The number under {@code key}; NaN if absent or not a number. */
  static double num(Map<String, ?> m, String key) {
    Object v = m == null ? null : m.get(key);
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** The value under {@code key} as text; {@code null} if absent. */
  static String text(Map<String, ?> m, String key) {
    Object v = m == null ? null : m.get(key);
    return v == null ? null : v.toString();
  }

  /** The numbers of a list, NaN for anything else. */
  static double[] numbers(Object list) {
    if (!(list instanceof List<?> l)) {
      return new double[0];
    }
    return l.stream().mapToDouble(e -> e instanceof Number n ? n.doubleValue() : Double.NaN).toArray();
  }
}
