package org.sparkgrid.ingest.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.Topics;

/** A restarted secured broker keeps its CA, certificates and credentials; the recorded client settings still work. */
class SecureEmbeddedKafkaRestartTest {

  @TempDir
  Path dir;

  @Test
  void aRestartKeepsTheCertificatesAndCredentialsAndTheRecordedSettingsStillWork() throws Exception {
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", dir.toString()));
    KafkaHome home = KafkaHome.of(config);
    Path ca = home.secureBrokerDir().resolve("security/ca.crt");
    String firstCa;
    String firstSecrets;
    try (EmbeddedKafka kafka = home.startBroker(true, Topics.DEFAULT)) {
      try (Admin admin = kafka.serviceClients().admin("test-serve")) {
        Topics.DEFAULT.createMissing(admin, 1, (short) 1);
      }
      firstCa = Files.readString(ca);
      firstSecrets = Files.readString(home.secureBrokerDir().resolve("security/secrets.properties"));
    }

    RecordMetadata written;
    try (EmbeddedKafka kafka = home.startBroker(true, Topics.DEFAULT);
        KafkaProducer<byte[], byte[]> requester = KafkaClients.fromConfig(config).producer("requester", Map.of())) {
      assertThat(home.bootstrapServers()).contains(kafka.bootstrapServers());
      written = requester.send(new ProducerRecord<>(Topics.DEFAULT.requests(), "k".getBytes(UTF_8),
          "after restart".getBytes(UTF_8))).get();
    }

    assertThat(written.topic()).isEqualTo("sparkgrid.requests");
    assertThat(Files.readString(ca)).isEqualTo(firstCa);
    assertThat(Files.readString(home.secureBrokerDir().resolve("security/secrets.properties"))).isEqualTo(firstSecrets);
    assertThat(KafkaClients.readSettings(home.clientPropertiesFile())).containsEntry("security.protocol", "SASL_SSL");
  }
}
