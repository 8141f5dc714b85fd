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
 * The files shipped beside the code agree with the declarations: the README's configuration
 * reference is the generated one, and every example request in conf/requests/ is one the codec accepts.
 * (The conf/ files are checked by ShippedSparkConfTest.)
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
