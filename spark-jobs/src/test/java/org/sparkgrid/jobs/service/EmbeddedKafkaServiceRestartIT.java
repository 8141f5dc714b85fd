package org.sparkgrid.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.ingest.kafka.KafkaHome;
import org.sparkgrid.jobs.cli.SparkGridCli;

/**
 * {@code serve --embedded-kafka} as a real process killed with SIGKILL during a job and started
 * once: a child JVM runs {@link SparkGridCli} {@code serve --embedded-kafka} on {@code local[2]}
 * under a temporary home; a client finds the broker through the address the service recorded there
 * (as {@code submit --wait} does) and follows a job. At the job's first epoch the service is killed;
 * its broker must exit by itself within seconds, the one restart must come up (no lock failure),
 * and the job must finish once, resumed, with the client following it across the restart.
 */
class EmbeddedKafkaServiceRestartIT {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  private static final int EPOCHS = 6;

  @TempDir Path dir;
  private final List<Process> services = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : services) {
      p.destroy(); // SIGTERM: the service stops, and its broker with it
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    brokerPid().flatMap(ProcessHandle::of).ifPresent(h -> {
      try {
        h.onExit().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    });
  }

  private Path home() {
    return dir.resolve("home");
  }

  private Optional<Long> brokerPid() throws IOException {
    Path pidFile = home().resolve("kafka/data/broker.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    return Files.readAllLines(pidFile).stream().filter(l -> l.startsWith("pid="))
        .map(l -> Long.parseLong(l.substring(4).strip())).findFirst();
  }

  /** {@code serve --embedded-kafka}, logging to {@code service-N.log}; returns once it says it runs. */
  private Process startService(int n) throws Exception {
    Path log = dir.resolve("service-" + n + ".log");
    Process p = ServiceProcess.start(SparkGridCli.class, List.of("serve", "--embedded-kafka",
        "--master", "local[2]",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sparkgrid.home=" + home(),
        "--conf", "spark.sparkgrid.progress.enabled=false"), log);
    services.add(p);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (System.nanoTime() < deadline && p.isAlive()
        && !(Files.exists(log) && Files.readString(log).contains("[sparkgrid] service running"))) {
      Thread.sleep(250);
    }
    assertThat(p.isAlive()).as("service %d is running%s", n, logs()).isTrue();
    assertThat(Files.readString(log)).as("service %d came up%s", n, logs()).contains("[sparkgrid] service running");
    return p;
  }

  private String logs() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int n = 1; n <= 2; n++) {
      Path log = dir.resolve("service-" + n + ".log");
      if (Files.exists(log)) {
        List<String> lines = Files.readAllLines(log);
        b.append("\n--- service-").append(n).append(".log (last 40 lines)\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      }
    }
    return b.toString();
  }

  private static byte[] request(String id) {
    return """
        {"schema": 1, "id": "%s",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [32]}},
         "data": {"format": "idx", "train": "file:%s/train", "limit": 2000},
         "training": {"epochs": %d, "batchSize": 32, "seed": 1},
         "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(id, id, FMNIST, EPOCHS).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void serveEmbeddedKafkaKilledDuringAJobAndStartedOnceComesUpAndTheJobFinishesOnce() throws Exception {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    String id = "embedded-restart";
    String job = "local." + id; // signed by the operator's admin 'local', which serve made
    Process service1 = startService(1);
    long broker1 = brokerPid().orElseThrow();
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", home().toString()));
    String address1 = KafkaHome.of(config).bootstrapServers().orElseThrow();

    List<JobEvent> events = new CopyOnWriteArrayList<>();
    AtomicLong killedAt = new AtomicLong();
    Optional<JobEvent> end;
    // as submit --wait: the clients are found again under the home while following
    try (SparkGridClient client = ServiceProcess.client(config, () -> KafkaClients.fromConfig(config))) {
      assertThat(client.submit(request(id)).jobId()).isEqualTo(job);
      Optional<JobEvent> beforeKill = client.follow(job, Duration.ofMinutes(5), e -> {
        events.add(e);
        if (e.payload() instanceof JobEvent.Epoch && killedAt.get() == 0) {
          service1.destroyForcibly(); // SIGKILL during the job
          killedAt.set(System.nanoTime());
          throw new StopFollowing();
        }
      });
      assertThat(beforeKill).as("no end before the kill%s", logs()).isEmpty();
    } catch (StopFollowing stop) {
      // killed at the first epoch
    }
    assertThat(killedAt.get()).as("an epoch before the kill, events: %s%s", events, logs()).isNotZero();
    assertThat(service1.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(service1.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    ProcessHandle.of(broker1).ifPresent(h -> h.onExit().join());
    long brokerGoneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt.get());
    System.out.printf("the embedded broker exited %d ms after its service's SIGKILL%n", brokerGoneMs);
    assertThat(brokerGoneMs).as("ms until the broker exited after its service").isLessThan(20_000);

    int seenBeforeRestart = events.size();
    try (SparkGridClient client = ServiceProcess.client(config, () -> KafkaClients.fromConfig(config))) {
      startService(2); // started once
      assertThat(Files.readString(dir.resolve("service-2.log"))).doesNotContain("Failed to acquire lock");
      assertThat(KafkaHome.of(config).bootstrapServers()).as("the recorded port taken again").contains(address1);
      events.clear();
      end = client.follow(job, Duration.ofMinutes(8), events::add);
    }
    assertThat(end).as("the job's end, events: %s%s", events, logs()).isPresent();
    assertThat(end.get().payload()).as("%s%s", events, logs()).isInstanceOf(JobEvent.Succeeded.class);
    assertThat(events).extracting(JobEvent::payload).filteredOn(p -> p instanceof JobEvent.Started)
        .as("started, killed, resumed once").containsExactly(new JobEvent.Started(1), new JobEvent.Started(2));
    assertThat(events).extracting(JobEvent::payload).filteredOn(p -> p.terminal()).as("one end").hasSize(1);
    assertThat(events.stream().map(JobEvent::seq).toList()).doesNotHaveDuplicates();
    System.out.printf("events before the kill: %d; all events after the restart: %d%n", seenBeforeRestart, events.size());

    Process service2 = services.get(1);
    service2.destroy();
    assertThat(service2.waitFor(90, TimeUnit.SECONDS)).isTrue();
    try (JobStore store = JdbcJobStore.openH2(home().resolve("jobs"))) {
      List<Job> jobs = store.list(JobFilter.all());
      assertThat(jobs).extracting(Job::id).containsExactly(job);
      assertThat(jobs).extracting(Job::state).containsExactly(JobState.SUCCEEDED);
      assertThat(jobs).extracting(Job::attempts).as("run once more after the kill").containsExactly(1);
    }
    Path models = home().resolve("store/models");
    assertThat(models.resolve(id + "/1/model.zip")).exists();
    assertThat(models.resolve(id + "/2")).as("registered once").doesNotExist();
  }

  /** Ends a {@link SparkGridClient#follow} from its callback. */
  private static final class StopFollowing extends RuntimeException {
    StopFollowing() {
      super(null, null, false, false);
    }
  }
}
