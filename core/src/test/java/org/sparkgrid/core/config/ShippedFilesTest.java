package org.sparkgrid.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.SweepTrials;
import org.sparkgrid.core.request.TrainingRequest;

/**
 * The files shipped beside the code agree with the declarations: the README's configuration
 * reference is the generated one, every spark.sparkgrid.* key set in conf/ is declared and valid, and
 * every example request in conf/requests/ is one the codec accepts.
 */
class ShippedFilesTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

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
  void everySparkGridKeyInSparkDefaultsIsDeclaredAndValid() throws IOException {
    Map<String, String> props = readProperties(ROOT.resolve("conf/spark-defaults.conf"));
    Map<String, String> ours = new LinkedHashMap<>();
    props.forEach((k, v) -> {
      if (k.startsWith("spark.sparkgrid.")) {
        ours.put(k, v);
      }
    });

    assertThat(ours).isNotEmpty();
    assertThatCode(() -> SparkGridConfig.from(ours)).doesNotThrowAnyException();
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

  private static Map<String, String> readProperties(Path file) throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file);
    for (String line : lines) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] kv = t.split("\\s+", 2);
      m.put(kv[0], kv.length > 1 ? kv[1] : "");
    }
    return m;
  }
}
