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
 * <p>In {@code dir}: {@code server.properties} (written on every start, on 127.0.0.1, with the
 * ports of the previous start where they are still free, else free ones), {@code data/} (formatted
 * with {@code kafka.tools.StorageTool format} on first use and kept), {@code broker.log},
 * {@code broker.pid} (the running broker's pid and ports) and {@code launcher/} ({@link BrokerMain}).
 *
 * <p>The broker dies with the JVM that started it, even one killed with SIGKILL: its main class
 * {@link BrokerMain} watches the parent and shuts the broker down cleanly when it is gone. A start
 * that finds a broker of an earlier start still running on the same directory (its pid recorded in
 * {@code broker.pid}) stops it first (SIGTERM, then SIGKILL after 30 s). When the broker cannot
 * start, the exception's message begins with the first error it logged (e.g. the data directory's
 * lock held by another process), then the log's last lines.
 *
 * <p>The broker's classpath is the one Maven resolved at build time (resource {@value #CLASSPATH_RESOURCE}), or the system property {@value #CLASSPATH_PROPERTY}.
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

  /** A system property of the broker's JVM: its {@code server.properties}, which identifies it. */
  public static final String BROKER_CONFIG_PROPERTY = "sparkgrid.broker.config";

  /** The file in the broker's directory with its pid and ports ({@link BrokerPid}). */
  public static final String PID_FILE = "broker.pid";

  private final Process process;
  private final String bootstrapServers;
  private final Path logFile;
  private final long logStart; // the log's size before this start: the first error after it is the cause
  private final Path pidFile;
  private final BrokerSecurity security; // null: plaintext
  private final Topics topics; // of the ACLs; null: plaintext
  private final Thread shutdownHook;

  private EmbeddedKafka(Process process, String bootstrapServers, Path logFile, long logStart, Path pidFile,
      BrokerSecurity security, Topics topics) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.logFile = logFile;
    this.logStart = logStart;
    this.pidFile = pidFile;
    this.security = security;
    this.topics = topics;
    this.shutdownHook = new Thread(() -> stopOnExit(process), "sparkgrid-embedded-kafka-stop");
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
      String classpath = launcherClasspath(dir) + File.pathSeparator + brokerClasspath();
      Path config = dir.resolve("server.properties").toAbsolutePath();
      Path pidFile = dir.resolve(PID_FILE).toAbsolutePath();
      Optional<BrokerPid> previous = BrokerPid.read(pidFile);
      previous.ifPresent(p -> stopOrphan(p, config));
      int brokerPort = previous.map(BrokerPid::brokerPort).filter(EmbeddedKafka::portFree)
          .orElseGet(EmbeddedKafka::freePort);
      int controllerPort = previous.map(BrokerPid::controllerPort).filter(p -> p != brokerPort)
          .filter(EmbeddedKafka::portFree).orElseGet(EmbeddedKafka::freePort);
      Path data = dir.resolve("data").toAbsolutePath();
      String properties = security == null
          ? serverProperties(brokerPort, controllerPort, data)
          : commonProperties(controllerPort, data) + security.serverProperties(brokerPort, controllerPort);
      Secrets.writeOwnerOnly(config, properties); // the secured broker's holds passwords
      Path logFile = dir.resolve("broker.log").toAbsolutePath();
      long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;

      if (!Files.exists(data.resolve("meta.properties"))) {
        format(classpath, config, security == null ? List.of() : security.formatArgs(), logFile, deadline);
      }
      Process broker = java(classpath, brokerMark(config), BrokerMain.class.getName(), config.toString())
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
      new BrokerPid(broker.pid(), brokerPort, controllerPort).write(pidFile);
      String bootstrap = "127.0.0.1:" + brokerPort;
      EmbeddedKafka kafka = new EmbeddedKafka(broker, bootstrap, logFile, logStart, pidFile, security, topics);
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

  /**
   * What a running broker records in {@code dir/broker.pid}: its JVM's pid and its ports, so the
   * next start finds a broker left running and takes the same ports again (clients that recorded
   * the address keep working).
   */
  record BrokerPid(long pid, int brokerPort, int controllerPort) {

    /** The recorded broker, or empty if there is no readable record. */
    static Optional<BrokerPid> read(Path file) {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      try {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          p.load(in);
        }
        return Optional.of(new BrokerPid(Long.parseLong(p.getProperty("pid").strip()),
            Integer.parseInt(p.getProperty("brokerPort").strip()),
            Integer.parseInt(p.getProperty("controllerPort").strip())));
      } catch (IOException | RuntimeException e) {
        LOG.warn("ignoring unreadable {}: {}", file, e.toString());
        return Optional.empty();
      }
    }

    void write(Path file) throws IOException {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, "# the embedded broker's JVM and ports, written by SparkGrid's EmbeddedKafka\n"
          + "pid=" + pid + "\nbrokerPort=" + brokerPort + "\ncontrollerPort=" + controllerPort + "\n",
          StandardCharsets.UTF_8);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /**
   * Stops a broker left running on {@code config} (its service was killed before the broker
   * noticed): SIGTERM, a clean shutdown of up to 30 s, then SIGKILL. A recorded pid that is gone,
   * or now belongs to another program, is left alone.
   *
   * @throws IllegalStateException if the broker still runs after SIGKILL
   */
  static void stopOrphan(BrokerPid recorded, Path config) {
    Optional<ProcessHandle> handle = ProcessHandle.of(recorded.pid()).filter(ProcessHandle::isAlive);
    if (handle.isEmpty()) {
      return;
    }
    String commandLine = handle.get().info().commandLine().orElse("");
    if (!isBrokerOf(commandLine, config)) {
      return; // the pid was reused by another program
    }
    ProcessHandle orphan = handle.get();
    LOG.warn("an embedded broker from an earlier start still runs (pid {}, port {}): stopping it",
        recorded.pid(), recorded.brokerPort());
    orphan.destroy();
    if (!awaitExit(orphan, STOP_TIMEOUT)) {
      LOG.warn("the earlier broker (pid {}) did not stop within {}; killing it", recorded.pid(), STOP_TIMEOUT);
      orphan.destroyForcibly();
      if (!awaitExit(orphan, STOP_TIMEOUT)) {
        throw new IllegalStateException("the earlier embedded broker (pid " + recorded.pid() + ") on " + config
            + " still runs after SIGKILL; stop it and start again");
      }
    }
  }

  /**
   * The broker JVM's first arguments: the {@code server.properties} it runs on, which marks it as
   * this directory's broker (first, as a long command line is read back cut short), and the pid of
   * the JVM it must die with.
   */
  static List<String> brokerMark(Path config) {
    return List.of("-D" + BROKER_CONFIG_PROPERTY + "=" + config,
        "-D" + BrokerMain.PARENT_PID_PROPERTY + "=" + ProcessHandle.current().pid());
  }

  /** Whether a process's command line is the embedded broker's on this {@code server.properties}. */
  static boolean isBrokerOf(String commandLine, Path config) {
    return commandLine.contains("-D" + BROKER_CONFIG_PROPERTY + "=" + config + " ");
  }

  private static boolean awaitExit(ProcessHandle p, Duration timeout) {
    try {
      p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return !p.isAlive();
    } catch (ExecutionException e) {
      return !p.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }

  /**
   * A directory holding {@link BrokerMain} alone, the broker's main class, copied from this
   * application's classes on every start so the broker's classpath gets nothing else of SparkGrid.
   */
  static String launcherClasspath(Path dir) throws IOException {
    Path launcher = dir.resolve("launcher").toAbsolutePath();
    String name = BrokerMain.class.getName().replace('.', '/') + ".class";
    Path target = launcher.resolve(name);
    Files.createDirectories(target.getParent());
    try (InputStream in = EmbeddedKafka.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IllegalStateException("class resource /" + name + " is missing from the application");
      }
      Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return launcher.toString();
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

  /** At the JVM's exit: a clean shutdown of the broker, waited for up to 30 s so its logs are closed first. */
  private static void stopOnExit(Process process) {
    process.destroy();
    try {
      process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
      if (!process.isAlive() && BrokerPid.read(pidFile).filter(p -> p.pid() == process.pid()).isPresent()) {
        Files.deleteIfExists(pidFile);
      }
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", pidFile, e.toString());
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
    Process p = java(classpath, List.of(), "kafka.tools.StorageTool", args.toArray(new String[0]))
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

  private static ProcessBuilder java(String classpath, List<String> first, String main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(first);
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
          throw new IllegalStateException("embedded Kafka exited with " + process.exitValue()
              + firstError(logFile, logStart).map(c -> ": " + c).orElse("") + tail(logFile));
        }
        try {
          if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get().isEmpty()) {
            return;
          }
        } catch (ExecutionException e) {
          // not ready yet
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("embedded Kafka not ready in time"
              + firstError(logFile, logStart).map(c -> ": " + c).orElse("") + tail(logFile));
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

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  /** Whether {@code port} on 127.0.0.1 can be listened on now. */
  static boolean portFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true); // as the broker's listener: a port in TIME_WAIT is free
      s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The first error the broker logged after byte {@code from} of its log: the first line with
   * {@code ERROR} or {@code FATAL} and the exception line under it (e.g. the data directory's lock
   * held by another broker), as one line; empty if there is none.
   */
  static Optional<String> firstError(Path logFile, long from) {
    List<String> lines;
    try {
      byte[] all = Files.readAllBytes(logFile);
      int start = (int) Math.min(Math.max(0, from), all.length);
      lines = new String(all, start, all.length - start, StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      return Optional.empty();
    }
    return firstError(lines);
  }

  /** As {@link #firstError(Path, long)}, over lines of a log. */
  static Optional<String> firstError(List<String> lines) {
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.contains(" ERROR ") || line.contains(" FATAL ")) {
        StringBuilder cause = new StringBuilder(line.strip());
        for (int j = i + 1; j < lines.size() && j <= i + 10; j++) {
          String next = lines.get(j).strip();
          if (next.startsWith("Caused by: ") || (j == i + 1 && next.matches("[\\w.$]+(Exception|Error)(: .*)?"))) {
            cause.append(" / ").append(next);
          } else if (!next.startsWith("at ") && !next.startsWith("...")) {
            break;
          }
        }
        return Optional.of(cause.toString());
      }
    }
    return Optional.empty();
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
