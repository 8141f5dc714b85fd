package org.sparkgrid.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.ingest.SignatureHeaders;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.jobs.cli.SparkGridCli;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.signing.PersonalSignatures;

/**
 * A forger with a Kafka producer on the events topic cannot fake a job's outcome: while a real job
 * runs on the real service, four forged {@code succeeded} events go onto {@code sparkgrid.events}
 * (unsigned; signed by a stranger's key; a replayed copy of the job's first signed event; and one
 * signed with the service's own key but out of sequence, as a stale service instance would send).
 * {@code bin/sparkgrid submit --wait}, run in this JVM, ignores each with a line naming the reason
 * and still reports the true outcome.
 */
class ForgedEventsTest {
  private static final String FMNIST = ServiceHarness.FMNIST;
  /** Anvil's well-known development key 1: a stranger here. */
  private static final ChainKey STRANGER =
      ChainKey.ofPrivateKey("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  @TempDir static Path dir;
  private static ServiceHarness harness;
  private static JobStore store;

  @BeforeAll
  static void start() throws Exception {
    harness = ServiceHarness.start(dir, "ForgedEventsTest");
    store = JdbcJobStore.openH2(dir.resolve("jobs"));
    // signed requests only: the service makes the admin 'local' and its key (home/keys/requester.*), which the
    // CLI signs with, and its own key (home/keys/service.*), which signs the events
    harness.startService(ServiceHarness.config(dir, Map.of("spark.sparkgrid.auth.required", "true")), store);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {harness, store}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void forgedEventsAreIgnoredBySubmitWaitWhichReportsTheTrueOutcome() throws Exception {
    Path request = dir.resolve("forge.json");
    Files.writeString(request, """
        {"schema": 1, "id": "forge-1",
         "model": {"name": "forge-model", "architecture": "mlp", "mlp": {"hidden": [32]}},
         "data": {"format": "idx", "train": "file:%s/train", "test": "file:%s/t10k", "limit": 2400},
         "training": {"epochs": 4, "batchSize": 32, "seed": 1},
         "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(FMNIST, FMNIST));
    String job = "local.forge-1";
    String service = Files.readString(dir.resolve("home/keys/service.account")).strip();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    AtomicInteger rc = new AtomicInteger(-1);
    Thread cli = new Thread(() -> rc.set(SparkGridCli.execute("submit", request.toString(), "--wait",
        "--timeout-minutes", "5", "--conf", "spark.sparkgrid.home=" + dir.resolve("home"),
        "--conf", "spark.sparkgrid.kafka.bootstrapServers=" + harness.bootstrapServers())));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      cli.start();
      long deadline = System.currentTimeMillis() + 180_000;
      while (store.get(job).map(j -> j.state() != JobState.RUNNING).orElse(true) && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(store.get(job).orElseThrow().state()).isEqualTo(JobState.RUNNING);

      forge(job);
      cli.join(300_000);
    } finally {
      System.setOut(oldOut);
      for (String key : System.getProperties().stringPropertyNames()) {
        if (key.startsWith("spark.sparkgrid.")) {
          System.clearProperty(key);
        }
      }
    }

    String said = out.toString(StandardCharsets.UTF_8);
    assertThat(rc.get()).as(said).isZero();
    assertThat(said).contains("[sparkgrid] " + job + ": succeeded: model forge-model@1");
    assertThat(said).doesNotContain("forged");
    assertThat(said).contains("[sparkgrid] ignored an event for " + job + " not signed by the service " + service
        + ": unsigned (no sparkgrid.signature header)");
    assertThat(said).contains("[sparkgrid] ignored an event for " + job + " not signed by the service " + service
        + ": wrong signer (signed by " + STRANGER.address() + ")");
    assertThat(said).containsPattern("\\[sparkgrid\\] ignored an event for " + job.replace(".", "\\.")
        + " signed by the service " + service + " but replayed \\(nonce [0-9a-f]{32} was already used by event #1\\)");
    assertThat(said).containsPattern("\\[sparkgrid\\] ignored an event for " + job.replace(".", "\\.")
        + " signed by the service " + service + " but out of sequence \\(event #1 after event #[2-9]\\d*\\)");
    assertThat(store.get(job).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
  }

  /** Writes the four forged events onto the job's events partition, as any producer could. */
  private static void forge(String job) throws Exception {
    ConsumerRecord<byte[], byte[]> first = firstEvent(job);
    ChainKey serviceKey = ChainKey.fromKeystore(dir.resolve("home/keys/service.json"),
        dir.resolve("home/keys/service.password"));
    byte[] key = job.getBytes(StandardCharsets.UTF_8);
    byte[] fake = new JobEvent(job, 99, Instant.now(), new JobEvent.Succeeded("forged", "666", Map.of())).toJson();
    byte[] stale = new JobEvent(job, 1, Instant.now(), new JobEvent.Succeeded("forged", "667", Map.of())).toJson();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    String events = Topics.DEFAULT.events();
    records.add(new ProducerRecord<>(events, key, fake)); // unsigned
    ProducerRecord<byte[], byte[]> wrong = new ProducerRecord<>(events, key, fake);
    SignatureHeaders.sign(PersonalSignatures.signer(STRANGER), SignedMessage.Kind.EVENT, job, fake,
        System.currentTimeMillis()).addTo(wrong.headers());
    records.add(wrong);
    ProducerRecord<byte[], byte[]> replay = new ProducerRecord<>(events, null, key, first.value(), first.headers());
    records.add(replay);
    ProducerRecord<byte[], byte[]> outOfSequence = new ProducerRecord<>(events, key, stale);
    SignatureHeaders.sign(PersonalSignatures.signer(serviceKey), SignedMessage.Kind.EVENT, job, stale,
        System.currentTimeMillis()).addTo(outOfSequence.headers());
    records.add(outOfSequence);
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.plain(harness.bootstrapServers())
        .producer("forger", Map.of())) {
      for (ProducerRecord<byte[], byte[]> r : records) {
        producer.send(r).get();
      }
    }
  }

  /** The job's first record on the events topic (its signed {@code queued} event, seq 1). */
  private static ConsumerRecord<byte[], byte[]> firstEvent(String job) {
    try (KafkaConsumer<byte[], byte[]> c = KafkaClients.plain(harness.bootstrapServers()).consumer("reader", null,
        Map.of())) {
      TopicPartition tp = new TopicPartition(Topics.DEFAULT.events(), 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (job.equals(new String(r.key(), StandardCharsets.UTF_8))) {
            assertThat(JobEvent.fromJson(r.value()).seq()).isEqualTo(1);
            return r;
          }
        }
      }
      throw new AssertionError("no event of " + job + " on " + tp);
    }
  }
}
