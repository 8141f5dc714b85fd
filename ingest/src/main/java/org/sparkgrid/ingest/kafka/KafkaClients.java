package org.sparkgrid.ingest.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.common.config.provider.FileConfigProvider;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.sparkgrid.core.config.SparkGridConfig;

/**
 * The one place where SparkGrid builds Kafka clients: every producer, consumer and admin client of
 * the service, the CLI, {@code SparkGridClient}, the notebooks and the benchmarks comes from here,
 * with the brokers of {@code spark.sparkgrid.kafka.bootstrapServers} and the standard client
 * settings of the pass-through ({@code spark.sparkgrid.kafka.client.<setting>}, and the properties
 * file named by {@code spark.sparkgrid.kafka.client.config.file}).
 *
 * <pre>{@code
 * // client.properties (mode 0600):
 * //   security.protocol=SASL_SSL
 * //   sasl.mechanism=SCRAM-SHA-512
 * //   sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \
 * //     username="alice" password="${env:KAFKA_PASSWORD}";
 * //   ssl.truststore.type=PEM
 * //   ssl.truststore.location=/etc/sparkgrid/ca.crt
 * SparkGridConfig config = SparkGridConfig.from(Map.of(
 *     "spark.sparkgrid.kafka.bootstrapServers", "kafka1:9093",
 *     "spark.sparkgrid.kafka.client.config.file", "/etc/sparkgrid/client.properties"));
 * KafkaClients clients = KafkaClients.fromConfig(config);
 * try (SparkGridClient client = SparkGridClient.connect(clients)) { ... }
 * try (Admin admin = clients.admin("sparkgrid-admin")) { ... }
 * }</pre>
 *
 * <p>How a client's properties are built (see {@link #producerConfig}): SparkGrid's defaults for
 * that client (its {@code client.id}, {@code linger.ms} ...), then the pass-through settings, then
 * the settings SparkGrid fixes for correctness ({@link #FIXED}). A pass-through setting that names a
 * fixed one is refused when the clients are made, naming the setting. A setting only another kind
 * of client knows (a producer's {@code linger.ms} for a consumer) is left out of that client; one no
 * kind knows (a typo) is passed on, and Kafka warns that it was "supplied but not used". Values may
 * use Kafka's config providers ({@code ${env:VAR}}, {@code ${file:/path:key}}): where a value does
 * and {@code config.providers} is not set, the {@code env} and {@code file} providers are declared.
 */
public final class KafkaClients {

  /** A setting SparkGrid fixes on its clients, and why; the pass-through may not set it. */
  public record Fixed(String setting, String reason) {}

  /** The settings SparkGrid fixes for correctness, declared once: refused in the pass-through. */
  public static final List<Fixed> FIXED = List.of(
      new Fixed(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "set the brokers with spark.sparkgrid.kafka.bootstrapServers"),
      new Fixed(ConsumerConfig.GROUP_ID_CONFIG, "SparkGrid names its consumer groups"),
      new Fixed(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
          "SparkGrid commits offsets itself, after the job store stored the records (it is always false)"),
      new Fixed(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
          "SparkGrid reads only committed records (it is always read_committed)"),
      new Fixed(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
          "a new consumer group must read every request from the start (it is always earliest)"),
      new Fixed(ProducerConfig.ACKS_CONFIG, "requests, events and dead letters must not be lost (it is always all)"),
      new Fixed(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          "a retried send must not write a record twice (it is always true)"),
      new Fixed(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "SparkGrid's producers are not transactional"),
      new Fixed(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "records are bytes"),
      new Fixed(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "records are bytes"),
      new Fixed(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "records are bytes"),
      new Fixed(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "records are bytes"));

  /** Kafka's setting that declares config providers. */
  static final String CONFIG_PROVIDERS = "config.providers";

  private final String bootstrapServers;
  private final Map<String, String> settings;

  private KafkaClients(String bootstrapServers, Map<String, String> settings) {
    this.bootstrapServers = bootstrapServers;
    this.settings = settings;
  }

  /** Clients of {@code bootstrapServers} with no extra settings (a plaintext broker). */
  public static KafkaClients plain(String bootstrapServers) {
    return of(bootstrapServers, Map.of());
  }

