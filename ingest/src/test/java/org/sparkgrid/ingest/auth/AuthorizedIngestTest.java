package org.sparkgrid.ingest.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.auth.SignedMessage.Kind;
import org.sparkgrid.ingest.DeadLetter;
import org.sparkgrid.ingest.RequestConsumer;
import org.sparkgrid.ingest.TestRequests;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.EventPublisher;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.AuditRecord;
import org.sparkgrid.ingest.jobs.DelegatingJobStore;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobStoreException;
import org.sparkgrid.ingest.jobs.PollRecord;
import org.sparkgrid.ingest.jobs.PollResult;

/**
 * The request consumer with an authorizer against a real broker and an H2 job store: a signed
 * request read again after the store failed is not taken for a replay, and keeps its requester.
 */
class AuthorizedIngestTest {
  static final String ALICE = "0x" + "a".repeat(40);

  @TempDir Path dir;

  @Test
  void aSignedRequestReadAgainAfterAStoreFailureIsStoredOnceWithItsRequesterAndNotReplayed() throws Exception {
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("offsets.topic.num.partitions", "1")
        .setConfigProp("offsets.topic.replication.factor", "1").build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    String bootstrap = cluster.bootstrapServers();
    AtomicInteger failures = new AtomicInteger(1);
    List<String> published = new ArrayList<>();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap), new ByteArraySerializer(), new ByteArraySerializer());
        JdbcJobStore jdbc = JdbcJobStore.openH2(dir.resolve("jobs"))) {
      Topics.DEFAULT.createMissing(admin, 1, (short) 1);
      DelegatingJobStore store = new DelegatingJobStore(jdbc) {
        @Override
        public List<PollResult> storePoll(List<PollRecord> poll, Duration nonceKeep) {
          if (failures.getAndDecrement() > 0) {
            throw new JobStoreException("database down (test)", null);
          }
          return super.storePoll(poll, nonceKeep);
        }
      };
      RequesterRegistry registry = new RequesterRegistry(List.of(new Requester("alice", ALICE, Set.of(Role.SUBMIT),
          null)));
      Authorizer auth = new Authorizer(() -> registry, HashSignatures.RECOVERY, Clock.systemUTC(),
          Duration.ofMinutes(5), (a, n, s) -> store.useNonce(a, n, s, Duration.ofMinutes(10)), true);
      EventPublisher events = new EventPublisher() {
        @Override
        public JobEvent publish(String jobId, JobEvent.Payload payload) {
          return publish(jobId, 0, payload);
        }

        @Override
        public JobEvent publish(String jobId, long seq, JobEvent.Payload payload) {
          published.add(jobId + " " + payload.type());
          return new JobEvent(jobId, seq, java.time.Instant.now(), payload);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
      byte[] good = TestRequests.bytes("alice.a");
      Headers h = AuthorizerTest.signed(Kind.REQUEST, ALICE, "alice.a", System.currentTimeMillis(), "n1", good);
      producer.send(new ProducerRecord<>(Topics.DEFAULT.requests(), null, "alice.a".getBytes(UTF_8), good, h)).get();
      producer.send(new ProducerRecord<>(Topics.DEFAULT.requests(), "x".getBytes(UTF_8), TestRequests.bytes("x")))
          .get();

      try (RequestConsumer consumer = RequestConsumer.builder(bootstrap, store, events).authorizer(auth)
          .pollTimeout(Duration.ofMillis(100)).retryBackoff(Duration.ofMillis(200)).build()) {
        consumer.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (jdbc.get("alice.a").isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        List<ConsumerRecord<byte[], byte[]>> dead = read(bootstrap, Topics.DEFAULT.deadLetters(), 1);

        assertThat(failures.get()).as("the store failed once").isNegative();
        assertThat(jdbc.list(JobFilter.all())).extracting(j -> j.id() + " " + j.requester())
            .containsExactly("alice.a alice");
        assertThat(published).containsExactly("alice.a queued");
        assertThat(dead).extracting(r -> new String(r.key(), UTF_8)).containsExactly("x");
        assertThat(new String(dead.get(0).headers().lastHeader(DeadLetter.MESSAGE).value(), UTF_8))
            .startsWith("unsigned: ");
        List<AuditRecord> audit = jdbc.audit(null, 100);
        assertThat(audit).filteredOn(a -> "alice.a".equals(a.jobId()))
            .allMatch(a -> a.accepted() && a.account().equals(ALICE) && "alice".equals(a.requester()));
        assertThat(audit).filteredOn(a -> "x".equals(a.jobId()))
            .allMatch(a -> !a.accepted() && a.reason().startsWith("unauthorized: unsigned: ")).isNotEmpty();
      }
    } finally {
      cluster.close();
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic, int count) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition()))
          .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      c.poll(Duration.ofMillis(500)).forEach(out::add); // nothing more
    }
    return out;
  }
}
