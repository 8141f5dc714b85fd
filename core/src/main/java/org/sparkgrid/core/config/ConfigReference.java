package org.sparkgrid.core.config;

/**
 * Prints the configuration reference, a Markdown table generated from {@link SparkGridConfig}'s
 * declarations, for the README:
 *
 * <pre>{@code
 * java -cp core/target/classes org.sparkgrid.core.config.ConfigReference > docs/configuration.md
 * }</pre>
 */
public final class ConfigReference {

  private ConfigReference() {}

  public static void main(String[] args) {
    System.out.print(SparkGridConfig.markdownReference());
  }
}