  /**
   * Clients of {@code bootstrapServers} with these standard client settings (names without the
   * {@code spark.sparkgrid.kafka.client.} prefix).
   *
   * @throws IllegalArgumentException if {@code bootstrapServers} is blank, or a setting is one
   *     SparkGrid fixes (the message names it and says why)
   */
  public static KafkaClients of(String bootstrapServers, Map<String, String> settings) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(SparkGridConfig.KAFKA_BOOTSTRAP_SERVERS.name() + " must not be blank");
    }
    checkNotFixed(settings);
    return new KafkaClients(bootstrapServers.strip(), Collections.unmodifiableMap(new TreeMap<>(settings)));
  }

  /**
   * Clients as configured: the brokers of {@code spark.sparkgrid.kafka.bootstrapServers}, else the
   * embedded broker's that {@code serve --embedded-kafka} recorded under the home (with its client
   * properties); the settings of {@link #fromConfig(SparkGridConfig, String)}.
   *
   * @throws IllegalArgumentException if no brokers are configured or recorded, or as {@link #of}
   * @throws UncheckedIOException     if a file named cannot be read
   */
  public static KafkaClients fromConfig(SparkGridConfig config) {
    String configured = config.get(SparkGridConfig.KAFKA_BOOTSTRAP_SERVERS);
    if (!configured.isEmpty()) {
      return fromConfig(config, configured);
    }
    KafkaHome home = KafkaHome.of(config);
    return fromConfig(config, home.bootstrapServers().orElseThrow(() -> new IllegalArgumentException(
        "no Kafka brokers: set " + SparkGridConfig.KAFKA_BOOTSTRAP_SERVERS.name() + ", or start"
            + " 'bin/sparkgrid serve --embedded-kafka' first (it records its address in " + home.bootstrapFile() + ")")));
  }

  /**
   * Clients of {@code bootstrapServers} with the configured settings: those of the file named by
   * {@code spark.sparkgrid.kafka.client.config.file} (or, when that is empty and these are the
   * embedded broker's brokers, its {@code <home>/kafka/client.properties}), overridden one by one
   * by {@code spark.sparkgrid.kafka.client.<setting>}.
   *
   * @throws IllegalArgumentException as {@link #of}, naming the file or the key of a fixed setting
   * @throws UncheckedIOException     if the file cannot be read
   */
  public static KafkaClients fromConfig(SparkGridConfig config, String bootstrapServers) {
    String file = config.get(SparkGridConfig.KAFKA_CLIENT_CONFIG_FILE);
    Map<String, String> fromFile = Map.of();
    if (!file.isEmpty()) {
      fromFile = readSettings(Path.of(file));
    } else {
      KafkaHome home = KafkaHome.of(config);
      if (home.bootstrapServers().filter(b -> b.equals(bootstrapServers.strip())).isPresent()
          && Files.exists(home.clientPropertiesFile())) {
        fromFile = readSettings(home.clientPropertiesFile());
      }
    }
    checkNotFixed(fromFile, file.isEmpty() ? "the embedded broker's client.properties" : file);
    Map<String, String> merged = new TreeMap<>(fromFile);
    Map<String, String> passThrough = config.kafkaClientSettings();
    for (Map.Entry<String, String> e : passThrough.entrySet()) {
      Optional<Fixed> fixed = fixed(e.getKey());
      if (fixed.isPresent()) {
        throw refused(SparkGridConfig.KAFKA_CLIENT_PREFIX + e.getKey(), fixed.get());
      }
      merged.put(e.getKey(), e.getValue());
    }
    return of(bootstrapServers, merged);
  }

  /**
   * The settings in a Java properties file (Kafka's {@code --command-config} format), as read,
   * values trimmed. The file may reference secrets through config providers.
   *
   * @throws UncheckedIOException if it cannot be read, naming it
   */
  public static Map<String, String> readSettings(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Kafka client settings from " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> m = new TreeMap<>();
    for (String name : p.stringPropertyNames()) {
      m.put(name, p.getProperty(name).strip());
    }
    return m;
  }

  /** These clients with {@code more} settings, each replacing one of the same name. */
  public KafkaClients with(Map<String, String> more) {
    Map<String, String> merged = new TreeMap<>(settings);
    merged.putAll(more);
    return of(bootstrapServers, merged);
  }

  /** The brokers, {@code host:port,...}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The standard client settings given to every client (may hold secrets: do not log the values). */
  public Map<String, String> settings() {
    return settings;
  }

  /**
   * A producer of bytes (acks=all, idempotent) named {@code clientId}.
   *
   * @param defaults SparkGrid's tuning for this producer ({@code linger.ms} ...), which the
   *     pass-through may override
   * @throws IllegalArgumentException if {@code defaults} sets a fixed setting
   */
  public KafkaProducer<byte[], byte[]> producer(String clientId, Map<String, Object> defaults) {
    return new KafkaProducer<>(producerConfig(bootstrapServers, settings, clientId, defaults),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * A consumer of bytes (no auto-commit, read_committed, earliest) named {@code clientId}, in
   * {@code groupId} (null: no group, for assign and seek).
   *
   * @throws IllegalArgumentException if {@code defaults} sets a fixed setting
   */
  public KafkaConsumer<byte[], byte[]> consumer(String clientId, String groupId, Map<String, Object> defaults) {
    return new KafkaConsumer<>(consumerConfig(bootstrapServers, settings, clientId, groupId, defaults),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** An admin client named {@code clientId}. */
  public Admin admin(String clientId) {
    return Admin.create(adminConfig(bootstrapServers, settings, clientId, Map.of()));
  }

  /** An admin client named {@code clientId}, with SparkGrid's tuning (timeouts ...) that the pass-through may override. */
  public Admin admin(String clientId, Map<String, Object> defaults) {
    return Admin.create(adminConfig(bootstrapServers, settings, clientId, defaults));
  }

  @Override
  public String toString() {
    return "KafkaClients[" + bootstrapServers + ", settings " + settings.keySet() + "]";
  }

  /** A producer's properties: defaults, then the pass-through for producers, then the fixed settings. */
  static Map<String, Object> producerConfig(String bootstrap, Map<String, String> settings, String clientId,
      Map<String, Object> defaults) {
    Map<String, Object> p = base(ProducerConfig.configNames(), settings, clientId, defaults);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return p;
  }

  /** A consumer's properties: defaults, then the pass-through for consumers, then the fixed settings. */
  static Map<String, Object> consumerConfig(String bootstrap, Map<String, String> settings, String clientId,
      String groupId, Map<String, Object> defaults) {
    Map<String, Object> p = base(ConsumerConfig.configNames(), settings, clientId, defaults);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  /** An admin client's properties: defaults, then the pass-through for admin clients, then the brokers. */
  static Map<String, Object> adminConfig(String bootstrap, Map<String, String> settings, String clientId,
      Map<String, Object> defaults) {
    Map<String, Object> p = base(AdminClientConfig.configNames(), settings, clientId, defaults);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return p;
  }

  private static Map<String, Object> base(Set<String> known, Map<String, String> settings, String clientId,
      Map<String, Object> defaults) {
    Objects.requireNonNull(clientId, "clientId");
    for (String name : defaults.keySet()) {
      fixed(name).ifPresent(f -> {
        throw new IllegalArgumentException("client default " + name + " is fixed by SparkGrid: " + f.reason());
      });
    }
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    defaults.forEach((name, value) -> {
      if (appliesTo(name, known)) {
        p.put(name, value);
      }
    });
    for (Map.Entry<String, String> e : settings.entrySet()) {
      if (appliesTo(e.getKey(), known)) {
        p.put(e.getKey(), e.getValue());
      }
    }
    p.putAll(providers(settings));
    return p;
  }

  /**
   * Whether a pass-through setting goes to a client that knows {@code known}: yes if it knows it,
   * if it is a config-provider setting, or if no kind of client knows it (so Kafka warns of a typo).
   */
  static boolean appliesTo(String setting, Set<String> known) {
    if (known.contains(setting) || setting.equals(CONFIG_PROVIDERS) || setting.startsWith(CONFIG_PROVIDERS + ".")) {
      return true;
    }
    return !ProducerConfig.configNames().contains(setting) && !ConsumerConfig.configNames().contains(setting)
        && !AdminClientConfig.configNames().contains(setting);
  }

  /**
   * The {@code env} and {@code file} config providers, where a value references a provider
   * ({@code ${...}}) and the settings declare none; else nothing.
   */
  static Map<String, Object> providers(Map<String, String> settings) {
    if (settings.containsKey(CONFIG_PROVIDERS) || settings.values().stream().noneMatch(v -> v.contains("${"))) {
      return Map.of();
    }
    Map<String, Object> p = new HashMap<>();
    p.put(CONFIG_PROVIDERS, "env,file");
    p.put(CONFIG_PROVIDERS + ".env.class", EnvVarConfigProvider.class.getName());
    p.put(CONFIG_PROVIDERS + ".file.class", FileConfigProvider.class.getName());
    return p;
  }

  /** The fixed setting of that name, if it is one. */
  static Optional<Fixed> fixed(String setting) {
    return FIXED.stream().filter(f -> f.setting().equals(setting)).findFirst();
  }

  private static void checkNotFixed(Map<String, String> settings) {
    checkNotFixed(settings, null);
  }

  private static void checkNotFixed(Map<String, String> settings, String source) {
    for (String name : new TreeMap<>(settings).keySet()) {
      Optional<Fixed> f = fixed(name);
      if (f.isPresent()) {
        throw refused(source == null ? SparkGridConfig.KAFKA_CLIENT_PREFIX + name : name + " in " + source, f.get());
      }
    }
  }

  private static IllegalArgumentException refused(String where, Fixed f) {
    return new IllegalArgumentException(where + " is refused: SparkGrid sets " + f.setting() + " itself, because "
        + f.reason() + "; remove it");
  }
}
