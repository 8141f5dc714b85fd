package org.sparkgrid.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;

/**
 * The embedded broker of a service killed with SIGKILL: a child JVM ({@link BrokerServiceStandIn})
 * starts the broker as {@code serve --embedded-kafka} does and is killed with SIGKILL while a
 * client follows a job's events through the address recorded under the home. The broker must exit
 * by itself within seconds, the first restart must come up (on the same port when it is free, on
 * another when not), and the follower must see every event once across both restarts.
 */
class EmbeddedKafkaSurvivesServiceTest {

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : started) {
      p.destroy(); // SIGTERM: the service's shutdown hook stops its broker and waits for it
      p.waitFor(60, TimeUnit.SECONDS);
    }
    for (Path brokerDir : List.of(dir.resolve("kafka/data"), dir.resolve("kafka/secure"))) {
      Optional<EmbeddedKafka.BrokerPid> pid = EmbeddedKafka.BrokerPid.read(brokerDir.resolve(EmbeddedKafka.PID_FILE));
      pid.flatMap(b -> ProcessHandle.of(b.pid())).ifPresent(h -> h.onExit().join());
    }
  }

  @Test
  void aPlaintextBrokerDiesWithItsServiceAndTheFirstRestartComesUpForAFollowingClient() throws Exception {
    killAndRestart(false, true);
  }

  @Test
  void aSecureBrokerDiesWithItsServiceAndTheFirstRestartComesUpForAFollowingClient() throws Exception {
    killAndRestart(true, false);
  }

  @Test
  void aStartStopsABrokerLeftRunningOnItsDirectoryAndTakesItsPort() throws Exception {
    KafkaHome home = new KafkaHome(dir.resolve("kafka"));
    Process service = startService(home, false, 1);
    String first = ready(service);
    long orphanPid = EmbeddedKafka.BrokerPid.read(home.plainBrokerDir().resolve(EmbeddedKafka.PID_FILE))
        .orElseThrow().pid();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(home.plainBrokerDir(), Duration.ofSeconds(120))) {
      assertThat(ProcessHandle.of(orphanPid).filter(ProcessHandle::isAlive)).as("the broker left running").isEmpty();
      assertThat(kafka.bootstrapServers()).as("its port taken again").isEqualTo(first);
      assertThat(EmbeddedKafka.BrokerPid.read(home.plainBrokerDir().resolve(EmbeddedKafka.PID_FILE)).orElseThrow().pid())
          .isNotEqualTo(orphanPid);
    }
    assertThat(home.plainBrokerDir().resolve(EmbeddedKafka.PID_FILE)).as("removed by close").doesNotExist();
  }

  @Test
  void aStartThatFailsNamesTheFirstErrorTheBrokerLoggedHereTheDataDirectoryLock() throws Exception {
    Path brokerDir = dir.resolve("locked");
    EmbeddedKafka.start(brokerDir, Duration.ofSeconds(120)).close(); // formats the storage
    try (java.nio.channels.FileChannel lockFile = java.nio.channels.FileChannel.open(
            brokerDir.resolve("data/.lock"), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock = lockFile.tryLock()) {
      assertThat(lock).as("the test holds the data directory's lock, as another broker would").isNotNull();
      assertThatThrownBy(() -> EmbeddedKafka.start(brokerDir, Duration.ofSeconds(120)))
          .isInstanceOf(IllegalStateException.class)
          .satisfies(e -> System.out.println("start refused: " + e.getMessage().lines().findFirst().orElse("")))
          .hasMessageStartingWith("embedded Kafka exited with 1: ")
          .satisfies(e -> assertThat(e.getMessage().lines().findFirst().orElse(""))
              .as("the first line names the lock").containsIgnoringCase("lock"));
    }
  }

  @Test
  void firstErrorIsTheFirstErrorLineWithItsExceptionAndCauses() {
    List<String> log = List.of(
        "[main] INFO kafka.server.KafkaConfig - KafkaConfig values:",
        "[main] ERROR kafka.Kafka$ - Exiting Kafka due to fatal exception during startup.",
        "java.lang.RuntimeException: Failed to acquire lock on file .lock in /h/kafka/data/data.",
        "\tat kafka.utils.FileLock.lock(FileLock.scala:42)",
        "Caused by: java.nio.channels.OverlappingFileLockException",
        "\t... 3 more",
        "[main] ERROR kafka.server.BrokerServer - later",
        "[main] INFO kafka.Kafka$ - shut down");
    assertThat(EmbeddedKafka.firstError(log)).contains("[main] ERROR kafka.Kafka$ - Exiting Kafka due to fatal"
        + " exception during startup. / java.lang.RuntimeException: Failed to acquire lock on file .lock in"
        + " /h/kafka/data/data. / Caused by: java.nio.channels.OverlappingFileLockException");
    assertThat(EmbeddedKafka.firstError(List.of("[main] INFO a - b", "[main] WARN c - d"))).isEmpty();
  }

  private void killAndRestart(boolean secure, boolean moveOnSecondRestart) throws Exception {
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", dir.toString()));
    KafkaHome home = KafkaHome.of(config);
    Path brokerDir = secure ? home.secureBrokerDir() : home.plainBrokerDir();
    String job = "survives-" + (secure ? "secure" : "plain");

    Process service = startService(home, secure, 1);
    String first = ready(service);
    assertThat(home.bootstrapServers()).contains(first);
    publish(home, brokerDir, secure, new JobEvent(job, 1, Instant.now(), new JobEvent.Started(1)));

    // a client that follows the job through the recorded address, as submit --wait does
    List<JobEvent> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<Optional<JobEvent>> end = CompletableFuture.supplyAsync(() -> {
      try (SparkGridClient client = SparkGridClient.connect(() -> KafkaClients.fromConfig(config), Topics.DEFAULT)) {
        return client.follow(job, Duration.ofMinutes(4), seen::add);
      }
    });
    awaitEvents(seen, 1);

    long gone = killAndAwaitBroker(service, brokerDir);
    System.out.printf("%s broker exited %d ms after its service's SIGKILL%n", secure ? "secure" : "plaintext", gone);
    assertThat(gone).as("ms until the orphan broker exited").isLessThan(20_000);

    service = startService(home, secure, 2);
    String second = ready(service);
    assertThat(second).as("the first restart takes the recorded port again").isEqualTo(first);
    assertThat(brokerLog(brokerDir)).doesNotContain("Failed to acquire lock");
    publish(home, brokerDir, secure, new JobEvent(job, 2, Instant.now(), new JobEvent.Epoch(1, Map.of("loss", 0.5))));
    awaitEvents(seen, 2);

    JobEvent last = new JobEvent(job, 3, Instant.now(), new JobEvent.Succeeded("m", "1", Map.of()));
    if (moveOnSecondRestart) {
      killAndAwaitBroker(service, brokerDir);
      int port = Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
      try (ServerSocket taken = new ServerSocket()) { // the old port is taken meanwhile: the broker moves
        taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        service = startService(home, secure, 3);
        String third = ready(service);
        assertThat(third).as("a new port when the old one is taken").isNotEqualTo(first);
        assertThat(home.bootstrapServers()).contains(third);
        publish(home, brokerDir, secure, last);
      }
    } else {
      publish(home, brokerDir, secure, last);
    }
    Optional<JobEvent> terminal = end.get(3, TimeUnit.MINUTES);
    assertThat(terminal).as("the follower's end, events seen: %s", seen).contains(last);
    assertThat(seen).extracting(JobEvent::seq).as("each event once, in order").containsExactly(1L, 2L, 3L);
  }

  /** SIGKILLs the service and returns the ms until its broker's JVM (pid in broker.pid) is gone. */
  private static long killAndAwaitBroker(Process service, Path brokerDir) throws Exception {
    long brokerPid = EmbeddedKafka.BrokerPid.read(brokerDir.resolve(EmbeddedKafka.PID_FILE)).orElseThrow().pid();
    ProcessHandle broker = ProcessHandle.of(brokerPid).orElseThrow();
    assertThat(EmbeddedKafka.isBrokerOf(broker.info().commandLine().orElse(""),
        brokerDir.resolve("server.properties").toAbsolutePath())).as("the recorded pid is the broker's").isTrue();
    service.destroyForcibly();
    assertThat(service.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(service.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    long killed = System.nanoTime();
    broker.onExit().get(60, TimeUnit.SECONDS);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
  }

  private Process startService(KafkaHome home, boolean secure, int n) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), BrokerServiceStandIn.class.getName(),
        home.dir().toString()));
    if (secure) {
      cmd.add("secure");
    }
    Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("service-" + n + ".err").toFile()).start();
    started.add(p);
    return p;
  }

  /** The address the service printed once its broker was ready. */
  private String ready(Process service) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        for (String l = out.readLine(); l != null; l = out.readLine()) {
          if (l.startsWith("READY ")) {
            return l.substring("READY ".length());
          }
        }
        return null;
      } catch (IOException e) {
        return null;
      }
    });
    String address = line.get(3, TimeUnit.MINUTES);
    assertThat(address).as("the service's broker came up; its stderr: %s", errors()).isNotNull();
    return address;
  }

  private String errors() throws IOException {
    StringBuilder b = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".err")).sorted().toList()) {
        b.append("\n--- ").append(f.getFileName()).append('\n').append(Files.readString(f));
      }
    }
    return b.toString();
  }

  private static String brokerLog(Path brokerDir) throws IOException {
    return Files.readString(brokerDir.resolve("broker.log"));
  }

  /** Writes an event as the service does, with the service principal's settings on a secured broker. */
  private static void publish(KafkaHome home, Path brokerDir, boolean secure, JobEvent event) throws Exception {
    Map<String, String> settings = secure
        ? BrokerSecurity.prepare(brokerDir.resolve("security")).clientSettings(BrokerSecurity.SERVICE_USER)
        : Map.of();
    KafkaClients clients = KafkaClients.of(home.bootstrapServers().orElseThrow(), settings);
    try (KafkaProducer<byte[], byte[]> producer = clients.producer("test-events", Map.of())) {
      producer.send(new ProducerRecord<>(Topics.DEFAULT.events(), event.jobId().getBytes(StandardCharsets.UTF_8),
          event.toJson())).get(60, TimeUnit.SECONDS);
    }
  }

  private static void awaitEvents(List<JobEvent> seen, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (seen.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(seen).as("events the follower saw").hasSize(n);
  }
}
