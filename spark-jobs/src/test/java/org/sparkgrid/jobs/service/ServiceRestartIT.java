package org.sparkgrid.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.kafka.EmbeddedKafka;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.jobs.ServiceMain;

/**
 * The service as a real process killed with SIGKILL mid-training and started again: a child JVM
 * runs {@link ServiceMain} (what {@code spark-submit --class org.sparkgrid.jobs.ServiceMain} runs)
 * on {@code local[2]}, with its job store in an H2 file and its models under a temporary home,
 * against a Kafka broker this test starts. Two requests go in; the service is killed with
 * {@code Process.destroyForcibly()} once the first job reported an epoch, and a second service
 * process is started on the same store. Both jobs must end SUCCEEDED, each run once, the first
 * resumed from its checkpoint rather than started again.
 */
class ServiceRestartIT {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  private static final int EPOCHS = 8;

  @TempDir Path dir;
  private EmbeddedKafka kafka;
  private final List<Process> services = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : services) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  /** A service process, logging to {@code service-N.log}. */
  private Process startService(int n) throws IOException {
    Process p = ServiceProcess.start(ServiceMain.class, List.of(
        "--master", "local[2]",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sparkgrid.home=" + dir.resolve("home"),
        "--conf", "spark.sparkgrid.kafka.bootstrapServers=" + kafka.bootstrapServers(),
        "--conf", "spark.sparkgrid.progress.enabled=false"), dir.resolve("service-" + n + ".log"));
    services.add(p);
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

  private static byte[] request(String id, int epochs, int limit) {
    return """
        {"schema": 1, "id": "%s",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [32]}},
         "data": {"format": "idx", "train": "file:%s/train", "limit": %d},
         "training": {"epochs": %d, "batchSize": 32, "seed": 1},
         "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(id, id, FMNIST, limit, epochs).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static List<String> types(List<JobEvent> events) {
    return events.stream().map(e -> e.payload().type()).toList();
  }

  @Test
  void aServiceKilledMidTrainingAndStartedAgainFinishesEveryJobOnceResumingFromTheCheckpoint() throws Exception {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.DEFAULT.createMissing(admin, 1, (short) 1);
    }
    List<JobEvent> first = new CopyOnWriteArrayList<>();
    List<JobEvent> second = new CopyOnWriteArrayList<>();
    // signed requests only: the operator's keys as a first serve on this home makes them, the client signing as 'local'
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", dir.resolve("home").toString()));
    ServiceProcess.operatorKeys(config);
    try (SparkGridClient client = ServiceProcess.client(config, () -> KafkaClients.plain(kafka.bootstrapServers()))) {
      assertThat(client.submit(request("restart-first", EPOCHS, 2000)).jobId()).isEqualTo("local.restart-first");
      client.submit(request("restart-second", 2, 500));
      Process service1 = startService(1);

      // SIGKILL the service as soon as the first job reports an epoch
      CountDownLatch epochSeen = new CountDownLatch(1);
      Thread watcher = new Thread(() -> {
        try {
          client.follow("local.restart-first", Duration.ofMinutes(5), e -> {
            if (e.payload() instanceof JobEvent.Epoch) {
              service1.destroyForcibly();
              epochSeen.countDown();
              throw new StopFollowing();
            }
          });
        } catch (StopFollowing stop) {
          // done
        }
      });
      watcher.setDaemon(true);
      watcher.start();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      boolean seen = false;
      while (!seen && service1.isAlive() && System.nanoTime() < deadline) {
        seen = epochSeen.await(1, TimeUnit.SECONDS);
      }
      assertThat(seen).as("an epoch of the first job before the kill%s", logs()).isTrue();
      service1.destroyForcibly();
      assertThat(service1.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(service1.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

      startService(2);
      first.clear();
      Optional<JobEvent> firstEnd = client.follow("local.restart-first", Duration.ofMinutes(8), first::add);
      Optional<JobEvent> secondEnd = client.follow("local.restart-second", Duration.ofMinutes(5), second::add);

      assertThat(firstEnd).as("the first job's end%s", logs()).isPresent();
      assertThat(firstEnd.get().payload()).as("%s%s", types(first), logs()).isInstanceOf(JobEvent.Succeeded.class);
      assertThat(secondEnd).as("the second job's end%s", logs()).isPresent();
      assertThat(secondEnd.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    }
    Process service2 = services.get(1);
    service2.destroy(); // SIGTERM: the service's shutdown hook closes it and its job store
    assertThat(service2.waitFor(60, TimeUnit.SECONDS)).isTrue();

    // the first job: started, killed after an epoch, resumed once (attempt 2) past the epochs it had
    // reported, not from epoch 1
    assertThat(first).extracting(e -> e.payload()).filteredOn(p -> p instanceof JobEvent.Started)
        .containsExactly(new JobEvent.Started(1), new JobEvent.Started(2));
    int restart = first.indexOf(first.stream().filter(e -> e.payload().equals(new JobEvent.Started(2)))
        .findFirst().orElseThrow());
    List<Integer> before = epochs(first.subList(0, restart));
    List<Integer> after = epochs(first.subList(restart, first.size()));
    System.out.printf("epochs reported before the kill: %s, after the restart: %s%n", before, after);
    assertThat(before).as("epochs before the kill").isNotEmpty();
    assertThat(after).as("epochs after the restart").isNotEmpty().isSorted().endsWith(EPOCHS);
    assertThat(after.get(0)).as("first epoch after the restart, epochs before: %s", before)
        .isGreaterThan(before.get(before.size() - 1));
    assertThat(first.stream().map(JobEvent::seq).toList()).as("event numbers go on across the restart")
        .doesNotHaveDuplicates();
    // the second job waited in the queue through the kill and ran once
    assertThat(second).extracting(e -> e.payload()).filteredOn(p -> p instanceof JobEvent.Started)
        .containsExactly(new JobEvent.Started(1));

    try (JobStore store = JdbcJobStore.openH2(dir.resolve("home/jobs"))) {
      List<Job> jobs = store.list(JobFilter.all());
      assertThat(jobs).extracting(Job::id).containsExactly("local.restart-first", "local.restart-second");
      assertThat(jobs).extracting(Job::state).containsOnly(JobState.SUCCEEDED);
      assertThat(jobs).extracting(Job::attempts).containsExactly(1, 0);
    }
    Path models = dir.resolve("home/store/models");
    for (String id : List.of("restart-first", "restart-second")) {
      assertThat(models.resolve(id + "/1/model.zip")).exists();
      assertThat(models.resolve(id + "/2")).as("registered once").doesNotExist();
    }
    JsonNode metrics = new ObjectMapper().readTree(models.resolve("restart-first/1/metrics.json").toFile());
    assertThat(metrics.get("epochs")).as("every epoch in the model's history").hasSize(EPOCHS);
  }

  /** Ends a {@link SparkGridClient#follow} from its callback. */
  private static final class StopFollowing extends RuntimeException {
    StopFollowing() {
      super(null, null, false, false);
    }
  }

  private static List<Integer> epochs(List<JobEvent> events) {
    return events.stream().map(JobEvent::payload).filter(p -> p instanceof JobEvent.Epoch)
        .map(p -> ((JobEvent.Epoch) p).epoch()).toList();
  }
}
