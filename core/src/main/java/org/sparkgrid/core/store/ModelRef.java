package org.sparkgrid.core.store;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reference to a registered model version: {@code name@best} (highest test accuracy),
 * {@code name@latest} (highest version number), {@code name@N} (version N), or a bare {@code name}
 * (same as {@code name@latest}).
 *
 * <pre>{@code
 * ModelRef ref = ModelRef.parse("fmnist-cnn@best");
 * ModelVersion v = store.resolve(ref);
 * }</pre>
 *
 * @param name    the model name
 * @param selector which version: {@link Selector#BEST}, {@link Selector#LATEST} or {@link Selector#VERSION}
 * @param version the version number when {@code selector == VERSION}, else 0
 */
public record ModelRef(String name, Selector selector, int version) {

  /** Model names: a letter or digit, then letters, digits, '.', '_' or '-', at most 128 characters. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final Pattern REF = Pattern.compile("(" + NAME.pattern() + ")(?:@(best|latest|[1-9][0-9]{0,8}))?");

  /** Which version a reference selects. */
  public enum Selector {
    BEST,
    LATEST,
    VERSION
  }

  public ModelRef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(selector, "selector");
  }

  /**
   * Parses {@code name[@best|@latest|@N]}.
   *
   * @throws IllegalArgumentException if the text is not of that form, with the text in the message
   */
  public static ModelRef parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("model reference must not be null");
    }
    Matcher m = REF.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "model reference '" + text + "' must be NAME, NAME@best, NAME@latest or NAME@N"
              + " (NAME: letters, digits, '.', '_', '-'; N: a version number >= 1)");
    }
    String sel = m.group(2);
    if (sel == null || sel.equals("latest")) {
      return new ModelRef(m.group(1), Selector.LATEST, 0);
    }
    if (sel.equals("best")) {
      return new ModelRef(m.group(1), Selector.BEST, 0);
    }
    return new ModelRef(m.group(1), Selector.VERSION, Integer.parseInt(sel));
  }

  /** Whether {@code name} is a valid model name. */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  @Override
  public String toString() {
    return switch (selector) {
      case BEST -> name + "@best";
      case LATEST -> name + "@latest";
      case VERSION -> name + "@" + version;
    };
  }
}
