package org.sparkgrid.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.ingest.JobStoreControlHandler;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.events.KafkaEventPublisher;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.settlement.signing.PersonalSignatures;

/**
 * The service renews the leases of the jobs it runs: with a lease of 1.5 s, a second service
 * instance sharing the job store (a second store handle under another owner, claiming as a service
 * would) never takes over a job that trains for several leases, and the job succeeds once, owned by
 * the instance that ran it. Checkpoints are off, so the job changes phase only as it starts (a phase
 * change also extends the lease): without the renewal the other instance takes the job over within
 * a lease. A cancel that the other instance reads (the control topic's consumer group gives each
 * command to one instance) ends the job in the store; this instance drops it at its next renewal
 * and takes the next job. Real Kafka broker, H2 store file, Spark {@code local[2]}.
 */
class ServiceLeaseTest {
  private static final String FMNIST = ServiceHarness.FMNIST;
  private static final long LEASE_MS = 1_500;
  @TempDir static Path dir;
  private static ServiceHarness harness;
  private static JdbcJobStore storeA;
  private static JdbcJobStore storeB;
  private static SparkGridService service;
  private static SparkGridClient client;
  private static String storeUrl;

  @BeforeAll
  static void start() throws Exception {
    harness = ServiceHarness.start(dir, "ServiceLeaseTest");
    storeUrl = JdbcJobStore.h2Url(dir.resolve("jobs"));
    storeA = JdbcJobStore.open(config("instance-a", storeUrl));
    storeB = JdbcJobStore.open(config("instance-b", storeUrl));
    service = harness.startService(config("instance-a", storeUrl), storeA); // the client signs as 'local'
    client = harness.client();
  }

  private static SparkGridConfig config(String owner, String url) {
    // no checkpoints: no phase changes, which also extend the lease, so only the renewal holds it
    return ServiceHarness.config(dir, Map.of("spark.sparkgrid.jobs.jdbcUrl", url, "spark.sparkgrid.jobs.owner", owner,
        "spark.sparkgrid.jobs.leaseMs", String.valueOf(LEASE_MS), "spark.sparkgrid.checkpoint.enabled", "false"));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {harness, storeB, storeA}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void aJobTrainingForSeveralLeasesIsNeverTakenOverByTheOtherInstance() throws Exception {
    client.submit(RequestCodec.parse("""
        {"schema": 1, "id": "long-job",
         "model": {"name": "long-job", "architecture": "mlp", "mlp": {"hidden": [64]}},
         "data": {"format": "idx", "train": "file:%s/train", "limit": 4000},
         "training": {"epochs": 30, "batchSize": 32, "seed": 1},
         "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(FMNIST)));
    awaitRunning("local.long-job");

    // the other instance asks for work every 250 ms while the job trains, for at least 4 leases
    List<String> takenOver = new ArrayList<>();
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4 * LEASE_MS);
    int claims = 0;
    while (System.nanoTime() < until && storeA.get("local.long-job").map(j -> j.state() == JobState.RUNNING).orElse(false)) {
      storeB.claimNext().ifPresent(j -> takenOver.add(j.id()));
      claims++;
      Thread.sleep(250);
    }
    Optional<JobEvent> end = client.follow("local.long-job", Duration.ofMinutes(3), e -> { });

    assertThat(claims).as("claims made while the job ran (it must outlive several leases)").isGreaterThan(10);
    assertThat(takenOver).as("jobs the second instance took over").isEmpty();
    assertThat(end).isPresent();
    assertThat(end.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    Job job = storeA.get("local.long-job").orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job.owner()).isEqualTo("instance-a");
    assertThat(job.attempts()).as("earlier attempts").isZero();
  }

  @Test
  void aCancelReadByTheOtherInstanceStopsTheJobWhereItRunsAtItsNextLeaseRenewal() throws Exception {
    client.submit(RequestCodec.parse("""
        {"schema": 1, "id": "cancel-elsewhere",
         "model": {"name": "cancel-elsewhere", "architecture": "mlp", "mlp": {"hidden": [64]}},
         "data": {"format": "idx", "train": "file:%s/train", "limit": 4000},
         "training": {"epochs": 30, "batchSize": 32, "seed": 1},
         "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(FMNIST)));
    awaitRunning("local.cancel-elsewhere");

    // the control topic's consumer group hands a cancel to one instance; here it is the other one,
    // which cancels in the store (its own Spark context runs nothing of this job)
    List<String> stoppedAtB = new ArrayList<>();
    // signed with the service's key, as every instance on this home signs its events (the client believes no other)
    try (KafkaEventPublisher eventsB = KafkaEventPublisher.create(harness.bootstrapServers(), Topics.DEFAULT.events(),
        storeB).signedBy(PersonalSignatures.signer(ServiceKey.load(config("instance-b", storeUrl))))) {
      new JobStoreControlHandler(storeB, eventsB, stoppedAtB::add).cancel("local.cancel-elsewhere");
    }
    long cancelledAt = System.nanoTime();
    // instance A (one job at a time) must stop it and take the next job
    client.submit(RequestCodec.parse("""
        {"schema": 1, "id": "after-cancel",
         "model": {"name": "after-cancel", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "file:%s/train", "limit": 300},
         "training": {"epochs": 1, "batchSize": 32, "seed": 1},
         "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(FMNIST)));
    Optional<JobEvent> next = client.follow("local.after-cancel", Duration.ofMinutes(2), e -> { });
    double nextEndedAfterS = (System.nanoTime() - cancelledAt) / 1e9;
    List<JobEvent> events = client.events("local.cancel-elsewhere", Duration.ofSeconds(5));

    assertThat(stoppedAtB).as("stopped at the instance that read the cancel").containsExactly("local.cancel-elsewhere");
    assertThat(next).isPresent();
    assertThat(next.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    System.out.printf("the next job succeeded %.1f s after the cancel%n", nextEndedAfterS);
    assertThat(storeA.get("local.cancel-elsewhere").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    List<String> types = events.stream().map(e -> e.payload().type()).toList();
    assertThat(types).as("events of the cancelled job").contains("cancelled").doesNotContain("succeeded", "failed");
    int cancelled = types.indexOf("cancelled");
    assertThat(types.subList(cancelled + 1, types.size())).as("events after the cancel").doesNotContain("epoch");
    assertThat(storeA.get("local.after-cancel").orElseThrow().owner()).isEqualTo("instance-a");
  }

  private static void awaitRunning(String id) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < until) {
      if (storeA.get(id).map(j -> j.state() == JobState.RUNNING).orElse(false)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(id + " never started: " + storeA.get(id));
  }
}
