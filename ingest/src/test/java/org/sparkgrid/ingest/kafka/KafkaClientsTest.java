package org.sparkgrid.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.Topics;

/** How {@link KafkaClients} builds each client's properties: pure, no broker. */
class KafkaClientsTest {

  @TempDir
  Path dir;

  private static final Map<String, String> SASL = Map.of(
      "security.protocol", "SASL_SSL",
      "sasl.mechanism", "SCRAM-SHA-512",
      "ssl.truststore.location", "/etc/sparkgrid/ca.crt");

  @Test
  void aProducerGetsItsDefaultsThenThePassThroughThenTheFixedSettings() {
    Map<String, Object> p = KafkaClients.producerConfig("k1:9093", Map.of("linger.ms", "50", "security.protocol",
        "SASL_SSL"), "sparkgrid-events", Map.of("linger.ms", 0, "batch.size", 1024));

    assertThat(p).containsExactlyInAnyOrderEntriesOf(Map.of(
        "client.id", "sparkgrid-events",
        "linger.ms", "50",            // the pass-through wins over SparkGrid's tuning
        "batch.size", 1024,
        "security.protocol", "SASL_SSL",
        "bootstrap.servers", "k1:9093",
        "acks", "all",
        "enable.idempotence", true));
  }

  @Test
  void aConsumerIsNeverAutoCommittingAndReadsCommittedRecordsFromTheStart() {
    Map<String, Object> c = KafkaClients.consumerConfig("k1:9093", SASL, "sparkgrid-requests", "sparkgrid-service",
        Map.of("max.poll.records", 2000));

    assertThat(c).containsEntry("group.id", "sparkgrid-service")
        .containsEntry("enable.auto.commit", false)
        .containsEntry("isolation.level", "read_committed")
        .containsEntry("auto.offset.reset", "earliest")
        .containsEntry("max.poll.records", 2000)
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("client.id", "sparkgrid-requests");
    assertThat(KafkaClients.consumerConfig("k1:9093", Map.of(), "follow", null, Map.of())).doesNotContainKey("group.id");
  }

  @Test
  void aSettingOnlyAnotherKindOfClientKnowsIsLeftOutButATypoIsPassedOnForKafkaToWarn() {
    Map<String, String> settings = Map.of("linger.ms", "5", "max.poll.records", "10", "sasl.mechansim", "PLAIN");

    Map<String, Object> consumer = KafkaClients.consumerConfig("k:1", settings, "c", "g", Map.of());
    Map<String, Object> producer = KafkaClients.producerConfig("k:1", settings, "p", Map.of());
    Map<String, Object> admin = KafkaClients.adminConfig("k:1", settings, "a", Map.of());

    assertThat(consumer).doesNotContainKey("linger.ms").containsEntry("max.poll.records", "10")
        .containsEntry("sasl.mechansim", "PLAIN");
    assertThat(producer).doesNotContainKey("max.poll.records").containsEntry("linger.ms", "5")
        .containsEntry("sasl.mechansim", "PLAIN");
    assertThat(admin).doesNotContainKeys("linger.ms", "max.poll.records").containsEntry("sasl.mechansim", "PLAIN");
  }

  @Test
  void refusesAPassThroughSettingThatSparkGridFixesNamingTheKey() {
    assertThatThrownBy(() -> KafkaClients.of("k:1", Map.of("enable.auto.commit", "true")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spark.sparkgrid.kafka.client.enable.auto.commit is refused: SparkGrid sets enable.auto.commit"
            + " itself, because SparkGrid commits offsets itself, after the job store stored the records (it is"
            + " always false); remove it");
    assertThatThrownBy(() -> KafkaClients.fromConfig(SparkGridConfig.from(Map.of(
        "spark.sparkgrid.kafka.client.isolation.level", "read_uncommitted")), "k:1"))
        .hasMessageStartingWith("spark.sparkgrid.kafka.client.isolation.level is refused: SparkGrid sets"
            + " isolation.level itself");
    assertThatThrownBy(() -> KafkaClients.of("k:1", Map.of("bootstrap.servers", "evil:9092")))
        .hasMessageContaining("set the brokers with spark.sparkgrid.kafka.bootstrapServers");
  }

  @Test
  void refusesAFixedSettingInTheConfigFileNamingTheFile() throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "security.protocol=SASL_SSL\nacks=1\n");

