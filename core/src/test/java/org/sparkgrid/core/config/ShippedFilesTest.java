package org.sparkgrid.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The files shipped beside the code agree with the declarations: the README's configuration
 * reference is the generated one. (The conf/ files are checked by ShippedSparkConfTest.)
 */
class ShippedFilesTest {
  private static final Path ROOT = ConfFiles.ROOT;

  @Test
  void readmeConfigReferenceIsTheGeneratedOne() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String start = "<!-- config-reference:start -->\n";
    String end = "<!-- config-reference:end -->";
    String table = readme.substring(readme.indexOf(start) + start.length(), readme.indexOf(end));

    assertThat(table)
        .as("README's table is stale: replace it with the output of ConfigReference")
        .isEqualTo(SparkGridConfig.markdownReference());
  }
}
