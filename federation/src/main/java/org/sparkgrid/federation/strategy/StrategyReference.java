package org.sparkgrid.federation.strategy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the strategy reference, the Markdown table {@link Strategies#markdownReference()} generates
 * from the strategies' declarations: to standard output, or, given a file, between the file's
 * {@value #START} and {@value #END} markers.
 *
 * <pre>{@code
 * java -cp core/target/classes:federation/target/classes org.sparkgrid.federation.strategy.StrategyReference docs/strategies.md
 * }</pre>
 */
public final class StrategyReference {

  /** The line before the generated table. */
  public static final String START = "<!-- strategy-reference:start -->";

  /** The line after it. */
  public static final String END = "<!-- strategy-reference:end -->";

  private StrategyReference() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.out.print(Strategies.markdownReference());
      return;
    }
    Path file = Path.of(args[0]);
    Files.writeString(file, replaceTable(Files.readString(file), Strategies.markdownReference()),
        StandardCharsets.UTF_8);
  }

  /**
   * {@code page} with the text between the markers replaced by {@code table}.
   *
   * @throws IllegalArgumentException if the page lacks a marker
   */
  static String replaceTable(String page, String table) {
    int start = page.indexOf(START + "\n");
    int end = page.indexOf(END);
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("the page has no " + START + " line followed by " + END);
    }
    return page.substring(0, start + START.length() + 1) + table + page.substring(end);
  }

  /**
   * The text between the markers.
   *
   * @throws IllegalArgumentException if the page lacks a marker
   */
  static String table(String page) {
    int start = page.indexOf(START + "\n");
    int end = page.indexOf(END);
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("the page has no " + START + " line followed by " + END);
    }
    return page.substring(start + START.length() + 1, end);
  }
}