    assertThatThrownBy(() -> KafkaClients.fromConfig(SparkGridConfig.from(Map.of(
        "spark.sparkgrid.kafka.client.config.file", file.toString())), "k:1"))
        .hasMessageStartingWith("acks in " + file + " is refused: SparkGrid sets acks itself");
  }

  @Test
  void readsTheConfigFileThenLetsEachPassThroughKeyOverrideIt() throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, String.join("\n",
        "security.protocol=SASL_SSL",
        "sasl.mechanism=SCRAM-SHA-256",
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\",
        "  username=\"alice\" password=\"${env:KAFKA_PASSWORD}\";",
        ""));
    SparkGridConfig config = SparkGridConfig.from(Map.of(
        "spark.sparkgrid.kafka.bootstrapServers", "k1:9093,k2:9093",
        "spark.sparkgrid.kafka.client.config.file", file.toString(),
        "spark.sparkgrid.kafka.client.sasl.mechanism", "SCRAM-SHA-512"));

    KafkaClients clients = KafkaClients.fromConfig(config);

    assertThat(clients.bootstrapServers()).isEqualTo("k1:9093,k2:9093");
    assertThat(clients.settings()).containsExactly(
        Map.entry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"alice\" password=\"${env:KAFKA_PASSWORD}\";"),
        Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
        Map.entry("security.protocol", "SASL_SSL"));
  }

  @Test
  void aMissingConfigFileIsNamed() {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> KafkaClients.fromConfig(SparkGridConfig.from(Map.of(
        "spark.sparkgrid.kafka.client.config.file", missing.toString())), "k:1"))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("cannot read Kafka client settings from " + missing);
  }

  @Test
  void declaresTheEnvAndFileProvidersWhereAValueUsesOneAndNoneIsDeclared() {
    assertThat(KafkaClients.providers(Map.of("ssl.truststore.password", "${env:TRUST_PW}"))).isEqualTo(Map.of(
        "config.providers", "env,file",
        "config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
        "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider"));
    assertThat(KafkaClients.providers(Map.of("ssl.truststore.password", "plain"))).isEmpty();
    assertThat(KafkaClients.providers(Map.of("ssl.truststore.password", "${vault:x}", "config.providers", "vault")))
        .isEmpty();
  }

  @Test
  void kafkaResolvesASecretFromAFileThroughTheFileProvider() throws Exception {
    Path secrets = dir.resolve("secrets.properties");
    Files.writeString(secrets, "truststore.password=s3cret\n");
    Map<String, Object> p = new HashMap<>(KafkaClients.producerConfig("k:1",
        Map.of("ssl.truststore.password", "${file:" + secrets + ":truststore.password}"), "p", Map.of()));

    p.put("key.serializer", ByteArraySerializer.class); // KafkaProducer adds its serializers so
    p.put("value.serializer", ByteArraySerializer.class);
    ProducerConfig resolved = new ProducerConfig(p); // Kafka's own resolution, as KafkaProducer does

    assertThat(resolved.getPassword("ssl.truststore.password").value()).isEqualTo("s3cret");
  }

  @Test
  void kafkaResolvesASecretFromTheEnvironmentThroughTheEnvProvider() {
    String name = System.getenv().containsKey("HOME") ? "HOME" : System.getenv().keySet().iterator().next();
    Map<String, Object> p = new HashMap<>(KafkaClients.consumerConfig("k:1", Map.of("sasl.jaas.config",
        "x password=\"${env:" + name + "}\";"), "c", "g", Map.of()));

    p.put("key.deserializer", ByteArrayDeserializer.class);
    p.put("value.deserializer", ByteArrayDeserializer.class);
    ConsumerConfig resolved = new ConsumerConfig(p);

    assertThat(resolved.getPassword("sasl.jaas.config").value()).isEqualTo("x password=\"" + System.getenv(name) + "\";");
  }

  @Test
  void usesTheEmbeddedBrokersRecordedAddressAndClientPropertiesWhenNoneIsConfigured() {
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", dir.toString()));
    assertThatThrownBy(() -> KafkaClients.fromConfig(config))
        .hasMessageStartingWith("no Kafka brokers: set spark.sparkgrid.kafka.bootstrapServers, or start"
            + " 'bin/sparkgrid serve --embedded-kafka' first");

    KafkaHome.of(config).record("127.0.0.1:4242", Map.of("security.protocol", "SASL_SSL"));
    KafkaClients clients = KafkaClients.fromConfig(config);

    assertThat(clients.bootstrapServers()).isEqualTo("127.0.0.1:4242");
    assertThat(clients.settings()).isEqualTo(Map.of("security.protocol", "SASL_SSL"));
    assertThat(KafkaClients.fromConfig(config, "elsewhere:9092").settings())
        .as("another cluster does not get the embedded broker's settings").isEmpty();
  }

  @Test
  void everyFixedSettingIsAKafkaClientSetting() {
    assertThat(KafkaClients.FIXED).extracting(KafkaClients.Fixed::setting)
        .allMatch(s -> ProducerConfig.configNames().contains(s) || ConsumerConfig.configNames().contains(s), "a Kafka setting");
  }

  @Test
  void theRequesterMayOnlyWriteRequestsAndControlAndReadEvents() {
    List<AclBinding> acls = BrokerSecurity.acls(Topics.DEFAULT, "svc", "alice");

    assertThat(allowed(acls, "alice", ResourceType.TOPIC)).containsExactlyInAnyOrder(
        "DESCRIBE sparkgrid.requests", "WRITE sparkgrid.requests",
        "DESCRIBE sparkgrid.control", "WRITE sparkgrid.control",
        "DESCRIBE sparkgrid.events", "READ sparkgrid.events");
    assertThat(allowed(acls, "alice", ResourceType.GROUP)).containsExactly("READ alice. (PREFIXED)");
    assertThat(allowed(acls, "svc", ResourceType.TOPIC)).contains(
        "READ sparkgrid.requests", "READ sparkgrid.control", "WRITE sparkgrid.events",
        "WRITE sparkgrid.requests.dlq", "WRITE sparkgrid.control", "CREATE sparkgrid.requests")
        .doesNotContain("WRITE sparkgrid.requests", "READ sparkgrid.events");
    assertThat(allowed(acls, "svc", ResourceType.GROUP)).containsExactly("READ sparkgrid-service (PREFIXED)");
  }

  private static List<String> allowed(List<AclBinding> acls, String user, ResourceType type) {
    return acls.stream()
        .filter(a -> a.entry().principal().equals("User:" + user) && a.pattern().resourceType() == type)
        .map(a -> a.entry().operation() + " " + a.pattern().name()
            + (a.pattern().patternType() == PatternType.PREFIXED ? " (PREFIXED)" : ""))
        .toList();
  }

  @Test
  void scramSaltedPasswordMatchesKafkasOwnFormatter() throws Exception {
    byte[] salt = "salt-of-sixteen!".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] ours = Secrets.scramSha512SaltedPassword("pw", salt, 4096);

    var kafkas = new org.apache.kafka.common.security.scram.internals.ScramFormatter(
        org.apache.kafka.common.security.scram.internals.ScramMechanism.SCRAM_SHA_512).saltedPassword("pw", salt, 4096);

    assertThat(ours).isEqualTo(kafkas);
  }
}
