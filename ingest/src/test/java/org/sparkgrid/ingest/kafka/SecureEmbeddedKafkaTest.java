package org.sparkgrid.ingest.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.ingest.Topics;

/**
 * The secured embedded broker, started once for the class by {@link EmbeddedKafka#startSecure}
 * (the child JVM that {@code serve --embedded-kafka --secure} starts): strangers are refused, each
 * principal may do what its ACLs allow and nothing else.
 */
class SecureEmbeddedKafkaTest {

  private static final Topics TOPICS = Topics.DEFAULT;
  private static final Duration SHORT = Duration.ofSeconds(8);

  @TempDir
  static Path dir;

  static EmbeddedKafka kafka;

  @BeforeAll
  static void startSecuredBrokerAndCreateTopicsAsTheService() {
    kafka = EmbeddedKafka.startSecure(dir.resolve("secure"), TOPICS, Duration.ofSeconds(180));
    try (Admin admin = kafka.serviceClients().admin("test-serve")) {
      TOPICS.createMissing(admin, 1, (short) 1); // as serve does, as the service principal
    }
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void aClientWithoutCredentialsCannotSendARequest() {
    try (KafkaProducer<byte[], byte[]> p = KafkaClients.plain(kafka.bootstrapServers())
        .producer("stranger", Map.of("max.block.ms", 5000))) {
      // a plaintext client cannot even finish the TLS handshake: no metadata, so the send times out
      assertThatThrownBy(() -> p.send(record(TOPICS.requests(), "stranger")).get())
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(TimeoutException.class)
          .hasMessageContaining("not present in metadata");
    }
  }

  @Test
  void aClientWithTheCaButAWrongPasswordIsRefusedBySasl() {
    Map<String, String> guess = new HashMap<>(kafka.requesterSettings());
    guess.put("sasl.jaas.config", BrokerSecurity.scramJaas(BrokerSecurity.REQUESTER_USER, "guess"));
    try (KafkaProducer<byte[], byte[]> p = KafkaClients.of(kafka.bootstrapServers(), guess)
        .producer("guesser", Map.of("max.block.ms", 10_000))) {
      assertThatThrownBy(() -> p.send(record(TOPICS.requests(), "guess")).get())
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(SaslAuthenticationException.class)
          .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-512");
    }
  }

  @Test
  void aClientThatDoesNotTrustTheBrokersCaIsRefusedByTls() {
    Map<String, String> noCa = new HashMap<>(kafka.requesterSettings());
    noCa.remove("ssl.truststore.type");
    noCa.remove("ssl.truststore.location"); // the JDK's default CAs, which never signed the broker
    try (KafkaProducer<byte[], byte[]> p = KafkaClients.of(kafka.bootstrapServers(), noCa)
        .producer("untrusting", Map.of("max.block.ms", 10_000))) {
      assertThatThrownBy(() -> p.send(record(TOPICS.requests(), "untrusting")).get())
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(SslAuthenticationException.class)
          .hasMessageContaining("SSL handshake failed");
    }
  }

  @Test
  void theRequesterMayNotWriteEventsNorTheDeadLetterTopic() {
    try (KafkaProducer<byte[], byte[]> p = kafka.requesterClients().producer("forger", Map.of("max.block.ms", 10_000))) {
      for (String topic : List.of(TOPICS.events(), TOPICS.deadLetters())) {
        assertThatThrownBy(() -> p.send(record(topic, "forged")).get())
            .as(topic)
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(TopicAuthorizationException.class)
            .hasMessageContaining(topic);
      }
    }
  }

  @Test
  void theRequesterMayNotReadRequests() {
    try (KafkaConsumer<byte[], byte[]> c = kafka.requesterClients().consumer("snoop", null, Map.of())) {
      TopicPartition tp = new TopicPartition(TOPICS.requests(), 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      assertThatThrownBy(() -> c.poll(SHORT))
          .isInstanceOf(TopicAuthorizationException.class)
          .hasMessageContaining(TOPICS.requests());
    }
  }

  @Test
  void theRequesterWritesRequestsTheServiceReadsThemAndWritesEventsTheRequesterReads() throws Exception {
    String id = "job-" + System.nanoTime();
    try (KafkaProducer<byte[], byte[]> requester = kafka.requesterClients().producer("requester", Map.of())) {
      requester.send(record(TOPICS.requests(), id)).get();
      requester.send(record(TOPICS.control(), id)).get(); // the control topic too (signatures: issue 11, item 3)
    }
    assertThat(readAll(kafka.serviceClients(), "sparkgrid-service-test", TOPICS.requests()))
        .contains(id);
    assertThat(readAll(kafka.serviceClients(), "sparkgrid-service-test-control", TOPICS.control()))
        .contains(id);

    try (KafkaProducer<byte[], byte[]> service = kafka.serviceClients().producer("service", Map.of())) {
      service.send(record(TOPICS.events(), id)).get();
      service.send(record(TOPICS.deadLetters(), id)).get();
    }
    assertThat(readAll(kafka.requesterClients(), null, TOPICS.events())).contains(id);
    assertThat(readAll(kafka.requesterClients(), BrokerSecurity.REQUESTER_USER + ".notebook", TOPICS.events()))
        .as("in a consumer group of its own name").contains(id);
    try (KafkaConsumer<byte[], byte[]> c = kafka.requesterClients().consumer("intruder", "sparkgrid-service", Map.of())) {
      c.subscribe(List.of(TOPICS.events()));
      assertThatThrownBy(() -> c.poll(SHORT)).as("the service's consumer group")
          .isInstanceOf(GroupAuthorizationException.class)
          .hasMessageContaining("sparkgrid-service");
    }
  }

  @Test
  void anAddedRequesterGetsCredentialsAndTheRequesterAclsOnly() throws Exception {
    Path aliceFile = kafka.addRequester("alice");
    KafkaClients alice = KafkaClients.of(kafka.bootstrapServers(), KafkaClients.readSettings(aliceFile));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(aliceFile))).isEqualTo("rw-------");
    assertThat(alice.settings().get("sasl.jaas.config")).contains("username=\"alice\"");
    try (KafkaProducer<byte[], byte[]> p = alice.producer("alice", Map.of("max.block.ms", 10_000))) {
      assertThat(p.send(record(TOPICS.requests(), "from alice")).get().topic()).isEqualTo(TOPICS.requests());
      assertThatThrownBy(() -> p.send(record(TOPICS.events(), "forged by alice")).get())
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(TopicAuthorizationException.class);
    }
    try (KafkaProducer<byte[], byte[]> service = kafka.serviceClients().producer("service", Map.of())) {
      service.send(record(TOPICS.events(), "event for alice")).get();
    }
    assertThat(readAll(alice, "alice.notebook", TOPICS.events())).as("in a consumer group of her name")
        .contains("event for alice");
    assertThat(kafka.addRequester("alice")).as("adding again keeps the password").isEqualTo(aliceFile);
    assertThat(KafkaClients.readSettings(aliceFile)).isEqualTo(alice.settings());
    assertThatThrownBy(() -> kafka.addRequester("sparkgrid-service"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("requester name sparkgrid-service is taken by SparkGrid's own principal");
    assertThatThrownBy(() -> kafka.addRequester("bob smith"))
        .hasMessage("requester name must be 1 to 64 of A-Z a-z 0-9 . _ -, got 'bob smith'");
  }

  @Test
  void keepsItsSecretsReadableByTheOwnerOnly() throws Exception {
    Path security = dir.resolve("secure").resolve("security");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(security))).isEqualTo("rwx------");
    for (String f : List.of("secrets.properties", "broker.p12", "ca.p12", "sparkgrid-service.properties",
        "sparkgrid-requester.properties")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(security.resolve(f)))).as(f)
          .isEqualTo("rw-------");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("secure/server.properties"))))
        .isEqualTo("rw-------");
    assertThat(KafkaClients.readSettings(kafka.requesterPropertiesFile().orElseThrow()))
        .isEqualTo(kafka.requesterSettings())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.location", security.resolve("ca.crt").toAbsolutePath().toString());
    assertThat(Files.readString(security.resolve("ca.crt"))).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(Files.readString(dir.resolve("secure/broker.log")))
        .as("no password on the format command line").doesNotContain("password=");
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
    return new ProducerRecord<>(topic, value.getBytes(UTF_8), value.getBytes(UTF_8));
  }

  /** The values of a topic's partition 0, read from the start until 2 s pass with nothing new. */
  private static List<String> readAll(KafkaClients clients, String group, String topic) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = clients.consumer("reader", group, Map.of())) {
      if (group == null) {
        TopicPartition tp = new TopicPartition(topic, 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
      } else {
        c.subscribe(List.of(topic));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int emptyPolls = 0;
      while (System.nanoTime() < deadline && (values.isEmpty() || emptyPolls < 4)) {
        var records = c.poll(Duration.ofMillis(500));
        emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
          values.add(new String(r.value(), UTF_8));
        }
      }
      if (group != null) {
        c.commitSync(); // the group's READ ACL covers committing too
      }
    }
    return values;
  }
}
