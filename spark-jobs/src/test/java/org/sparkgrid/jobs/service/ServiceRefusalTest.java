package org.sparkgrid.jobs.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.sites.FederationRegistry;
import org.sparkgrid.federation.sites.RegisteredFederation;
import org.sparkgrid.ingest.DeadLetter;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxWriter;

/**
 * Refused at the door, through the real broker and the service: requests that would fail go to the
 * dead-letter topic as {@code unrunnable-request} naming the field, nothing is stored, and the next
 * good request still runs; bad control commands are answered with {@code command-refused} events.
 */
class ServiceRefusalTest {
  private static final String FMNIST = ServiceHarness.FMNIST;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String A1 = "0x" + "1".repeat(40);
  private static final String A2 = "0x" + "2".repeat(40);
  @TempDir static Path dir;
  private static ServiceHarness harness;
  private static JobStore store;
  private static SparkGridClient client;
  private static SparkGridConfig config;

  @BeforeAll
  static void start() throws Exception {
    harness = ServiceHarness.start(dir, "ServiceRefusalTest");
    store = JdbcJobStore.openH2(dir.resolve("jobs"));
    config = ServiceHarness.config(dir, Map.of());
    harness.startService(config, store); // signed requests only: the client signs as the admin 'local'
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

  private static TrainingRequest compute(String id, String train) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s", "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "%s", "limit": 300},
         "training": {"epochs": 1, "batchSize": 32, "seed": 1}, "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(id, id, train));
  }

  /** A tree request in the registered federation {@code federation}. */
  private static TrainingRequest tree(String id, String federation, int minSites) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s", "mode": "tree", "model": {"name": "%s", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:%s/t10k"}, "training": {"epochs": 1},
         "federation": {"name": "%s", "rounds": 1, "minSites": %d}}
        """.formatted(id, id, FMNIST, federation, minSites));
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int count,
      Predicate<ConsumerRecord<byte[], byte[]>> match) {
    return harness.read(topic, count, WAIT, match);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return ServiceHarness.header(r, name);
  }

  @Test
  void requestsThatWouldFailGoToTheDeadLetterTopicNamingTheFieldAndTheNextGoodOneRuns() throws Exception {
    Configuration hadoop = new Configuration();
    String tiny = "file:" + dir.resolve("tiny");
    IdxWriter.write(hadoop, tiny, ExampleShard.of(new int[] {1, 2, 2}, new float[8], new int[] {0, 1}), new int[] {0, 1});
    Files.writeString(dir.resolve("text-images-idx3-ubyte"), "label,pixel0\n1,2\n");
    Files.writeString(dir.resolve("text-labels-idx1-ubyte"), "1\n");
    FederationRegistry registry = FederationRegistry.at(dir.resolve("home/federations")); // the service's
    registry.add(new RegisteredFederation("two", new FederationFile(List.of(
        new FederationFile.Site("s1", tiny, A1, 1.0, List.of()),
        new FederationFile.Site("s2", tiny, A2, 1.0, List.of())), Set.of()), BigInteger.ZERO, BigInteger.ZERO));
    registry.add(new RegisteredFederation("allow", new FederationFile(List.of(
        new FederationFile.Site("s1", tiny, A1, 1.0, List.of()),
        new FederationFile.Site("s2", tiny, A2, 1.0, List.of())), Set.of(A1)), BigInteger.ZERO, BigInteger.ZERO));
    String missing = "file:" + dir.resolve("nope");
    String text = "file:" + dir.resolve("text");

    client.submit(compute("door-missing", missing));
    client.submit(compute("door-not-idx", text));
    client.submit(tree("door-min-sites", "two", 3));
    client.submit(tree("door-allowlist", "allow", 1));
    client.submit(compute("door-good", "file:" + FMNIST + "/train"));

    Optional<JobEvent> end = client.follow("local.door-good", Duration.ofMinutes(5), e -> { });
    assertThat(end).isPresent();
    assertThat(end.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    List<ConsumerRecord<byte[], byte[]>> dead = read(Topics.DEFAULT.deadLetters(), 4,
        r -> new String(r.key(), UTF_8).startsWith("local.door-"));
    assertThat(dead).extracting(r -> new String(r.key(), UTF_8))
        .containsExactly("local.door-missing", "local.door-not-idx", "local.door-min-sites", "local.door-allowlist");
    assertThat(dead).extracting(r -> header(r, DeadLetter.REASON)).containsOnly("unrunnable-request");
    assertThat(dead).extracting(r -> header(r, DeadLetter.FIELD))
        .containsExactly("data.train", "data.train", "federation.minSites", "federation.name");
    assertThat(dead).extracting(r -> header(r, DeadLetter.VALUE))
        .containsExactly(missing, text, "3", "allow");
    assertThat(header(dead.get(0), DeadLetter.MESSAGE)).isEqualTo("data.train: " + missing
        + "-images-idx3-ubyte does not exist (nor " + missing + "-images-idx3-ubyte.gz)");
    assertThat(header(dead.get(1), DeadLetter.MESSAGE)).startsWith("data.train: ")
        .contains("magic number 0x6c616265 is not the expected 0x00000803");
    assertThat(header(dead.get(2), DeadLetter.MESSAGE))
        .isEqualTo("federation.minSites: must be at most the 2 sites of registered federation 'two', got 3");
    assertThat(header(dead.get(3), DeadLetter.MESSAGE))
        .isEqualTo("federation.name: site s2's account " + A2 + " is not on the allowlist of registered federation"
            + " 'allow'");
    assertThat(store.list(JobFilter.all())).extracting(Job::id).filteredOn(id -> id.startsWith("local.door-"))
        .containsExactly("local.door-good");
    assertThat(dir.resolve("home/store/runs/local.door-min-sites")).doesNotExist();
  }

  @Test
  void anUnknownCommandAndACancelOfAnUnknownJobAreAnsweredWithCommandRefused() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, harness.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      // signed by the admin 'local', so that the signature check passes it on to the command's reader
      producer.send(ServiceHarness.signedByLocal(config, Topics.DEFAULT.control(), SignedMessage.Kind.CONTROL, "ctl-7",
          "{\"command\": \"pause\", \"job\": \"ctl-7\"}".getBytes(UTF_8))).get();
    }
    client.cancel("ctl-unknown");

    List<JobEvent> refused = read(Topics.DEFAULT.events(), 2, r -> new String(r.key(), UTF_8).startsWith("ctl-"))
        .stream().map(r -> JobEvent.fromJson(r.value())).toList();

    assertThat(refused).extracting(JobEvent::jobId).containsExactlyInAnyOrder("ctl-7", "ctl-unknown");
    assertThat(refused).extracting(JobEvent::seq).containsOnly(0L);
    JobEvent pause = refused.stream().filter(e -> e.jobId().equals("ctl-7")).findFirst().orElseThrow();
    assertThat(pause.payload()).isEqualTo(new JobEvent.CommandRefused("pause",
        "command: unknown command pause; known: cancel, exclude-site"));
    JobEvent cancel = refused.stream().filter(e -> e.jobId().equals("ctl-unknown")).findFirst().orElseThrow();
    assertThat(cancel.payload()).isInstanceOfSatisfying(JobEvent.CommandRefused.class, p -> {
      assertThat(p.command()).isEqualTo("cancel");
      assertThat(p.reason()).contains("ctl-unknown");
    });
  }
}
