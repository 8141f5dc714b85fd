package org.sparkgrid.ingest.kafka;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.sparkgrid.ingest.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) run as a child JVM from
 * the Maven Central {@code kafka_2.12} jars, for {@code bin/sparkgrid serve --embedded-kafka} and
 * for trying SparkGrid on one machine. The child keeps the broker's classpath out of the
 * application's.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(System.getProperty("user.home"), ".sparkgrid", "kafka"))) {
 *   String bootstrap = kafka.bootstrapServers();   // e.g. 127.0.0.1:40123
 *   try (SparkGridClient client = SparkGridClient.connect(bootstrap)) { ... }
 * }                                                 // stops the broker; its data stays in the directory
 * }</pre>
 *
 * <p>{@link #startSecure} starts the same broker with a SASL_SSL listener (SCRAM-SHA-512), TLS
 * certificates and credentials generated once in {@code dir/security} ({@link BrokerSecurity}),
 * Kafka's {@code StandardAuthorizer} and SparkGrid's ACLs; {@link #serviceClients()} and
 * {@link #requesterClients()} then carry the service's and the requester's credentials:
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.startSecure(home.resolve("kafka/secure"), Topics.DEFAULT)) {
 *   try (Admin admin = kafka.serviceClients().admin("sparkgrid-serve")) {
 *     Topics.DEFAULT.createMissing(admin, 1, (short) 1);
 *   }
 *   try (SparkGridClient client = SparkGridClient.connect(kafka.requesterClients())) { ... }
 * }
 * }</pre>
 *
 * <p>In {@code dir}: {@code server.properties} (written on every start, with free ports on
 * 127.0.0.1), {@code data/} (formatted with {@code kafka.tools.StorageTool format} on first use
 * and kept), {@code broker.log}. The broker's classpath is the one Maven resolved at build time
 * (resource {@value #CLASSPATH_RESOURCE}), or the system property {@value #CLASSPATH_PROPERTY}.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  /** The classpath resource with the broker's classpath, written by the build. */
  public static final String CLASSPATH_RESOURCE = "/org/sparkgrid/ingest/kafka/broker.classpath";

  /** A system property that overrides the broker's classpath. */
  public static final String CLASSPATH_PROPERTY = "sparkgrid.kafka.brokerClasspath";

  /** The broker's heap. */
  public static final String BROKER_HEAP = "-Xmx512m";

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final String bootstrapServers;
  private final Path logFile;
  private final BrokerSecurity security; // null: plaintext
  private final Topics topics; // of the ACLs; null: plaintext
  private final Thread shutdownHook;

  private EmbeddedKafka(Process process, String bootstrapServers, Path logFile, BrokerSecurity security,
      Topics topics) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.logFile = logFile;
    this.security = security;
    this.topics = topics;
    this.shutdownHook = new Thread(process::destroy, "sparkgrid-embedded-kafka-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a broker in {@code dir}, waiting up to 60 s for it to be ready. */
  public static EmbeddedKafka start(Path dir) {
    return start(dir, Duration.ofSeconds(60));
  }

  /**
   * Starts a broker in {@code dir} (created if missing) and waits until it answers.
   *
   * @throws IllegalStateException if the broker's classpath is missing or names a missing jar, or
   *     the broker exits or is not ready within {@code timeout} (the message ends with its log's tail)
   * @throws UncheckedIOException  if {@code dir} cannot be written
   */
  public static EmbeddedKafka start(Path dir, Duration timeout) {
    return start(dir, null, null, timeout);
  }

  /** Starts a secured broker in {@code dir}, waiting up to 120 s (the first start makes its certificates). */
  public static EmbeddedKafka startSecure(Path dir, Topics topics) {
    return startSecure(dir, topics, Duration.ofSeconds(120));
  }

  /**
   * Starts a broker in {@code dir} with a SASL_SSL listener (SCRAM-SHA-512) on 127.0.0.1, its
   * certificates and credentials in {@code dir/security} (made on first use), the
   * {@code StandardAuthorizer} and the ACLs of {@link BrokerSecurity#acls} on {@code topics}, and
   * waits until it answers. Use {@code dir} for a secured broker only: its storage is formatted with
   * the credentials.
   *
   * @throws IllegalStateException as {@link #start(Path, Duration)}, or if keytool or creating the
   *     ACLs fails
   * @throws UncheckedIOException  if {@code dir} cannot be written
   */
  public static EmbeddedKafka startSecure(Path dir, Topics topics, Duration timeout) {
    BrokerSecurity security = BrokerSecurity.prepare(dir.resolve("security"));
    return start(dir, security, java.util.Objects.requireNonNull(topics, "topics"), timeout);
  }

  private static EmbeddedKafka start(Path dir, BrokerSecurity security, Topics topics, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      Files.createDirectories(dir);
      String classpath = brokerClasspath();
      int brokerPort = freePort();
      int controllerPort = freePort();
      Path data = dir.resolve("data").toAbsolutePath();
      Path config = dir.resolve("server.properties").toAbsolutePath();
      String properties = security == null
          ? serverProperties(brokerPort, controllerPort, data)
          : commonProperties(controllerPort, data) + security.serverProperties(brokerPort, controllerPort);
      Secrets.writeOwnerOnly(config, properties); // the secured broker's holds passwords
      Path logFile = dir.resolve("broker.log").toAbsolutePath();

      if (!Files.exists(data.resolve("meta.properties"))) {
        format(classpath, config, security == null ? List.of() : security.formatArgs(), logFile, deadline);
      }
      Process broker = java(classpath, "kafka.Kafka", config.toString())
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
      String bootstrap = "127.0.0.1:" + brokerPort;
      EmbeddedKafka kafka = new EmbeddedKafka(broker, bootstrap, logFile, security, topics);
      try {
        kafka.awaitReady(deadline);
        if (security != null) {
          kafka.createAcls(BrokerSecurity.acls(topics, BrokerSecurity.SERVICE_USER, BrokerSecurity.REQUESTER_USER));
        }
      } catch (RuntimeException e) {
        kafka.close();
        throw e;
      }
      LOG.info("embedded Kafka ready on {}{} (data in {}, log {})", bootstrap,
          security == null ? "" : " (SASL_SSL, SCRAM-SHA-512, ACLs)", data, logFile);
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded Kafka in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** {@code host:port} for clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Whether the broker has the SASL_SSL listener and ACLs of {@link #startSecure}. */
  public boolean secure() {
    return security != null;
  }

  /** The service principal's client settings (SASL_SSL, its SCRAM password, the CA); empty for a plaintext broker. */
  public Map<String, String> serviceSettings() {
    return security == null ? Map.of() : security.clientSettings(BrokerSecurity.SERVICE_USER);
  }

  /** The requester's client settings; empty for a plaintext broker. */
  public Map<String, String> requesterSettings() {
    return security == null ? Map.of() : security.clientSettings(BrokerSecurity.REQUESTER_USER);
  }

  /** Clients of this broker as the service principal ({@value BrokerSecurity#SERVICE_USER}). */
  public KafkaClients serviceClients() {
    return KafkaClients.of(bootstrapServers, serviceSettings());
  }

  /** Clients of this broker as the requester ({@value BrokerSecurity#REQUESTER_USER}). */
  public KafkaClients requesterClients() {
    return KafkaClients.of(bootstrapServers, requesterSettings());
  }

  /** The requester's client properties file (0600, Kafka's {@code --command-config} format), for a secured broker. */
  public Optional<Path> requesterPropertiesFile() {
    return Optional.ofNullable(security).map(s -> s.clientPropertiesFile(BrokerSecurity.REQUESTER_USER));
  }

  /** The CA certificate clients trust (PEM), for a secured broker. */
  public Optional<Path> caCertificate() {
    return Optional.ofNullable(security).map(BrokerSecurity::caCertificate);
  }

  /** The broker's own log. */
  public Path logFile() {
    return logFile;
  }

  /** Whether the broker's JVM is running. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /** Stops the broker (a clean shutdown, forced after 30 s) and waits for its JVM to exit. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("embedded Kafka did not stop within {}; killing it", STOP_TIMEOUT);
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down
    }
  }

  /**
   * The broker's classpath: the system property {@value #CLASSPATH_PROPERTY} if set, else the
   * resource the build wrote.
   *
   * @throws IllegalStateException if there is none or an entry does not exist
   */
  static String brokerClasspath() throws IOException {
    String cp = System.getProperty(CLASSPATH_PROPERTY);
    if (cp == null) {
      try (InputStream in = EmbeddedKafka.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("no broker classpath: resource " + CLASSPATH_RESOURCE
              + " is missing (built by sparkgrid-ingest's pom) and " + CLASSPATH_PROPERTY + " is not set");
        }
        cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
    }
    for (String entry : cp.split(File.pathSeparator)) {
      if (!Files.exists(Path.of(entry))) {
        throw new IllegalStateException("broker classpath entry " + entry + " does not exist;"
            + " rebuild sparkgrid-ingest on this machine or set " + CLASSPATH_PROPERTY);
      }
    }
    return cp;
  }

  static String serverProperties(int brokerPort, int controllerPort, Path data) {
    return commonProperties(controllerPort, data) + String.join("\n",
        "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "auto.create.topics.enable=true",
        "");
  }

  /** The lines of every embedded broker: one KRaft node, single replicas; the listeners follow. */
  static String commonProperties(int controllerPort, Path data) {
    return String.join("\n",
        "# written by SparkGrid's EmbeddedKafka on every start",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "controller.listener.names=CONTROLLER",
        "log.dirs=" + data,
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "group.initial.rebalance.delay.ms=0",
        "");
  }

  private static void format(String classpath, Path config, List<String> extraArgs, Path logFile, long deadline)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
    args.addAll(extraArgs);
    Process p = java(classpath, "kafka.tools.StorageTool", args.toArray(new String[0]))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
    try {
      if (!p.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("formatting Kafka storage timed out" + tail(logFile));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while formatting Kafka storage", e);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("formatting Kafka storage failed (exit " + p.exitValue() + ")" + tail(logFile));
    }
  }

  private static ProcessBuilder java(String classpath, String main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(BROKER_HEAP);
    cmd.add("-XX:+UseG1GC");
    cmd.add("-Djava.awt.headless=true");
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(main);
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true);
  }

  private void awaitReady(long deadline) {
    Map<String, Object> timeouts = Map.of(
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    try (Admin admin = brokerClients().admin("sparkgrid-embedded-ready", timeouts)) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException("embedded Kafka exited with " + process.exitValue() + tail(logFile));
        }
        try {
          if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get().isEmpty()) {
            return;
          }
        } catch (ExecutionException e) {
          // not ready yet
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("embedded Kafka not ready in time" + tail(logFile));
        }
        Thread.sleep(200);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
    }
  }

  /** Clients as the broker's own super user (secured) or plain ones. */
  private KafkaClients brokerClients() {
    return KafkaClients.of(bootstrapServers,
        security == null ? Map.of() : security.clientSettings(BrokerSecurity.BROKER_USER));
  }

  /**
   * Adds a requester to the secured broker, or gives a known one its ACLs again: a SCRAM-SHA-512
   * credential with a random password (kept with the broker's secrets, 0600), the requester's ACLs
   * ({@link BrokerSecurity#requesterAcls}), and its client properties file.
   *
   * <pre>{@code
   * Path aliceProperties = kafka.addRequester("alice");   // .../security/alice.properties, mode 0600
   * }</pre>
   *
   * @return the requester's client properties file (Kafka's {@code --command-config} format)
   * @throws IllegalStateException    if this broker is not secured, or the broker refuses
   * @throws IllegalArgumentException if the name is not 1 to 64 of {@code [A-Za-z0-9._-]} or is SparkGrid's own
   */
  public Path addRequester(String name) {
    if (security == null) {
      throw new IllegalStateException("requesters have credentials on a secured broker only (startSecure)");
    }
    String password;
    try {
      password = security.addRequesterSecret(name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the credentials of requester " + name + ": " + e.getMessage(), e);
    }
    try (Admin admin = brokerClients().admin("sparkgrid-embedded-users")) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(name,
          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, BrokerSecurity.SCRAM_ITERATIONS), password)))
          .all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot add requester " + name + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while adding requester " + name, e);
    }
    createAcls(BrokerSecurity.requesterAcls(topics, name));
    return security.clientPropertiesFile(name);
  }

  /** Creates ACLs (again, on every start: creating an existing ACL changes nothing). */
  private void createAcls(List<AclBinding> acls) {
    try (Admin admin = brokerClients().admin("sparkgrid-embedded-acls")) {
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot create the embedded broker's ACLs: " + e + tail(logFile), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the embedded broker's ACLs", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The last 20 lines of the broker's log, for an error message. */
  private static String tail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return "; last lines of " + logFile + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "; see " + logFile;
    }
  }
}
