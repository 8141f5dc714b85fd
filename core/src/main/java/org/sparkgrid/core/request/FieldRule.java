package org.sparkgrid.core.request;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One request field's JSON type and single-value check. The same rule reads the field itself and
 * every sweep value for it, so {@code training.batchSize: 0} and
 * {@code sweep.parameters.training.batchSize: [64, 0]} are refused by the same code.
 *
 * <p>{@link #convert} refuses a value of the wrong JSON type and returns the field's Java type
 * ({@link Integer}, {@link Long}, {@link Double} or {@link String}); {@link #check} refuses a value
 * of that type that is out of range.
 */
sealed interface FieldRule permits FieldRule.IntRange, FieldRule.LongRange, FieldRule.RealRange, FieldRule.Choice {

  /**
   * Converts a JSON value to the field's Java type.
   *
   * @throws InvalidRequestException naming {@code path} if the JSON type is wrong
   */
  Object convert(String path, JsonNode node);

  /**
   * Checks a value of the field's Java type (as {@link #convert} returns it).
   *
   * @throws InvalidRequestException naming {@code path} if the value is out of range
   */
  void check(String path, Object value);

  /** {@link #convert}, then {@link #check}. */
  default Object read(String path, JsonNode node) {
    Object value = convert(path, node);
    check(path, value);
    return value;
  }

  /** An int in {@code [min, max]}. */
  record IntRange(int min, int max) implements FieldRule {
    @Override
    public Object convert(String path, JsonNode node) {
      if (!node.isIntegralNumber()) {
        throw new InvalidRequestException(path, Json.text(node), "must be an integer, got " + Json.render(node));
      }
      if (!node.canConvertToInt()) {
        throw new InvalidRequestException(path, Json.text(node), bounds() + ", got " + Json.render(node));
      }
      return node.intValue();
    }

    @Override
    public void check(String path, Object value) {
      int v = (Integer) value;
      if (v < min || v > max) {
        throw new InvalidRequestException(path, String.valueOf(v), bounds() + ", got " + v);
      }
    }

    private String bounds() {
      return max == Integer.MAX_VALUE ? "must be at least " + min : "must be between " + min + " and " + max;
    }
  }

  /** A long in {@code [min, max]}. */
  record LongRange(long min, long max) implements FieldRule {
    @Override
    public Object convert(String path, JsonNode node) {
      if (!node.isIntegralNumber()) {
        throw new InvalidRequestException(path, Json.text(node), "must be an integer, got " + Json.render(node));
      }
      if (!node.canConvertToLong()) {
        throw new InvalidRequestException(path, Json.text(node), bounds() + ", got " + Json.render(node));
      }
      return node.longValue();
    }

    @Override
    public void check(String path, Object value) {
      long v = (Long) value;
      if (v < min || v > max) {
        throw new InvalidRequestException(path, String.valueOf(v), bounds() + ", got " + v);
      }
    }

    private String bounds() {
      if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
        return "must be a 64-bit integer";
      }
      return max == Long.MAX_VALUE ? "must be at least " + min : "must be between " + min + " and " + max;
    }
  }

  /** A finite double between {@code min} and {@code max}, each bound inclusive or not. */
  record RealRange(double min, boolean minInclusive, double max, boolean maxInclusive) implements FieldRule {
    @Override
    public Object convert(String path, JsonNode node) {
      if (!node.isNumber()) {
        throw new InvalidRequestException(path, Json.text(node), "must be a number, got " + Json.render(node));
      }
      return node.doubleValue();
    }

    @Override
    public void check(String path, Object value) {
      double v = (Double) value;
      boolean aboveMin = minInclusive ? v >= min : v > min;
      boolean belowMax = maxInclusive ? v <= max : v < max;
      if (!(aboveMin && belowMax)) { // also refuses NaN
        throw new InvalidRequestException(path, Json.number(v), bounds() + ", got " + Json.number(v));
      }
    }

    private String bounds() {
      if (minInclusive && maxInclusive) {
        return "must be between " + Json.number(min) + " and " + Json.number(max);
      }
      return "must be " + (minInclusive ? "at least " : "greater than ") + Json.number(min)
          + " and " + (maxInclusive ? "at most " : "less than ") + Json.number(max);
    }
  }

  /** A string from a fixed list. */
  record Choice(List<String> allowed) implements FieldRule {
    Choice(String... allowed) {
      this(List.of(allowed));
    }

    @Override
    public Object convert(String path, JsonNode node) {
      if (!node.isTextual()) {
        throw new InvalidRequestException(path, Json.text(node), bounds() + ", got " + Json.render(node));
      }
      return node.textValue();
    }

    @Override
    public void check(String path, Object value) {
      if (!allowed.contains(value)) {
        throw new InvalidRequestException(path, (String) value, bounds() + ", got " + Json.quote((String) value));
      }
    }

    private String bounds() {
      return "must be one of " + String.join(", ", allowed);
    }
  }
}
