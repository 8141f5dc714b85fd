package org.sparkgrid.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import kafka.testkit.KafkaClusterTestKit;
import kafka.testkit.TestKitNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.ingest.events.KafkaEventPublisher;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobStoreSettings;

/**
 * Two service instances' request consumers in one consumer group on a requests topic of three
 * partitions (as {@code serve} creates it), each storing into its own handle of one job store:
 * they split the partitions, every request is stored once, and a duplicate (same id, so same
 * partition) stays one job. Real KRaft broker (KafkaClusterTestKit), one H2 store file.
 */
class SharedRequestsTopicTest {
  private static KafkaClusterTestKit cluster;
  private static Admin admin;
  private static KafkaProducer<byte[], byte[]> producer;
  @TempDir static Path dir;

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
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stopBroker() throws Exception {
    producer.close();
    admin.close();
    cluster.close();
  }

  @Test
  void theServiceCreatesRequestsAndControlWithTheConfiguredPartitionsAndTheOthersWithOne() {
    Topics t = Topics.DEFAULT.withPrefix("created.");

    t.createForService(admin, 3, (short) 1);

    assertThat(Topics.partitions(admin, t.requests())).isEqualTo(3);
    assertThat(Topics.partitions(admin, t.control())).isEqualTo(3);
    assertThat(Topics.partitions(admin, t.events())).isEqualTo(1);
    assertThat(Topics.partitions(admin, t.deadLetters())).isEqualTo(1);
  }

  @Test
  void partitionsBelowOneAreRefusedNamingBothTopics() {
    assertThatThrownBy(() -> Topics.DEFAULT.servicePartitions(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("partitions of sparkgrid.requests and sparkgrid.control must be at least 1, got 0");
  }

  @Test
  void twoConsumersInOneGroupSplitThePartitionsAndStoreEachRequestOnce() throws Exception {
    Topics t = Topics.DEFAULT.withPrefix("shared.");
    t.createForService(admin, 3, (short) 1);
    String url = JdbcJobStore.h2Url(dir.resolve("jobs"));
    Set<String> byA = ConcurrentHashMap.newKeySet();
    Set<String> byB = ConcurrentHashMap.newKeySet();
    try (JdbcJobStore storeA = JdbcJobStore.open(JobStoreSettings.of(url).withOwner("a"), Clock.systemUTC());
        JdbcJobStore storeB = JdbcJobStore.open(JobStoreSettings.of(url).withOwner("b"), Clock.systemUTC());
        KafkaEventPublisher eventsA = KafkaEventPublisher.create(cluster.bootstrapServers(), t.events(), storeA);
        KafkaEventPublisher eventsB = KafkaEventPublisher.create(cluster.bootstrapServers(), t.events(), storeB);
        RequestConsumer a = consumer(t, storeA, eventsA, byA);
        RequestConsumer b = consumer(t, storeB, eventsB, byB)) {
      a.start();
      b.start();
      // a probe on each partition until both consumers have stored one: the group has settled
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      for (int n = 0; (!probed(byA) || !probed(byB)) && System.nanoTime() < deadline; n++) {
        for (int p = 0; p < 3; p++) {
          String id = "probe-" + p + "-" + n;
          producer.send(new ProducerRecord<>(t.requests(), p, id.getBytes(UTF_8), TestRequests.bytes(id))).get();
        }
        Thread.sleep(500);
      }
      assertThat(probed(byA) && probed(byB)).as("both consumers took a partition: a %s, b %s", byA, byB).isTrue();

      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        ids.add("shared-" + i);
      }
      for (String id : ids) {
        producer.send(new ProducerRecord<>(t.requests(), id.getBytes(UTF_8), TestRequests.bytes(id)));
      }
      for (String id : ids.subList(0, 3)) { // duplicates: same key, so the same partition and consumer
        producer.send(new ProducerRecord<>(t.requests(), id.getBytes(UTF_8), TestRequests.bytes(id)));
      }
      producer.flush();
      while (stored(storeA).size() < ids.size() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      Thread.sleep(500); // a duplicate, if stored again, would show by now

      Set<String> mainA = main(byA);
      Set<String> mainB = main(byB);
      assertThat(stored(storeA)).containsExactlyInAnyOrderElementsOf(ids);
      Set<String> both = new HashSet<>(mainA);
      both.retainAll(mainB);
      assertThat(both).as("requests queued by both instances").isEmpty();
      Set<String> union = new HashSet<>(mainA);
      union.addAll(mainB);
      assertThat(union).containsExactlyInAnyOrderElementsOf(ids);
      for (String id : ids) {
        Job job = storeA.get(id).orElseThrow();
        assertThat(job.source().partition()).isBetween(0, 2);
      }
    }
  }

  private static RequestConsumer consumer(Topics t, JdbcJobStore store, KafkaEventPublisher events, Set<String> queued) {
    return RequestConsumer.builder(cluster.bootstrapServers(), store, events).topics(t).groupId("sparkgrid-service")
        .pollTimeout(Duration.ofMillis(100)).retryBackoff(Duration.ofMillis(200)).onQueued(queued::add).build();
  }

  private static boolean probed(Set<String> queued) {
    return queued.stream().anyMatch(id -> id.startsWith("probe-"));
  }

  private static Set<String> main(Set<String> queued) {
    Set<String> s = new HashSet<>(queued);
    s.removeIf(id -> id.startsWith("probe-"));
    return s;
  }

  private static List<String> stored(JdbcJobStore store) {
    return store.list(JobFilter.all()).stream().map(Job::id).filter(id -> id.startsWith("shared-")).toList();
  }
}
