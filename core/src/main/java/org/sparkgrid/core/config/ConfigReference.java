package org.sparkgrid.core.config;

/**
 * Prints the configuration reference, a Markdown table generated from {@link SparkGridConfig}'s
 * declarations, for docs/configuration.md. The table goes between the page's
 * {@code <!-- config-reference:start -->} and {@code <!-- config-reference:end -->} lines (the
 * page's introduction stays); {@code ShippedFilesTest} fails while the page and the declarations differ:
 *
 * <pre>{@code
 * java -cp core/target/classes org.sparkgrid.core.config.ConfigReference > /tmp/config-table.md
 * sed -i -e '/^<!-- config-reference:start -->$/r /tmp/config-table.md' \
 *        -e '/^<!-- config-reference:start -->$/,/^<!-- config-reference:end -->$/{//!d}' docs/configuration.md
 * }</pre>
 */
public final class ConfigReference {

  private ConfigReference() {}

  public static void main(String[] args) {
    System.out.print(SparkGridConfig.markdownReference());
  }
}
