package org.sparkgrid.core.config;

/**
 * The single-value check of a {@link ConfigKey}, declared beside it, with a description for the
 * generated reference.
 *
 * @param <T> the key's value type
 */
public interface Validator<T> {

  /**
   * Checks one value.
   *
   * @param key   the key's name, for the message
   * @param value the value, already converted to the key's type
   * @throws IllegalArgumentException {@code <key> must be ... Current value is <value>.}
   */
  void check(String key, T value);

  /** The valid values in words for the reference table, e.g. {@code >= 1}, {@code 1 to 100000}, {@code any}. */
  String describe();

  /** Any value of the type. */
  static <T> Validator<T> any() {
    return new Validator<>() {
      @Override
      public void check(String key, T value) {}

      @Override
      public String describe() {
        return "any";
      }
    };
  }

  /** One of the given words, exactly. */
  static Validator<String> oneOf(String... words) {
    java.util.List<String> allowed = java.util.List.of(words);
    return new Validator<>() {
      @Override
      public void check(String key, String value) {
        if (!allowed.contains(value)) {
          throw new IllegalArgumentException(key + " must be one of " + String.join(", ", allowed)
              + ". Current value is \"" + value + "\".");
        }
      }

      @Override
      public String describe() {
        return String.join(" or ", allowed);
      }
    };
  }

  /** A string that matches {@code regex} entirely; {@code describe} says which in words. */
  static Validator<String> matching(String regex, String describe) {
    java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
    return new Validator<>() {
      @Override
      public void check(String key, String value) {
        if (!pattern.matcher(value).matches()) {
          throw new IllegalArgumentException(key + " must be " + describe + ". Current value is \"" + value + "\".");
        }
      }

      @Override
      public String describe() {
        return describe;
      }
    };
  }

  /** At least {@code min}. */
  static <N extends Number & Comparable<N>> Validator<N> atLeast(N min) {
    return new Validator<>() {
      @Override
      public void check(String key, N value) {
        if (value.compareTo(min) < 0) {
          throw new IllegalArgumentException(key + " must be at least " + min + ". Current value is " + value + ".");
        }
      }

      @Override
      public String describe() {
        return ">= " + min;
      }
    };
  }

  /** Between {@code min} and {@code max}, both included. */
  static <N extends Number & Comparable<N>> Validator<N> between(N min, N max) {
    if (min.compareTo(max) > 0) {
      throw new IllegalArgumentException("empty range: min " + min + " > max " + max);
    }
    return new Validator<>() {
      @Override
      public void check(String key, N value) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
          throw new IllegalArgumentException(
              key + " must be between " + min + " and " + max + ". Current value is " + value + ".");
        }
      }

      @Override
      public String describe() {
        return min + " to " + max;
      }
    };
  }
}
