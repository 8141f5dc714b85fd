package org.sparkgrid.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;

/**
 * The request service end to end: a real Kafka broker (the embedded one, a child JVM), the job
 * store on an H2 file, Spark {@code local[2]}; requests go in through Kafka with the client and
 * come out as registered models and events.
 */
class SparkGridServiceTest {
  private static final String FMNIST = ServiceHarness.FMNIST;
  @TempDir static Path dir;
  private static ServiceHarness harness;
  private static JobStore store;
  private static SparkGridService service;
  private static SparkGridClient client;

  @BeforeAll
  static void start() throws Exception {
    harness = ServiceHarness.start(dir, "SparkGridServiceTest");
    // signed requests only: the service makes the operator's admin 'local' and its key, which the harness client
    // and bin/sparkgrid exclude-site sign with; request ids become local.<id>
    store = JdbcJobStore.openH2(dir.resolve("jobs"));
    service = harness.startService(ServiceHarness.config(dir, Map.of()), store);
    client = harness.client();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {harness, store}) {
      if (c != null) {
        c.close();
      }
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
    String job = client.submit(request("svc-one", 2, 800)).jobId();

    assertThat(job).isEqualTo("local.svc-one"); // the requester's namespace, the id the client signed
    Optional<JobEvent> end = client.follow(job, Duration.ofMinutes(5), seen::add);

    assertThat(end).isPresent();
    assertThat(end.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    assertThat(((JobEvent.Succeeded) end.get().payload()).model()).isEqualTo("svc-one");
    assertThat(seen).extracting(e -> e.payload().getClass().getSimpleName())
        .containsSubsequence("Queued", "Started", "Epoch", "Epoch", "Succeeded");
    assertThat(store.get("local.svc-one").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(dir.resolve("home/store/models/svc-one/1/model.zip")).exists();
  }

  @Test
  void aThreeTrialSweepRegistersTheBest() throws Exception {
    // Prepare: three learning rates, two trials at once, one worker each
    TrainingRequest sweep = RequestCodec.parse("""
        {"schema": 1, "id": "svc-sweep",
         "model": {"name": "svc-sweep", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "file:%s/train", "test": "file:%s/t10k", "limit": 600},
         "training": {"epochs": 1, "batchSize": 32, "seed": 1},
         "engine": {"workers": 1, "averagingFrequency": 5},
         "sweep": {"parameters": {"training.updater.learningRate": [0.0001, 0.003, 0.03]}, "maxConcurrent": 2}}
        """.formatted(FMNIST, FMNIST));
    List<JobEvent> seen = new CopyOnWriteArrayList<>();

    // Execute
    client.submit(sweep);
    Optional<JobEvent> end = client.follow("local.svc-sweep", Duration.ofMinutes(5), seen::add);

    // Assert: a trial event per trial, the best of them registered, alone
    assertThat(end).isPresent();
    assertThat(end.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    List<JobEvent.Trial> trials = seen.stream().map(JobEvent::payload)
        .filter(JobEvent.Trial.class::isInstance).map(JobEvent.Trial.class::cast).toList();
    assertThat(trials).extracting(JobEvent.Trial::trial).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(trials).allMatch(t -> t.error() == null && t.metrics().containsKey("accuracy"));
    JobEvent.Trial best = trials.stream()
        .sorted(Comparator.comparingDouble((JobEvent.Trial t) -> -t.metrics().get("accuracy"))
            .thenComparingInt(JobEvent.Trial::trial))
        .findFirst().orElseThrow();
    JobEvent.Succeeded done = (JobEvent.Succeeded) end.get().payload();
    assertThat(done.modelVersion()).isEqualTo("1");
    assertThat(done.metrics().get("accuracy")).isEqualTo(best.metrics().get("accuracy"));
    assertThat(dir.resolve("home/store/models/svc-sweep/2")).doesNotExist();
    ObjectMapper json = new ObjectMapper();
    JsonNode metrics = json.readTree(
        dir.resolve("home/store/models/svc-sweep/1/metrics.json").toFile());
    assertThat(metrics.get("accuracy").doubleValue()).isEqualTo(best.metrics().get("accuracy"));
    assertThat(metrics.get("loss").doubleValue()).isEqualTo(best.metrics().get("loss"));

    // Assert: the leaderboard in the job's result, best first
    JsonNode result = json.readTree(store.get("local.svc-sweep").orElseThrow().resultJson());
    assertThat(result.get("version").asInt()).isEqualTo(1);
    assertThat(result.at("/sweep/winner").asInt()).isEqualTo(best.trial());
    assertThat(result.at("/sweep/trials")).hasSize(3);
    assertThat(result.at("/sweep/trials/0/trial").asInt()).isEqualTo(best.trial());
    assertThat(result.at("/sweep/trials/0/metrics/accuracy").doubleValue()).isEqualTo(best.metrics().get("accuracy"));
  }

  @Test
  void theSameIdSentAgainRunsOnceAndSaysSo() throws Exception {
    client.submit(request("svc-dup", 1, 300));
    assertThat(client.follow("local.svc-dup", Duration.ofMinutes(5), e -> { })).isPresent();
    long seqBefore = store.get("local.svc-dup").orElseThrow().eventSeq();

    client.submit(request("svc-dup", 1, 300));
    long deadline = System.currentTimeMillis() + 30_000;
    while (store.get("local.svc-dup").orElseThrow().eventSeq() == seqBefore && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    Thread.sleep(3_000); // time enough to start it a second time, were it to

    assertThat(store.get("local.svc-dup").orElseThrow().eventSeq()).isEqualTo(seqBefore + 1); // the duplicate event
    assertThat(store.get("local.svc-dup").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(store.get("local.svc-dup").orElseThrow().attempts()).isZero();
    assertThat(dir.resolve("home/store/models/svc-dup/2")).doesNotExist();
  }

  @Test
  void aRunningJobIsCancelledThroughTheControlTopic() throws Exception {
    client.submit(request("svc-cancel", 200, 3000));
    List<JobEvent> seen = new CopyOnWriteArrayList<>();
    Thread follower = new Thread(() -> client.follow("local.svc-cancel", Duration.ofMinutes(3), seen::add));
    follower.start();
    long deadline = System.currentTimeMillis() + 120_000;
    while (store.get("local.svc-cancel").map(j -> j.state() != JobState.RUNNING).orElse(true)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    Thread.sleep(2_000);

    client.cancel("local.svc-cancel");
    follower.join(120_000);

    assertThat(seen).extracting(e -> e.payload().getClass().getSimpleName()).contains("Cancelled")
        .doesNotContain("Succeeded");
    assertThat(store.get("local.svc-cancel").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aTreeJobPublishesItsRoundsAndASiteCanBeExcludedWhileItRuns() throws Exception {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    org.sparkgrid.jobs.data.ExampleShard all = org.sparkgrid.jobs.data.IdxReader.read(conf, FMNIST + "/train", 1200);
    int[][] split = org.sparkgrid.federation.split.DatasetSplits.iid(all.count(), 4, 5);
    List<org.sparkgrid.federation.sites.FederationFile.Site> sites = new java.util.ArrayList<>();
    for (int s = 0; s < 4; s++) {
      Path p = dir.resolve("svc-sites/site-0" + (s + 1));
      Files.createDirectories(p);
      org.sparkgrid.jobs.data.IdxWriter.write(conf, p.resolve("train").toString(), all, split[s]);
      sites.add(new org.sparkgrid.federation.sites.FederationFile.Site("site-0" + (s + 1), "file:" + p.resolve("train"),
          org.sparkgrid.settlement.chain.LocalChain.derive(org.sparkgrid.settlement.chain.LocalChain.DEV_MNEMONIC, s + 1)
              .address(), 1.0, List.of(), new org.sparkgrid.federation.sites.FederationFile.SiteKey.Dev(s + 1)));
    }
    // the operator registers the federation in the service's registry (<home>/federations); the request names it
    org.sparkgrid.federation.sites.FederationRegistry.at(dir.resolve("home/federations")).add(
        new org.sparkgrid.federation.sites.RegisteredFederation("svc-sites",
            new org.sparkgrid.federation.sites.FederationFile(sites, java.util.Set.of()), java.math.BigInteger.ZERO,
            java.math.BigInteger.ZERO));
    client.submit(RequestCodec.parse("""
        {"schema": 1, "id": "svc-tree", "mode": "tree",
         "model": {"name": "svc-tree", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "file:%s/t10k", "test": "file:%s/t10k", "limit": 300},
         "training": {"epochs": 1, "batchSize": 32, "seed": 1},
         "federation": {"name": "svc-sites", "rounds": 6, "minSites": 2}}
        """.formatted(FMNIST, FMNIST)));
    List<JobEvent> seen = new CopyOnWriteArrayList<>();
    Thread follower = new Thread(() -> client.follow("local.svc-tree", Duration.ofMinutes(5), seen::add));
    follower.start();
    long deadline = System.currentTimeMillis() + 180_000;
    while (seen.stream().noneMatch(e -> e.payload() instanceof JobEvent.Round) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }

    int rc;
    try {
      rc = org.sparkgrid.jobs.cli.SparkGridCli.execute("exclude-site", "local.svc-tree", "site-02",
          "--conf", "spark.sparkgrid.home=" + dir.resolve("home"),
          "--conf", "spark.sparkgrid.jobs.jdbcUrl=" + JdbcJobStore.h2Url(dir.resolve("jobs")),
          "--conf", "spark.sparkgrid.kafka.bootstrapServers=" + harness.bootstrapServers());
    } finally {
      for (String key : List.of("spark.sparkgrid.home", "spark.sparkgrid.jobs.jdbcUrl",
          "spark.sparkgrid.kafka.bootstrapServers")) {
        System.clearProperty(key);
      }
    }
    follower.join(300_000);

    assertThat(rc).as("bin/sparkgrid exclude-site local.svc-tree site-02").isZero();

    assertThat(seen.get(seen.size() - 1).payload()).isInstanceOf(JobEvent.Succeeded.class);
    List<JobEvent.Round> rounds = seen.stream().filter(e -> e.payload() instanceof JobEvent.Round)
        .map(e -> (JobEvent.Round) e.payload()).toList();
    assertThat(rounds).extracting(JobEvent.Round::round).containsExactly(0, 1, 2, 3, 4, 5);
    assertThat(rounds.get(0).rounds()).isEqualTo(6);
    assertThat(rounds.get(0).metrics()).containsKeys("testAccuracy", "testLoss", "seconds");
    assertThat(rounds.get(0).accepted()).containsExactly("site-01", "site-02", "site-03", "site-04");
    assertThat(rounds.get(0).contributions()).extracting(JobEvent.SiteContribution::site)
        .containsExactly("site-01", "site-02", "site-03", "site-04");
    int excludedAt = -1;
    for (int i = 0; i < seen.size(); i++) {
      if (seen.get(i).payload() instanceof JobEvent.SiteExcluded x && x.site().equals("site-02")) {
        excludedAt = i;
      }
    }
    assertThat(excludedAt).as("a site-excluded event").isPositive();
    // the round running when the command came may still merge site-02; every round that started after it may not
    List<JobEvent.Round> after = seen.subList(excludedAt, seen.size()).stream()
        .filter(e -> e.payload() instanceof JobEvent.Round).map(e -> (JobEvent.Round) e.payload()).skip(1).toList();
    assertThat(after).isNotEmpty().allSatisfy(r -> {
      assertThat(r.accepted()).doesNotContain("site-02");
      assertThat(r.excluded()).containsExactly("site-02");
    });
  }

  @Test
  void aJobOverItsTrainLimitEndsTimedOutNamingThePhaseAndTheNextJobRuns() {
    List<JobEvent> seen = new CopyOnWriteArrayList<>();
    client.submit(request("svc-slow", 50, 2000, "{\"trainMs\": 1}"));
    client.submit(request("svc-after-slow", 1, 300));

    Optional<JobEvent> end = client.follow("local.svc-slow", Duration.ofMinutes(5), seen::add);
    Optional<JobEvent> next = client.follow("local.svc-after-slow", Duration.ofMinutes(5), e -> { });

    assertThat(end).isPresent();
    assertThat(end.get().payload()).isEqualTo(new JobEvent.TimedOut("train"));
    assertThat(seen).extracting(e -> e.payload().getClass().getSimpleName())
        .containsSubsequence("Queued", "Started", "TimedOut")
        .doesNotContain("Succeeded", "Failed");
    Job slow = store.get("local.svc-slow").orElseThrow();
    assertThat(slow.state()).isEqualTo(JobState.TIMED_OUT);
    assertThat(slow.phase()).isEqualTo("train");
    assertThat(slow.error()).isEqualTo("timed out in phase train");
    assertThat(dir.resolve("home/store/models/svc-slow")).doesNotExist();
    assertThat(next).isPresent();
    assertThat(next.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    assertThat(store.get("local.svc-after-slow").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
  }
}
