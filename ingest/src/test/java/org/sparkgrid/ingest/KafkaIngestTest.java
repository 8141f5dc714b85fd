package org.sparkgrid.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.ingest.events.EventPublisher;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.events.KafkaEventPublisher;
import org.sparkgrid.ingest.jobs.DelegatingJobStore;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.jobs.JobStoreException;
import org.sparkgrid.ingest.jobs.PollRecord;
import org.sparkgrid.ingest.jobs.PollResult;

/**
 * The request consumer, events, control topic and client against a real KRaft broker
 * (KafkaClusterTestKit), started once for the class. Each test has its own topics (a prefix), its
 * own consumer group and its own H2 job store.
 */
class KafkaIngestTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static KafkaClusterTestKit cluster;
  private static String bootstrap;
  private static Admin admin;
  private static KafkaProducer<byte[], byte[]> producer;

  @TempDir
  Path dir;

  @BeforeAll
  static void startBroker() throws Exception {
    cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("offsets.topic.num.partitions", "1")
        .setConfigProp("offsets.topic.replication.factor", "1")
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    bootstrap = cluster.bootstrapServers();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stopBroker() throws Exception {
    producer.close();
    admin.close();
    cluster.close();
  }

  /** Topics for one test: the events topic has 3 partitions, so the client must find the job's. */
  private static Topics topics(String prefix) {
    Topics t = Topics.DEFAULT.withPrefix(prefix + ".");
    t.createMissing(admin, 1, (short) 1);
    try {
      admin.createPartitions(Map.of(t.events(), org.apache.kafka.clients.admin.NewPartitions.increaseTo(3))).all().get();
    } catch (Exception e) {
      throw new AssertionError("cannot add partitions to " + t.events(), e);
    }
    return t;
  }

  private JdbcJobStore store() {
    return JdbcJobStore.openH2(dir.resolve("jobs"));
  }

  private static RequestConsumer.Builder consumer(Topics t, JobStore store, EventPublisher events) {
    return RequestConsumer.builder(bootstrap, store, events).topics(t).groupId(t.requests() + "-group")
        .pollTimeout(Duration.ofMillis(100)).retryBackoff(Duration.ofMillis(200));
  }

  private static void send(String topic, String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(UTF_8), value)).get();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  /** Reads a topic from the start until {@code count} records or the wait runs out. */
  private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int count) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static List<JobEvent> events(Topics t, int count) {
    return read(t.events(), count).stream().map(r -> JobEvent.fromJson(r.value()))
        .sorted((a, b) -> Long.compare(a.seq(), b.seq())).collect(Collectors.toList());
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), UTF_8);
  }

  private static Long committed(Topics t) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        admin.listConsumerGroupOffsets(t.requests() + "-group").partitionsToOffsetAndMetadata().get();
    OffsetAndMetadata o = offsets.get(new TopicPartition(t.requests(), 0));
    return o == null ? null : o.offset();
  }

  @Test
  void aRequestBecomesAQueuedJobAndAQueuedEvent() throws Exception {
    Topics t = topics("queued");
    List<String> queued = new CopyOnWriteArrayList<>();
    try (JobStore store = store();
         EventPublisher events = KafkaEventPublisher.create(bootstrap, t.events(), store);
         RequestConsumer c = consumer(t, store, events).onQueued(queued::add).build()) {
      c.start();
      send(t.requests(), "fmnist-1", TestRequests.bytes("fmnist-1"));

      await("the job", () -> store.get("fmnist-1").isPresent());
      Job job = store.get("fmnist-1").orElseThrow();
      assertThat(job.state()).isEqualTo(JobState.QUEUED);
      assertThat(job.source().topic()).isEqualTo(t.requests());
      assertThat(job.source().offset()).isZero();
      List<JobEvent> e = events(t, 1);
      assertThat(e).hasSize(1);
      assertThat(e.get(0).jobId()).isEqualTo("fmnist-1");
      assertThat(e.get(0).seq()).isEqualTo(1);
      assertThat(e.get(0).payload()).isEqualTo(new JobEvent.Queued(0));
      assertThat(queued).containsExactly("fmnist-1");
      await("the commit", () -> Long.valueOf(1).equals(uncheckedCommitted(t)));
    }
  }

  private static Long uncheckedCommitted(Topics t) {
    try {
      return committed(t);
    } catch (Exception e) {
      return null;
    }
  }

  @Test
  void thousandMalformedRecordsGoToTheDeadLetterTopicAndTheNextGoodOneIsAccepted() throws Exception {
    Topics t = topics("malformed");
    String[] kinds = {"invalid-json", "invalid-utf8", "too-large", "unsupported-schema", "invalid-request",
        "missing-key", "key-mismatch", "invalid-json-empty"};
    Map<Long, byte[]> sentValues = new HashMap<>();
    Map<Long, String> sentKinds = new HashMap<>();
    List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String id = "bad-" + i;
      String kind = kinds[i % kinds.length];
      String key = id;
      byte[] value = switch (kind) {
        case "invalid-json" -> ("{\"schema\": 1, \"id\": \"" + id + "\"").getBytes(UTF_8);
        case "invalid-utf8" -> new byte[] {'{', (byte) 0xC3, (byte) 0x28, (byte) i, '}'};
        case "too-large" -> (TestRequests.json(id) + " ".repeat(5000)).getBytes(UTF_8);
        case "unsupported-schema" -> TestRequests.json(id).replace("\"schema\": 1", "\"schema\": 2").getBytes(UTF_8);
        case "invalid-request" -> TestRequests.json(id).replace("\"batchSize\": 64", "\"batchSize\": 0").getBytes(UTF_8);
        case "missing-key" -> TestRequests.bytes(id);
        case "key-mismatch" -> TestRequests.bytes(id);
        default -> null;
      };
      if (kind.equals("missing-key")) {
        key = null;
      } else if (kind.equals("key-mismatch")) {
        key = "other-" + i;
      }
      sentKinds.put((long) i, kind.equals("invalid-json-empty") ? "invalid-json" : kind);
      sentValues.put((long) i, value);
      acks.add(producer.send(new ProducerRecord<>(t.requests(), key == null ? null : key.getBytes(UTF_8), value)));
    }
    for (var a : acks) {
      a.get();
    }
    send(t.requests(), "good-1", TestRequests.bytes("good-1"));

    try (JobStore store = store();
         EventPublisher events = KafkaEventPublisher.create(bootstrap, t.events(), store);
         RequestConsumer c = consumer(t, store, events).maxRequestBytes(4096).build()) {
      c.start();

      await("the good request", () -> store.get("good-1").isPresent());
      List<ConsumerRecord<byte[], byte[]>> dead = read(t.deadLetters(), 1000);
      assertThat(dead).hasSize(1000);
      Map<String, Long> byReason = dead.stream()
          .collect(Collectors.groupingBy(r -> header(r, DeadLetter.REASON), Collectors.counting()));
      assertThat(byReason).containsOnlyKeys("invalid-json", "invalid-utf8", "too-large", "unsupported-schema",
          "invalid-request", "missing-key", "key-mismatch");
      assertThat(byReason.get("invalid-json")).isEqualTo(250);
      for (ConsumerRecord<byte[], byte[]> r : dead) {
        long offset = Long.parseLong(header(r, DeadLetter.SOURCE_OFFSET));
        assertThat(header(r, DeadLetter.REASON)).as("offset %d", offset).isEqualTo(sentKinds.get(offset));
        assertThat(r.value()).as("offset %d", offset).isEqualTo(sentValues.get(offset));
        assertThat(header(r, DeadLetter.SOURCE_TOPIC)).isEqualTo(t.requests());
        assertThat(header(r, DeadLetter.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(header(r, DeadLetter.MESSAGE)).isNotBlank();
        if (sentKinds.get(offset).equals("invalid-request")) {
          assertThat(header(r, DeadLetter.FIELD)).isEqualTo("training.batchSize");
          assertThat(header(r, DeadLetter.MESSAGE)).isEqualTo("training.batchSize: must be between 1 and 65536, got 0");
        }
        if (sentKinds.get(offset).equals("missing-key")) {
          assertThat(r.key()).isNull();
        } else if (!sentKinds.get(offset).equals("key-mismatch")) {
          assertThat(new String(r.key(), UTF_8)).isEqualTo("bad-" + offset);
        }
      }
      assertThat(store.list(JobFilter.all())).extracting(Job::id).containsExactly("good-1");
      await("the commit past the good request", () -> Long.valueOf(1001).equals(uncheckedCommitted(t)));
    }
  }

  @Test
  void theSameIdFiveTimesIsOneJobAndFourDuplicateEvents() throws Exception {
    Topics t = topics("dup");
    for (int i = 0; i < 5; i++) {
      send(t.requests(), "same-1", TestRequests.bytes("same-1"));
    }
    try (JobStore store = store();
         EventPublisher events = KafkaEventPublisher.create(bootstrap, t.events(), store);
         RequestConsumer c = consumer(t, store, events).build()) {
      c.start();

      List<JobEvent> e = events(t, 5);
      assertThat(e).extracting(JobEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(e.get(0).payload()).isEqualTo(new JobEvent.Queued(0));
      for (int i = 1; i < 5; i++) {
        JobEvent.Duplicate d = (JobEvent.Duplicate) e.get(i).payload();
        assertThat(d.existingState()).isEqualTo(JobState.QUEUED);
        assertThat(d.sameRequest()).isTrue();
        assertThat(d.source().offset()).isEqualTo(i);
      }
      assertThat(store.list(JobFilter.all())).hasSize(1);
    }
  }

  /** Fails every batch enqueue while {@code failing} is set. */
  private static final class FlakyStore extends DelegatingJobStore {
    volatile boolean failing = true;
    final AtomicInteger attempts = new AtomicInteger();

    FlakyStore(JobStore delegate) {
      super(delegate);
    }

    @Override
    public List<PollResult> storePoll(List<PollRecord> poll, Duration nonceKeep) {
      attempts.incrementAndGet();
      if (failing) {
        throw new JobStoreException("database down (test)", null);
      }
      return super.storePoll(poll, nonceKeep);
    }
  }

  @Test
  void anOffsetIsCommittedOnlyAfterTheStoreHoldsTheRequest() throws Exception {
    Topics t = topics("commit");
    send(t.requests(), "keep-1", TestRequests.bytes("keep-1"));
    try (JobStore real = store(); EventPublisher events = KafkaEventPublisher.create(bootstrap, t.events(), real)) {
      FlakyStore down = new FlakyStore(real);
      try (RequestConsumer first = consumer(t, down, events).build()) {
        first.start();
        await("two store attempts", () -> down.attempts.get() >= 2); // and it retried, still running
        assertThat(first.isRunning()).isTrue();
      }
      assertThat(committed(t)).as("committed offset after the store failed").isIn(null, 0L);
      assertThat(real.get("keep-1")).isEmpty();

      try (RequestConsumer restarted = consumer(t, real, events).build()) {
        restarted.start();
        await("the job after the restart", () -> real.get("keep-1").isPresent());
        await("the commit", () -> Long.valueOf(1).equals(uncheckedCommitted(t)));
      }
    }
  }

  @Test
  void aStoreThatRecoversGetsTheRequestWithoutARestart() throws Exception {
    Topics t = topics("retry");
    send(t.requests(), "retry-1", TestRequests.bytes("retry-1"));
    try (JobStore real = store(); EventPublisher events = KafkaEventPublisher.create(bootstrap, t.events(), real)) {
      FlakyStore flaky = new FlakyStore(real);
      try (RequestConsumer c = consumer(t, flaky, events).build()) {
        c.start();
        await("a failed attempt", () -> flaky.attempts.get() >= 1);
        flaky.failing = false;
        await("the job", () -> real.get("retry-1").isPresent());
        assertThat(events(t, 1)).extracting(e -> e.payload().type()).containsExactly("queued");
      }
    }
  }

  @Test
  void cancellationThroughTheControlTopicWithTheClient() throws Exception {
    Topics t = topics("cancel");
    List<String> stopped = new CopyOnWriteArrayList<>();
    try (JobStore store = store();
         EventPublisher events = KafkaEventPublisher.create(bootstrap, t.events(), store);
         RequestConsumer requests = consumer(t, store, events).build();
         ControlConsumer control = ControlConsumer.create(bootstrap, t, t.control() + "-group",
             new JobStoreControlHandler(store, events, stopped::add));
         SparkGridClient client = SparkGridClient.connect(bootstrap, t)) {
      requests.start();
      control.start();
      client.submit(TestRequests.request("queued-1"));
      client.submit(TestRequests.bytes("running-1"));
      await("both jobs", () -> store.list(JobFilter.all()).size() == 2);
      store.start("running-1");
      events.publish("running-1", new JobEvent.Started(1));

      client.cancel("queued-1");
      client.cancel("running-1");
      client.cancel("no-such-job"); // refused and logged; the consumer goes on

      List<JobEvent> queuedEvents = client.events("queued-1", WAIT);
      assertThat(queuedEvents).extracting(e -> e.payload().type()).containsExactly("queued", "cancelled");
      assertThat(queuedEvents.get(1).payload()).isEqualTo(new JobEvent.Cancelled(false));
      Optional<JobEvent> end = client.follow("running-1", WAIT, e -> { });
      assertThat(end.orElseThrow().payload()).isEqualTo(new JobEvent.Cancelled(true));
      assertThat(end.orElseThrow().seq()).isEqualTo(3);
      assertThat(store.get("queued-1").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
      assertThat(store.get("running-1").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
      assertThat(stopped).containsExactly("running-1");
      assertThat(control.isRunning()).isTrue();
    }
  }
  @Test
  void theIntakeListenerHearsEachNewJobWithItsRecordTimestampAndEachRefusalOnceDeadLettered() throws Exception {
    Topics t = topics("intake");
    long produced = 1_700_000_000_000L;
    List<String> heard = new CopyOnWriteArrayList<>();
    IntakeListener intake = new IntakeListener() {
      @Override
      public void queued(String jobId, long producedAtMs) {
        heard.add("queued " + jobId + " produced at " + producedAtMs);
      }

      @Override
      public void deadLettered(Refusal refusal) {
        heard.add("dead-lettered " + refusal.reason().wire() + " " + refusal.field());
      }
    };
    producer.send(new ProducerRecord<>(t.requests(), null, produced, "intake-1".getBytes(UTF_8),
        TestRequests.bytes("intake-1"))).get();
    producer.send(new ProducerRecord<>(t.requests(), null, produced + 5, "intake-1".getBytes(UTF_8),
        TestRequests.bytes("intake-1"))).get(); // a duplicate: no new job
    producer.send(new ProducerRecord<>(t.requests(), null, produced + 9, "intake-bad".getBytes(UTF_8),
        "{not json".getBytes(UTF_8))).get();

    try (JobStore store = store();
         EventPublisher events = KafkaEventPublisher.create(bootstrap, t.events(), store);
         RequestConsumer c = consumer(t, store, events).intake(intake).build()) {
      c.start();

      await("the commit past the three records", () -> Long.valueOf(3).equals(uncheckedCommitted(t)));
      assertThat(heard).containsExactly("queued intake-1 produced at " + produced, "dead-lettered invalid-json $");
      assertThat(read(t.deadLetters(), 1)).hasSize(1);
    }
  }

  @Test
  void aRequestTheCheckRefusesGoesToTheDeadLetterTopicNamingTheFieldAndIsNotStored() throws Exception {
    Topics t = topics("checked");
    AtomicInteger unsure = new AtomicInteger(1); // the check cannot tell once: the poll is read again
    RequestCheck check = r -> {
      if (r.id().startsWith("unsure") && unsure.getAndDecrement() > 0) {
        throw new java.io.IOException("file system down");
      }
      if (r.id().startsWith("broken")) {
        throw new NoClassDefFoundError("org/example/Gone"); // a check that breaks does not decide
      }
      if (r.id().startsWith("bad")) {
        throw new org.sparkgrid.core.request.InvalidRequestException("data.train", r.data().train(),
            r.data().train() + " does not exist");
      }
    };
    send(t.requests(), "bad-1", TestRequests.bytes("bad-1"));
    send(t.requests(), "unsure-1", TestRequests.bytes("unsure-1"));
    send(t.requests(), "broken-1", TestRequests.bytes("broken-1"));
    send(t.requests(), "good-1", TestRequests.bytes("good-1"));

    try (JobStore store = store();
         EventPublisher events = KafkaEventPublisher.create(bootstrap, t.events(), store);
         RequestConsumer c = consumer(t, store, events).check(check).build()) {
      c.start();

      await("the good request", () -> store.get("good-1").isPresent());
      await("the unsure request", () -> store.get("unsure-1").isPresent());
      List<ConsumerRecord<byte[], byte[]>> dead = read(t.deadLetters(), 1);
      assertThat(dead).hasSize(1);
      ConsumerRecord<byte[], byte[]> r = dead.get(0);
      String train = TestRequests.request("bad-1").data().train();
      assertThat(new String(r.key(), UTF_8)).isEqualTo("bad-1");
      assertThat(header(r, DeadLetter.REASON)).isEqualTo("unrunnable-request");
      assertThat(header(r, DeadLetter.FIELD)).isEqualTo("data.train");
      assertThat(header(r, DeadLetter.VALUE)).isEqualTo(train);
      assertThat(header(r, DeadLetter.MESSAGE)).isEqualTo("data.train: " + train + " does not exist");
      assertThat(header(r, DeadLetter.SOURCE_OFFSET)).isEqualTo("0");
      assertThat(unsure.get()).isNegative();
      assertThat(store.list(JobFilter.all())).extracting(Job::id)
          .containsExactlyInAnyOrder("unsure-1", "broken-1", "good-1");
      assertThat(c.isRunning()).isTrue();
      await("the commit past the good request", () -> Long.valueOf(4).equals(uncheckedCommitted(t)));
    }
  }

  @Test
  void badControlCommandsAreAnsweredWithCommandRefusedEvents() throws Exception {
    Topics t = topics("refused");
    try (JobStore store = store();
         EventPublisher events = KafkaEventPublisher.create(bootstrap, t.events(), store);
         ControlConsumer control = ControlConsumer.create(org.sparkgrid.ingest.kafka.KafkaClients.plain(bootstrap), t,
             t.control() + "-group", new JobStoreControlHandler(store, events, id -> { }), events);
         SparkGridClient client = SparkGridClient.connect(bootstrap, t)) {
      control.start();
      client.cancel("no-such-job");
      send(t.control(), "job-7", "{\"command\": \"pause\", \"job\": \"job-7\"}".getBytes(UTF_8));
      send(t.control(), "job-8", "{\"command\": \"cancel\"".getBytes(UTF_8));

      List<ConsumerRecord<byte[], byte[]>> answers = read(t.events(), 3);
      assertThat(answers).hasSize(3);
      Map<String, List<JobEvent>> byKey = answers.stream().collect(Collectors.groupingBy(
          r -> new String(r.key(), UTF_8), Collectors.mapping(r -> JobEvent.fromJson(r.value()), Collectors.toList())));
      List<JobEvent> unknownJob = byKey.get("no-such-job");
      List<JobEvent> unknownCommand = byKey.get("job-7");
      List<JobEvent> malformed = byKey.get("job-8");

      assertThat(unknownJob).hasSize(1);
      assertThat(unknownJob.get(0).seq()).isZero();
      assertThat(unknownJob.get(0).payload()).isInstanceOfSatisfying(JobEvent.CommandRefused.class, p -> {
        assertThat(p.command()).isEqualTo("cancel");
        assertThat(p.reason()).contains("no-such-job");
      });
      assertThat(unknownCommand).extracting(JobEvent::payload).containsExactly(new JobEvent.CommandRefused("pause",
          "command: unknown command pause; known: cancel, exclude-site"));
      assertThat(malformed).hasSize(1);
      assertThat(malformed.get(0).payload()).isInstanceOfSatisfying(JobEvent.CommandRefused.class, p -> {
        assertThat(p.command()).isNull();
        assertThat(p.reason()).startsWith("not a JSON control command");
      });
      assertThat(JobEvent.fromJson(unknownCommand.get(0).toJson())).isEqualTo(unknownCommand.get(0));
      assertThat(control.isRunning()).isTrue();
    }
  }
}
