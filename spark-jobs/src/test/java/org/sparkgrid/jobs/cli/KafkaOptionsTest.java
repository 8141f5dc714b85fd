package org.sparkgrid.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Kafka options of serve and the client commands: refused with one line before any broker or Spark starts. */
class KafkaOptionsTest {
  private static final Path REQUEST = Path.of(System.getProperty("user.dir")).getParent()
      .resolve("conf/requests/fmnist-mlp.json");
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(oldErr);
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("spark.sparkgrid.")) {
        System.clearProperty(key); // --conf sets system properties
      }
    }
  }

  @Test
  void secureWithoutTheEmbeddedBrokerIsRefused() {
    int rc = SparkGridCli.execute("serve", "--secure");

    assertThat(rc).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--secure (or spark.sparkgrid.kafka.embedded.secure=true)"
        + " secures the embedded broker: add --embedded-kafka");
  }

  @Test
  void aPassThroughSettingThatSparkGridFixesIsRefusedNamingTheKey() {
    int rc = SparkGridCli.execute("submit", REQUEST.toString(),
        "--conf", "spark.sparkgrid.kafka.bootstrapServers=127.0.0.1:1",
        "--conf", "spark.sparkgrid.kafka.client.enable.auto.commit=true");

    assertThat(rc).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("spark.sparkgrid.kafka.client.enable.auto.commit is refused: SparkGrid sets enable.auto.commit itself");
  }
}
