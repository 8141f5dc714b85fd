package org.sparkgrid.core.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the shipped configuration files as Spark reads {@code spark-defaults.conf}. */
final class ConfFiles {

  /** The repository root (tests run in the module directory). */
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private ConfFiles() {}

  /**
   * Key and value of each line: blank lines and {@code #} comments skipped, the key up to the first
   * whitespace, the value the rest, trimmed; a repeated key keeps its last value.
   */
  static Map<String, String> read(Path file) {
    Map<String, String> m = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(file)) {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        String[] kv = t.split("\\s+", 2);
        m.put(kv[0], kv.length > 1 ? kv[1].strip() : "");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }
}
