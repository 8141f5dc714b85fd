package org.sparkgrid.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Kafka client of SparkGrid's code (every module's main sources and the notebooks) is built by
 * {@link KafkaClients}: nowhere else constructs a producer, a consumer or an admin client, so
 * security settings cannot be forgotten on one of them. Tests may build clients directly.
 */
class OneFactoryTest {

  private static final Pattern RAW_CLIENT =
      Pattern.compile("new\\s+Kafka(Producer|Consumer)\\s*[<(]|\\bAdmin(Client)?\\.create\\s*\\(");

  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent(); // ingest/ -> the checkout

  private static final Path FACTORY = ROOT.resolve("ingest/src/main/java/org/sparkgrid/ingest/kafka/KafkaClients.java");

  @Test
  void noCodeButTheFactoryConstructsAKafkaClient() throws IOException {
    List<Path> scanned = new ArrayList<>();
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
          scanned.addAll(files.filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".scala")).toList());
        }
      }
    }
    try (Stream<Path> notes = Files.list(ROOT.resolve("notebooks"))) {
      scanned.addAll(notes.filter(f -> f.toString().endsWith(".zpln")).toList());
    }
    for (Path f : scanned) {
      if (f.equals(FACTORY)) {
        continue;
      }
      List<String> lines = Files.readAllLines(f);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (!line.startsWith("*") && !line.startsWith("//") && RAW_CLIENT.matcher(line).find()) {
          offenders.add(ROOT.relativize(f) + ":" + (i + 1) + ": " + line);
        }
      }
    }

    assertThat(scanned).as("files scanned").hasSizeGreaterThan(100).contains(FACTORY);
    assertThat(offenders).as("build Kafka clients with KafkaClients, not directly").isEmpty();
  }
}
