package org.sparkgrid.core.store;

import java.util.regex.Pattern;

/**
 * The names a store accepts, checked before they become path segments: model names
 * ({@link ModelRef#NAME}), job ids and file names. None may contain '/', start with '.' or '_'
 * (stores keep their temporary entries under names starting with {@code _tmp-}), or be longer
 * than 128 characters.
 */
public final class StoreNames {

  /** Job ids: a letter or digit, then letters, digits, '.', '_' or '-', at most 128 characters. */
  public static final Pattern JOB_ID = ModelRef.NAME;

  /** File names inside a version, checkpoint or run: the same form as job ids. */
  public static final Pattern FILE = ModelRef.NAME;

  private StoreNames() {}

  /**
   * @return {@code name}
   * @throws IllegalArgumentException if it is not a valid model name
   */
  public static String requireModelName(String name) {
    return require(ModelRef.NAME, "model name", name);
  }

  /**
   * @return {@code jobId}
   * @throws IllegalArgumentException if it is not a valid job id
   */
  public static String requireJobId(String jobId) {
    return require(JOB_ID, "job id", jobId);
  }

  /**
   * @return {@code file}
   * @throws IllegalArgumentException if it is not a valid file name
   */
  public static String requireFileName(String file) {
    return require(FILE, "file name", file);
  }

  private static String require(Pattern pattern, String what, String value) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(
          what + " '" + value + "' must match " + pattern.pattern()
              + " (a letter or digit, then letters, digits, '.', '_' or '-'; at most 128 characters)");
    }
    return value;
  }
}
