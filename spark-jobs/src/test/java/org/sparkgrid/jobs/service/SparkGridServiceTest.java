package org.sparkgrid.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.kafka.EmbeddedKafka;

/**
 * The request service end to end: a real Kafka broker (the embedded one, a child JVM), the job
 * store on an H2 file, Spark {@code local[2]}; requests go in through Kafka with the client and
 * come out as registered models and events.
 */
class SparkGridServiceTest {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  @TempDir static Path dir;
  private static EmbeddedKafka kafka;
  private static JavaSparkContext sc;
  private static JobStore store;
  private static SparkGridService service;
  private static SparkGridClient client;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.DEFAULT.createMissing(admin, 1, (short) 1);
    }
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("SparkGridServiceTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.scheduler.mode", "FAIR"));
    sc.setLogLevel("ERROR");
    store = JdbcJobStore.openH2(dir.resolve("jobs"));
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", dir.resolve("home").toString(),
        "spark.sparkgrid.progress.enabled", "false"));
    service = new SparkGridService(sc, config, kafka.bootstrapServers(), Topics.DEFAULT, store);
    service.start();
    client = SparkGridClient.connect(kafka.bootstrapServers());
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {client, service, store}) {
      if (c != null) {
        c.close();
      }
    }
    if (sc != null) {
      sc.stop();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  private static TrainingRequest request(String id, int epochs, int limit) {
    return request(id, epochs, limit, "{}");
  }

  private static TrainingRequest request(String id, int epochs, int limit, String timeouts) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [32]}},
         "data": {"format": "idx", "train": "file:%s/train", "test": "file:%s/t10k", "limit": %d},
         "training": {"epochs": %d, "batchSize": 32, "seed": 1, "timeouts": %s},
         "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(id, id, FMNIST, FMNIST, limit, epochs, timeouts));
  }

  @Test
  void aRequestSentToKafkaBecomesARegisteredModelWithItsEvents() {
    List<JobEvent> seen = new CopyOnWriteArrayList<>();
    client.submit(request("svc-one", 2, 800));

    Optional<JobEvent> end = client.follow("svc-one", Duration.ofMinutes(5), seen::add);

    assertThat(end).isPresent();
    assertThat(end.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    assertThat(((JobEvent.Succeeded) end.get().payload()).model()).isEqualTo("svc-one");
    assertThat(seen).extracting(e -> e.payload().getClass().getSimpleName())
        .containsSubsequence("Queued", "Started", "Epoch", "Epoch", "Succeeded");
    assertThat(store.get("svc-one").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(dir.resolve("home/store/models/svc-one/1/model.zip")).exists();
  }

  @Test
  void theSameIdSentAgainRunsOnceAndSaysSo() throws Exception {
    client.submit(request("svc-dup", 1, 300));
    assertThat(client.follow("svc-dup", Duration.ofMinutes(5), e -> { })).isPresent();
    long seqBefore = store.get("svc-dup").orElseThrow().eventSeq();

    client.submit(request("svc-dup", 1, 300));
    long deadline = System.currentTimeMillis() + 30_000;
    while (store.get("svc-dup").orElseThrow().eventSeq() == seqBefore && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    Thread.sleep(3_000); // time enough to start it a second time, were it to

    assertThat(store.get("svc-dup").orElseThrow().eventSeq()).isEqualTo(seqBefore + 1); // the duplicate event
    assertThat(store.get("svc-dup").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(store.get("svc-dup").orElseThrow().attempts()).isZero();
    assertThat(dir.resolve("home/store/models/svc-dup/2")).doesNotExist();
  }

  @Test
  void aRunningJobIsCancelledThroughTheControlTopic() throws Exception {
    client.submit(request("svc-cancel", 200, 3000));
    List<JobEvent> seen = new CopyOnWriteArrayList<>();
    Thread follower = new Thread(() -> client.follow("svc-cancel", Duration.ofMinutes(3), seen::add));
    follower.start();
    long deadline = System.currentTimeMillis() + 120_000;
    while (store.get("svc-cancel").map(j -> j.state() != JobState.RUNNING).orElse(true)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    Thread.sleep(2_000);

    client.cancel("svc-cancel");
    follower.join(120_000);

    assertThat(seen).extracting(e -> e.payload().getClass().getSimpleName()).contains("Cancelled")
        .doesNotContain("Succeeded");
    assertThat(store.get("svc-cancel").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aJobOverItsTrainLimitEndsTimedOutNamingThePhaseAndTheNextJobRuns() {
    List<JobEvent> seen = new CopyOnWriteArrayList<>();
    client.submit(request("svc-slow", 50, 2000, "{\"trainMs\": 1}"));
    client.submit(request("svc-after-slow", 1, 300));

    Optional<JobEvent> end = client.follow("svc-slow", Duration.ofMinutes(5), seen::add);
    Optional<JobEvent> next = client.follow("svc-after-slow", Duration.ofMinutes(5), e -> { });

    assertThat(end).isPresent();
    assertThat(end.get().payload()).isEqualTo(new JobEvent.TimedOut("train"));
    assertThat(seen).extracting(e -> e.payload().getClass().getSimpleName())
        .containsSubsequence("Queued", "Started", "TimedOut")
        .doesNotContain("Succeeded", "Failed");
    Job slow = store.get("svc-slow").orElseThrow();
    assertThat(slow.state()).isEqualTo(JobState.TIMED_OUT);
    assertThat(slow.phase()).isEqualTo("train");
    assertThat(slow.error()).isEqualTo("timed out in phase train");
    assertThat(dir.resolve("home/store/models/svc-slow")).doesNotExist();
    assertThat(next).isPresent();
    assertThat(next.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    assertThat(store.get("svc-after-slow").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
  }
}
