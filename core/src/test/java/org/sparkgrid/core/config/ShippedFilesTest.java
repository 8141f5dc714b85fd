package org.sparkgrid.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.SweepTrials;
import org.sparkgrid.core.request.TrainingRequest;

/**
 * The files shipped beside the code agree with the declarations: the configuration reference in
 * docs/configuration.md is the generated one, and every example request in conf/requests/ is one the codec accepts.
 * (The conf/ files are checked by ShippedSparkConfTest.)
 */
class ShippedFilesTest {
  private static final Path ROOT = ConfFiles.ROOT;

  @Test
  void configurationPageHoldsTheGeneratedReference() throws IOException {
    String page = Files.readString(ROOT.resolve("docs/configuration.md"));
    String start = "\n<!-- config-reference:start -->\n";
    String end = "\n<!-- config-reference:end -->\n";
    int from = page.indexOf(start);
    int to = page.indexOf(end, Math.max(from, 0));
    assertThat(from).as("docs/configuration.md has a line <!-- config-reference:start -->").isNotNegative();
    assertThat(to).as("docs/configuration.md has a line <!-- config-reference:end --> after the start").isNotNegative();
    String table = page.substring(from + start.length(), to + 1);

    assertThat(table)
        .as("docs/configuration.md's table is stale: replace what lies between its config-reference markers"
            + " with the output of ConfigReference")
        .isEqualTo(SparkGridConfig.markdownReference());
  }

  @Test
  void everyShippedRequestParsesAndEverySweepExpands() throws IOException {
    List<Path> files;
    try (var list = Files.list(ROOT.resolve("conf/requests"))) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }

    assertThat(files).isNotEmpty();
    for (Path f : files) {
      TrainingRequest r = RequestCodec.parse(Files.readAllBytes(f));
      if (r.sweep() != null) {
        assertThat(SweepTrials.expand(r, r.id())).as(f.toString()).hasSize(r.sweep().trialCount());
      }
    }
  }
}
