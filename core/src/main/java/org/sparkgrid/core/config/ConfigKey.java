package org.sparkgrid.core.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One configuration key, declared once with its name, type, default, check and doc; the
 * declarations live in {@link SparkGridConfig} and the reference table is generated from them.
 *
 * <pre>{@code
 * public static final ConfigKey<Integer> CHECKPOINT_KEEP = ConfigKey.ofInt(
 *     "spark.sparkgrid.checkpoint.keep", 3, atLeast(1), "Newest checkpoints kept per job.");
 * int keep = SparkGridConfig.from(sparkConf).get(CHECKPOINT_KEEP);
 * }</pre>
 *
 * <p>Types are String, Integer, Long, Boolean and Double; durations are Long or Integer keys whose
 * names end in {@code Ms}.
 *
 * @param <T> the value type
 */
public final class ConfigKey<T> {

  private final String name;
  private final Class<T> type;
  private final T defaultValue;
  private final Validator<? super T> validator;
  private final String doc;

  /**
   * @throws IllegalArgumentException if the type is not supported, the name is blank, or the
   *     default fails the key's own check
   */
  private ConfigKey(String name, Class<T> type, T defaultValue, Validator<? super T> validator, String doc) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.doc = Objects.requireNonNull(doc, "doc");
    if (name.isBlank() || !name.equals(name.trim())) {
      throw new IllegalArgumentException("config key name '" + name + "' must be non-blank without surrounding spaces");
    }
    validator.check(name, defaultValue); // a declaration with a bad default fails when the class loads
  }

  /** A string key. */
  public static ConfigKey<String> ofString(String name, String defaultValue, String doc) {
    return new ConfigKey<>(name, String.class, defaultValue, Validator.any(), doc);
  }

  /** A string key with its check, e.g. {@link Validator#oneOf}. */
  public static ConfigKey<String> ofString(String name, String defaultValue, Validator<String> validator, String doc) {
    return new ConfigKey<>(name, String.class, defaultValue, validator, doc);
  }

  /** An int key with its check. */
  public static ConfigKey<Integer> ofInt(String name, int defaultValue, Validator<Integer> validator, String doc) {
    return new ConfigKey<>(name, Integer.class, defaultValue, validator, doc);
  }

  /** A long key with its check. */
  public static ConfigKey<Long> ofLong(String name, long defaultValue, Validator<Long> validator, String doc) {
    return new ConfigKey<>(name, Long.class, defaultValue, validator, doc);
  }

  /** A double key with its check. */
  public static ConfigKey<Double> ofDouble(String name, double defaultValue, Validator<Double> validator, String doc) {
    return new ConfigKey<>(name, Double.class, defaultValue, validator, doc);
  }

  /** A boolean key: {@code true} or {@code false}, in any case. */
  public static ConfigKey<Boolean> ofBoolean(String name, boolean defaultValue, String doc) {
    return new ConfigKey<>(name, Boolean.class, defaultValue, Validator.any(), doc);
  }

  /** The full key, e.g. {@code spark.sparkgrid.checkpoint.keep}. */
  public String name() {
    return name;
  }

  /** The value type. */
  public Class<T> type() {
    return type;
  }

  /** The value when the key is not set. */
  public T defaultValue() {
    return defaultValue;
  }

  /** What the key does, for the reference. */
  public String doc() {
    return doc;
  }

  /** The type as the reference shows it: string, int, long, boolean or double. */
  public String typeName() {
    return type == Integer.class ? "int" : type.getSimpleName().toLowerCase(Locale.ROOT);
  }

  /** The valid values as the reference shows them, e.g. {@code >= 1}, {@code true or false}. */
  public String validValues() {
    return type == Boolean.class ? "true or false" : validator.describe();
  }

  /**
   * Converts a configured text (trimmed) to the key's type and checks it.
   *
   * @throws IllegalArgumentException naming the key and the value:
   *     {@code spark.sparkgrid.engine.threadsPerTask must be at least 1. Current value is 0.}
   */
  public T parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.trim();
    T value = type.cast(convert(s));
    validator.check(name, value);
    return value;
  }

  private Object convert(String s) {
    try {
      if (type == String.class) {
        return s;
      } else if (type == Integer.class) {
        return Integer.valueOf(s);
      } else if (type == Long.class) {
        return Long.valueOf(s);
      } else if (type == Double.class) {
        double d = Double.parseDouble(s);
        if (!Double.isFinite(d)) {
          throw new NumberFormatException();
        }
        return d;
      } else if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
        return Boolean.valueOf(s);
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(name + " must be " + article() + ". Current value is \"" + s + "\".");
  }

  private String article() {
    if (type == Integer.class || type == Long.class) {
      return "an integer";
    }
    return type == Double.class ? "a finite number" : "true or false";
  }

  @Override
  public String toString() {
    return name;
  }
}
