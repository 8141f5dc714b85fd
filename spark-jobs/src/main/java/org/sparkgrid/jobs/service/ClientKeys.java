package org.sparkgrid.jobs.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.signing.LocalKeys;
import org.sparkgrid.settlement.signing.PersonalSignatures;

/**
 * The keys of a SparkGrid client (the CLI's {@code submit}, {@code cancel}, {@code exclude-site},
 * the notebooks): the requester key that signs requests and control commands, and the service
 * account whose events it believes. Never a key on the command line.
 *
 * <p>The requester key, the first of: the V3 keystore of {@code spark.sparkgrid.requester.keystore}
 * (password from {@code spark.sparkgrid.requester.passwordFile}, else asked at the terminal); the
 * hex private key in the environment variable {@value #REQUESTER_KEY_ENV}; the operator's own key
 * {@code <home>/keys/requester.json} with {@code <home>/keys/requester.password}, which {@code serve}
 * makes and registers as requester {@code local}. Its namespace is
 * {@code spark.sparkgrid.requester.name} (default {@code local}).
 *
 * <p>The service account: {@code spark.sparkgrid.events.serviceAccount}, else the one the service
 * wrote to {@code <home>/keys/service.account}, else none (events are not verified).
 *
 * <pre>{@code
 * try (SparkGridClient client = ClientKeys.client(config, () -> KafkaClients.fromConfig(config), Topics.DEFAULT)) {
 *   String jobId = client.submit(request).jobId();   // signed; local.<id>
 * }
 * }</pre>
 */
public final class ClientKeys {
  /** The environment variable with a requester's hex private key. */
  public static final String REQUESTER_KEY_ENV = "SPARKGRID_REQUESTER_KEY";
  /** The base name of the operator's requester key under {@code <home>/keys}. */
  public static final String REQUESTER = "requester";

  private ClientKeys() {}

  /**
   * A requester key and where it came from, for the line that says who signs.
   *
   * @param key    the key
   * @param name   the requester's namespace ({@code spark.sparkgrid.requester.name})
   * @param source where the key was found, e.g. {@code /home/me/.sparkgrid/keys/requester.json}
   */
  public record Requester(ChainKey key, String name, String source) {
    /** E.g. {@code signing as requester local, account 0x..., key from /home/me/.sparkgrid/keys/requester.json}. */
    public String describe() {
      return "signing as requester " + name + ", account " + key.address() + ", key from " + source;
    }
  }

  /**
   * The requester key (see the class comment), if any is given.
   *
   * @param env the environment, normally {@code System::getenv}
   * @throws IllegalArgumentException if a keystore or password file is missing or does not open,
   *     or the variable is not a hex key, naming which
   * @throws IOException if a file cannot be read
   */
  public static Optional<Requester> requester(SparkGridConfig config, UnaryOperator<String> env) throws IOException {
    String name = config.get(SparkGridConfig.REQUESTER_NAME);
    String keystore = config.get(SparkGridConfig.REQUESTER_KEYSTORE);
    if (!keystore.isEmpty()) {
      String passwordFile = config.get(SparkGridConfig.REQUESTER_PASSWORD_FILE);
      return Optional.of(new Requester(ChainKey.fromKeystore(Path.of(keystore),
          passwordFile.isEmpty() ? null : Path.of(passwordFile)), name, keystore));
    }
    String hex = env.apply(REQUESTER_KEY_ENV);
    if (hex != null && !hex.isBlank()) {
      try {
        return Optional.of(new Requester(ChainKey.fromEnvironment(REQUESTER_KEY_ENV, env), name,
            "the environment variable " + REQUESTER_KEY_ENV));
      } catch (IllegalStateException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
    Path dir = ServiceKey.keysDirectory(config);
    Path home = LocalKeys.keystore(dir, REQUESTER);
    if (Files.isRegularFile(home)) {
      return Optional.of(new Requester(ChainKey.fromKeystore(home, LocalKeys.passwordFile(dir, REQUESTER)), name,
          home.toString()));
    }
    return Optional.empty();
  }

  /**
   * The requester key, which a command that signs must have.
   *
   * @throws IllegalArgumentException if none is given, in one line naming the three ways to give one
   * @throws IOException if a file cannot be read
   */
  public static Requester requireRequester(SparkGridConfig config, UnaryOperator<String> env) throws IOException {
    return requester(config, env).orElseThrow(() -> new IllegalArgumentException("no requester key to sign with:"
        + " run `bin/sparkgrid serve` once on this home to make " + LocalKeys.keystore(ServiceKey.keysDirectory(config),
        REQUESTER) + ", or set spark.sparkgrid.requester.keystore (and spark.sparkgrid.requester.passwordFile) to a"
        + " V3 keystore, or set the environment variable " + REQUESTER_KEY_ENV + " to a hex private key"));
  }

  /**
   * The service account whose events the client believes: {@code spark.sparkgrid.events.serviceAccount},
   * else the first line of {@code <home>/keys/service.account}; empty if neither.
   *
   * @throws IOException if the account file cannot be read
   */
  public static Optional<String> serviceAccount(SparkGridConfig config) throws IOException {
    String configured = config.get(SparkGridConfig.EVENTS_SERVICE_ACCOUNT);
    if (!configured.isEmpty()) {
      return Optional.of(configured);
    }
    Path file = ServiceKey.accountFile(config);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    String line = Files.readString(file).strip();
    return line.isEmpty() ? Optional.empty() : Optional.of(line);
  }

  /**
   * A client builder that signs with {@code requester} (when not null) and believes the
   * {@link #serviceAccount service account} (when there is one).
   *
   * @throws IOException if the account file cannot be read
   */
  public static SparkGridClient.Builder builder(SparkGridConfig config, Supplier<KafkaClients> clients,
      Requester requester) throws IOException {
    SparkGridClient.Builder b = SparkGridClient.builder(clients);
    if (requester != null) {
      b.signer(PersonalSignatures.signer(requester.key()), requester.name());
    }
    serviceAccount(config).ifPresent(a -> b.serviceAccount(a, PersonalSignatures.RECOVERY));
    return b;
  }

  /**
   * For notebooks and applications: a client that signs with the requester key and believes the
   * service account (see the class comment).
   *
   * @throws IllegalArgumentException if there is no requester key, naming the three ways to give one
   * @throws IOException if a file cannot be read
   */
  public static SparkGridClient client(SparkGridConfig config, Supplier<KafkaClients> clients, Topics topics)
      throws IOException {
    return builder(config, clients, requireRequester(config, System::getenv)).topics(topics).build();
  }
}
