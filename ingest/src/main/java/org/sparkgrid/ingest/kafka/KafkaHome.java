package org.sparkgrid.ingest.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.Topics;

/**
 * Where {@code serve --embedded-kafka} keeps its broker under SparkGrid's home, and what it records
 * there for the client commands and the notebooks: the broker's address ({@code bootstrap.servers})
 * and the client settings a requester needs ({@code client.properties}, mode 0600).
 *
 * <pre>{@code
 * KafkaHome home = KafkaHome.of(config);                         // <home>/kafka
 * try (EmbeddedKafka kafka = home.startBroker(true, Topics.DEFAULT)) {   // what serve --embedded-kafka --secure does
 *   KafkaClients service = kafka.serviceClients();
 *   KafkaClients requester = KafkaClients.fromConfig(config);  // finds the address and client.properties
 * }
 * }</pre>
 *
 * @param dir {@code <home>/kafka}
 */
public record KafkaHome(Path dir) {

  /** {@code <home>/kafka} of this configuration. */
  public static KafkaHome of(SparkGridConfig config) {
    return new KafkaHome(Path.of(config.home(), "kafka"));
  }

  /**
   * The broker's address, recorded by the last {@code serve --embedded-kafka}; rewritten when a
   * restarted broker had to take another port ({@code SparkGridClient}s made with a supplier of
   * clients, as {@code submit --wait}'s, re-read it and reconnect).
   */
  public Path bootstrapFile() {
    return dir.resolve("bootstrap.servers");
  }

  /** The requester's client settings for that broker (Kafka's {@code --command-config} format). */
  public Path clientPropertiesFile() {
    return dir.resolve("client.properties");
  }

  /** The plaintext broker's directory. */
  public Path plainBrokerDir() {
    return dir.resolve("data");
  }

  /** The secured broker's directory (its certificates and credentials in {@code security/}). */
  public Path secureBrokerDir() {
    return dir.resolve("secure");
  }

  /**
   * Starts the embedded broker of {@code serve --embedded-kafka}: plaintext in
   * {@link #plainBrokerDir()}, or secured ({@link EmbeddedKafka#startSecure}) in
   * {@link #secureBrokerDir()}; then {@linkplain #record records} its address and the requester's
   * settings for the clients.
   *
   * @throws IllegalStateException as {@link EmbeddedKafka#start(Path, java.time.Duration)}
   * @throws UncheckedIOException  if the home cannot be written
   */
  public EmbeddedKafka startBroker(boolean secure, Topics topics) {
    EmbeddedKafka kafka = secure ? EmbeddedKafka.startSecure(secureBrokerDir(), topics)
        : EmbeddedKafka.start(plainBrokerDir());
    try {
      record(kafka.bootstrapServers(), kafka.requesterSettings());
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    return kafka;
  }

  /** The recorded broker address, if any. */
  public Optional<String> bootstrapServers() {
    try {
      return Files.exists(bootstrapFile())
          ? Optional.of(Files.readString(bootstrapFile(), StandardCharsets.UTF_8).strip()).filter(s -> !s.isEmpty())
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + bootstrapFile() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Records a running embedded broker for the clients: its address, and its requester's client
   * settings (empty for the plaintext broker), readable by the owner only.
   *
   * @throws UncheckedIOException if the files cannot be written
   */
  public void record(String bootstrapServers, Map<String, String> clientSettings) {
    try {
      Files.createDirectories(dir);
      // written aside then moved: a client re-reading the address never sees it half written
      Path tmp = dir.resolve("bootstrap.servers.tmp");
      Files.writeString(tmp, bootstrapServers, StandardCharsets.UTF_8);
      Files.move(tmp, bootstrapFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Secrets.writeOwnerOnly(clientPropertiesFile(), Secrets.properties(
          "client settings for the embedded broker at " + bootstrapServers + ", written by serve --embedded-kafka",
          clientSettings));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the embedded broker in " + dir + ": " + e.getMessage(), e);
    }
  }
}
