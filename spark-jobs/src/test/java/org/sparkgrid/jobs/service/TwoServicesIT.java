package org.sparkgrid.jobs.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.auth.MessageSigner;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.SignatureHeaders;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.PostgresServer;
import org.sparkgrid.ingest.jobs.TestDatabase;
import org.sparkgrid.ingest.kafka.EmbeddedKafka;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.jobs.ServiceMain;
import org.sparkgrid.settlement.signing.PersonalSignatures;

/**
 * Two service instances, each a real process ({@link ServiceMain} in a child JVM, Spark
 * {@code local[2]}), on one real PostgreSQL job store ({@link PostgresServer}) and one requests
 * topic of three partitions on a real broker (a child JVM), sharing one model store. 200 requests
 * of small MLP jobs go in, plus 20 duplicates (10%); one instance is killed with SIGKILL
 * ({@code destroyForcibly}) once it has finished a twentieth of them, while a job of its has reported
 * an epoch and has epochs to go.
 *
 * <p>Then: every request ends exactly once (one terminal event per id, SUCCEEDED in the store),
 * none is lost; the jobs the dead instance held (RUNNING under its name once it was dead) are
 * exactly those that ran a second attempt, each claimed by the survivor after the kill (so no
 * job ran on two instances at once: every other job ran a single attempt); and each of them
 * resumed past the epochs it had reported, from its checkpoint. Every 10th request trains 5
 * epochs on 1,500 examples, so that a kill lands mid-job; the others 1 epoch on 256.
 *
 * <p>{@code -Dsparkgrid.it.requests=N} runs N requests instead of 200 (N/10 duplicates).
 */
class TwoServicesIT {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  private static final long LEASE_MS = 10_000;
  private static final int LONG_EPOCHS = 5;
  private static final Duration ALL_DONE = Duration.ofMinutes(6);

  @TempDir Path dir;
  private final List<Process> services = new ArrayList<>();
  private EmbeddedKafka kafka;
  private PostgresServer postgres;

  @AfterEach
  void stop() throws Exception {
    for (Process p : services) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    if (kafka != null) {
      kafka.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private Process startService(String owner, TestDatabase.Target db) throws IOException {
    Process p = ServiceProcess.start(ServiceMain.class, List.of(
        "--master", "local[2]",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sparkgrid.home=" + dir.resolve("home-" + owner),
        // signed requests only, both instances reading the operator's one registry (its admin 'local')
        "--conf", "spark.sparkgrid.auth.registry=" + ServiceAuth.registryPath(operator()),
        "--conf", "spark.sparkgrid.store.root=file:" + dir.resolve("store"),
        "--conf", "spark.sparkgrid.kafka.bootstrapServers=" + kafka.bootstrapServers(),
        "--conf", "spark.sparkgrid.kafka.requestPartitions=3",
        // a killed instance's partitions go to the other one after 10 s, not Kafka's default 45 s
        "--conf", "spark.sparkgrid.kafka.client.session.timeout.ms=10000",
        "--conf", "spark.sparkgrid.kafka.client.heartbeat.interval.ms=2000",
        "--conf", "spark.sparkgrid.jobs.jdbcUrl=" + db.url(),
        "--conf", "spark.sparkgrid.jobs.user=" + db.user(),
        "--conf", "spark.sparkgrid.jobs.password=" + db.password(),
        "--conf", "spark.sparkgrid.jobs.owner=" + owner,
        "--conf", "spark.sparkgrid.jobs.leaseMs=" + LEASE_MS,
        "--conf", "spark.sparkgrid.service.maxConcurrentJobs=2",
        "--conf", "spark.sparkgrid.progress.enabled=false"), dir.resolve(owner + ".log"));
    services.add(p);
    return p;
  }

  private String logs() throws IOException {
    StringBuilder b = new StringBuilder();
    for (String owner : List.of("service-a", "service-b")) {
      Path log = dir.resolve(owner + ".log");
      if (Files.exists(log)) {
        List<String> lines = Files.readAllLines(log);
        b.append("\n--- ").append(owner).append(".log (last 30 lines)\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
      }
    }
    return b.toString();
  }

  private static boolean isLong(int i) {
    return i % 10 == 0;
  }

  /** The operator's home: the registry both instances read, and the admin 'local''s key that signs the requests. */
  private SparkGridConfig operator() {
    return SparkGridConfig.from(Map.of("spark.sparkgrid.home", dir.resolve("home-operator").toString()));
  }

  /** Request {@code id} (in the namespace {@code local.}) signed by {@code signer}, with a fresh nonce. */
  private static ProducerRecord<byte[], byte[]> signed(MessageSigner signer, String id, boolean longer) {
    byte[] value = request(id, longer);
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(Topics.DEFAULT.requests(), id.getBytes(UTF_8), value);
    SignatureHeaders.sign(signer, SignedMessage.Kind.REQUEST, id, value, System.currentTimeMillis())
        .addTo(r.headers());
    return r;
  }

  private static byte[] request(String id, boolean longer) {
    return """
        {"schema": 1, "id": "%s",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "file:%s/train", "limit": %d},
         "training": {"epochs": %d, "batchSize": 32, "seed": 1},
         "engine": {"workers": 1, "averagingFrequency": 4}}
        """.formatted(id, id.substring("local.".length()), FMNIST, longer ? 1500 : 256, longer ? LONG_EPOCHS : 1).getBytes(UTF_8);
  }

  @Test
  void twoInstancesShareTheWorkAndTheSurvivorResumesTheJobsOfTheOneKilled() throws Exception {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    int n = Integer.getInteger("sparkgrid.it.requests", 200);
    long t0 = System.nanoTime();
    postgres = PostgresServer.start();
    TestDatabase.Target db = postgres.fresh();
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    ServiceProcess.operatorKeys(operator());
    MessageSigner signer = PersonalSignatures.signer(ClientKeys.requireRequester(operator(), name -> null).key());
    KafkaClients clients = KafkaClients.plain(kafka.bootstrapServers());
    try (Admin admin = clients.admin("it-admin")) {
      Topics.DEFAULT.createForService(admin, 3, (short) 1);
      assertThat(Topics.partitions(admin, Topics.DEFAULT.requests())).isEqualTo(3);
    }
    Process a = startService("service-a", db);
    startService("service-b", db);

    List<String> ids = new ArrayList<>();
    Map<String, Boolean> longer = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String id = String.format("local.multi-%03d", i);
      ids.add(id);
      longer.put(id, isLong(i));
    }
    int duplicates = n / 10;
    try (KafkaProducer<byte[], byte[]> producer = clients.producer("it-producer", Map.of())) {
      for (int i = 0; i < n; i++) {
        String id = ids.get(i);
        producer.send(signed(signer, id, longer.get(id)));
        if (i % 10 == 5) { // a duplicate of a request sent a little earlier
          String dup = ids.get(i - 3);
          producer.send(signed(signer, dup, longer.get(dup))); // signed again: a resend, not a replay
        }
      }
      producer.flush();
    }

    try (JdbcJobStore observer = JdbcJobStore.open(db.settings("it-observer", Duration.ofMillis(LEASE_MS)),
        Clock.systemUTC())) {
      // every event, in order; the first epoch of a longer job running on service-a (with epochs to go) kills it
      List<JobEvent> events = new CopyOnWriteArrayList<>();
      CountDownLatch killed = new CountDownLatch(1);
      AtomicReference<String> trigger = new AtomicReference<>();
      Thread reader = new Thread(() -> readEvents(events, e -> {
        if (killed.getCount() > 0 && e.payload() instanceof JobEvent.Epoch ep && ep.epoch() < LONG_EPOCHS - 1
            && longer.getOrDefault(e.jobId(), false)) {
          Job job = observer.get(e.jobId()).orElse(null);
          if (job != null && job.state() == JobState.RUNNING && "service-a".equals(job.owner())
              && finishedBy(observer, "service-a") >= n / 20) { // both instances have shared the work a while
            a.destroyForcibly();
            trigger.set(e.jobId());
            killed.countDown();
          }
        }
      }), "it-events");
      reader.setDaemon(true);
      reader.start();

      assertThat(killed.await(5, TimeUnit.MINUTES)).as("a longer job of service-a reported an epoch%s", logs())
          .isTrue();
      assertThat(a.waitFor(60, TimeUnit.SECONDS)).isTrue();
      Instant killedAt = Instant.now(); // after the process is gone: nothing of it runs past this
      assertThat(a.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
      Set<String> heldByDead = observer.list(JobFilter.in(JobState.RUNNING)).stream()
          .filter(j -> "service-a".equals(j.owner())).map(Job::id).collect(Collectors.toSet());
      long doneByA = finishedBy(observer, "service-a");
      System.out.printf("service-a killed %.1f s into the test, holding %s (trigger %s), after finishing %d job(s)%n",
          (System.nanoTime() - t0) / 1e9, heldByDead, trigger.get(), doneByA);

      // every request ends
      long until = System.nanoTime() + ALL_DONE.toNanos();
      List<Job> jobs = observer.list(JobFilter.all().limit(100_000));
      while (jobs.stream().filter(j -> j.state().terminal()).count() < n && System.nanoTime() < until) {
        Thread.sleep(1_000);
        jobs = observer.list(JobFilter.all().limit(100_000));
      }
      Thread.sleep(2_000); // late events, if any, would show now
      System.out.printf("all %d requests ended %.1f s into the test%n", n, (System.nanoTime() - t0) / 1e9);

      // 0 lost, each once, SUCCEEDED
      assertThat(jobs).extracting(Job::id).as("jobs in the store").containsExactlyInAnyOrderElementsOf(ids);
      Map<JobState, Long> byState = jobs.stream().collect(Collectors.groupingBy(Job::state, TreeMap::new,
          Collectors.counting()));
      assertThat(byState).as("jobs by state%s", logs()).isEqualTo(Map.of(JobState.SUCCEEDED, (long) n));
      Map<String, List<JobEvent>> byJob = new LinkedHashMap<>();
      for (JobEvent e : events) {
        byJob.computeIfAbsent(e.jobId(), k -> new ArrayList<>()).add(e);
      }
      for (String id : ids) {
        List<String> terminal = byJob.getOrDefault(id, List.of()).stream().filter(e -> e.payload().terminal())
            .map(e -> e.payload().type()).toList();
        assertThat(terminal).as("terminal events of %s", id).containsExactly("succeeded");
      }
      long duplicateEvents = events.stream().filter(e -> e.payload() instanceof JobEvent.Duplicate).count();
      assertThat(duplicateEvents).as("duplicate events (%d duplicates sent)", duplicates)
          .isGreaterThanOrEqualTo(duplicates);

      // the dead instance's jobs, and only they, ran a second attempt: on the survivor, claimed after the kill
      assertThat(heldByDead).as("jobs service-a held when it died").contains(trigger.get());
      Set<String> resumed = new HashSet<>();
      for (Job j : jobs) {
        List<Integer> attempts = byJob.getOrDefault(j.id(), List.of()).stream()
            .filter(e -> e.payload() instanceof JobEvent.Started).map(e -> ((JobEvent.Started) e.payload()).attempt())
            .toList();
        if (heldByDead.contains(j.id())) {
          assertThat(j.attempts()).as("earlier attempts of %s", j.id()).isEqualTo(1);
          assertThat(j.owner()).as("owner of %s", j.id()).isEqualTo("service-b");
          assertThat(j.startedAt()).as("when service-b claimed %s", j.id()).isAfter(killedAt);
          assertThat(attempts).as("started events of %s", j.id()).endsWith(2).doesNotHaveDuplicates();
          resumed.add(j.id());
        } else {
          assertThat(j.attempts()).as("earlier attempts of %s", j.id()).isZero();
          assertThat(attempts).as("started events of %s", j.id()).containsExactly(1);
        }
      }
      assertThat(jobs).extracting(Job::owner).as("instances that finished jobs").contains("service-b");
      assertThat(doneByA).as("jobs service-a finished before it died").isPositive();

      // the trigger job resumed past the epochs it had reported
      List<JobEvent> first = byJob.get(trigger.get());
      int restart = indexOfStarted(first, 2);
      List<Integer> before = epochs(first.subList(0, restart));
      List<Integer> after = epochs(first.subList(restart, first.size()));
      System.out.printf("%s: epochs before the kill %s, after the takeover %s; %d job(s) taken over: %s%n",
          trigger.get(), before, after, resumed.size(), resumed);
      assertThat(before).as("epochs of %s before the kill", trigger.get()).isNotEmpty();
      assertThat(after).as("epochs of %s after the takeover", trigger.get()).isNotEmpty().isSorted()
          .endsWith(LONG_EPOCHS);
      assertThat(after.get(0)).as("first epoch after the takeover, epochs before: %s", before)
          .isGreaterThan(before.get(before.size() - 1));
      for (String id : resumed) {
        List<JobEvent> es = byJob.get(id);
        int at = indexOfStarted(es, 2);
        List<Integer> was = epochs(es.subList(0, at));
        List<Integer> now = epochs(es.subList(at, es.size()));
        if (!was.isEmpty() && !now.isEmpty()) {
          assertThat(now.get(0)).as("%s: first epoch after the takeover, epochs before: %s", id, was)
              .isGreaterThan(was.get(was.size() - 1));
        }
      }
      System.out.printf("TwoServicesIT: %d requests + %d duplicates, %d taken over, %.1f s in all%n", n, duplicates,
          resumed.size(), (System.nanoTime() - t0) / 1e9);
    }
  }

  /** Reads the events topic from the start, handing each event to {@code onEvent} and adding it to {@code into}. */
  private void readEvents(List<JobEvent> into, java.util.function.Consumer<JobEvent> onEvent) {
    TopicPartition tp = new TopicPartition(Topics.DEFAULT.events(), 0);
    try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.plain(kafka.bootstrapServers())
        .consumer("it-events", null, Map.of())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      while (!Thread.currentThread().isInterrupted()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          JobEvent e = JobEvent.fromJson(r.value());
          into.add(e);
          onEvent.accept(e);
        }
      }
    } catch (org.apache.kafka.common.errors.InterruptException | IllegalStateException e) {
      // the test is over
    }
  }

  private static long finishedBy(JdbcJobStore store, String owner) {
    return store.list(JobFilter.in(JobState.SUCCEEDED).limit(100_000)).stream().filter(j -> owner.equals(j.owner()))
        .count();
  }

  private static int indexOfStarted(List<JobEvent> events, int attempt) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).payload() instanceof JobEvent.Started s && s.attempt() == attempt) {
        return i;
      }
    }
    throw new AssertionError("no started event of attempt " + attempt + " in " + events);
  }

  private static List<Integer> epochs(List<JobEvent> events) {
    return events.stream().map(JobEvent::payload).filter(p -> p instanceof JobEvent.Epoch)
        .map(p -> ((JobEvent.Epoch) p).epoch()).toList();
  }
}
