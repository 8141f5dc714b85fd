package org.sparkgrid.jobs.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.auth.MessageSigner;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.core.auth.SignedMessage.Kind;
import org.sparkgrid.ingest.ControlCommand;
import org.sparkgrid.ingest.DeadLetter;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.auth.Limits;
import org.sparkgrid.ingest.auth.RegistryFile;
import org.sparkgrid.ingest.auth.Requester;
import org.sparkgrid.ingest.auth.RequesterRegistry;
import org.sparkgrid.ingest.auth.Role;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.AuditRecord;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.signing.PersonalSignatures;

/**
 * The service with signatures required, fed as Kafka's console producer would (a raw producer,
 * headers set by hand) with real secp256k1 keys: what no registered requester signed within its
 * rights never runs, the next good request does, and only a job's owner may cancel it.
 */
class ServiceAuthorizationTest {
  private static final String FMNIST = ServiceHarness.FMNIST;
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final MessageSigner ALICE = signer("11");
  private static final MessageSigner BOB = signer("22");
  private static final MessageSigner MALLORY = signer("33"); // not registered
  @TempDir static Path dir;
  private static ServiceHarness harness;
  private static JobStore store;
  private static SparkGridClient client;
  private static KafkaProducer<byte[], byte[]> producer;

  private static MessageSigner signer(String b) {
    return PersonalSignatures.signer(ChainKey.ofPrivateKey("0x" + b.repeat(32)));
  }

  @BeforeAll
  static void start() throws Exception {
    harness = ServiceHarness.start(dir, "ServiceAuthorizationTest");
    Path registry = dir.resolve("requesters.json");
    RegistryFile.write(registry, new RequesterRegistry(List.of(
        new Requester("alice", ALICE.account(), Set.of(Role.SUBMIT, Role.CANCEL_OWN), new Limits(2, 0, 3,
            BigInteger.valueOf(1000), null, BigInteger.valueOf(2000))),
        new Requester("bob", BOB.account(), Set.of(Role.SUBMIT, Role.CANCEL_OWN), new Limits(null, null, null, null,
            BigInteger.valueOf(5), null)))));
    store = JdbcJobStore.openH2(dir.resolve("jobs"));
    harness.startService(ServiceHarness.config(dir, Map.of("spark.sparkgrid.auth.required", "true",
        "spark.sparkgrid.auth.registry", registry.toString())), store);
    client = harness.client();
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, harness.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {producer, harness, store}) {
      if (c != null) {
        c.close();
      }
    }
  }

  // ---- records as a requester's tool would make them

  private static String compute(String id, String engine, String reward, String data) {
    return """
        {"schema": 1, "id": "%s", "model": {"name": "authz-mlp", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "file:%s/train"%s}, "training": {"epochs": 1, "batchSize": 32, "seed": 1},
         "engine": %s%s}""".formatted(id, FMNIST, data, engine, reward);
  }

  private static String small(String id) {
    return compute(id, "{\"workers\": 2, \"averagingFrequency\": 4}", "", ", \"limit\": 300");
  }

  private static String tree(String id, int rounds, String reward) {
    return """
        {"schema": 1, "id": "%s", "mode": "tree", "model": {"name": "authz-mlp", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:%s/t10k"}, "training": {"epochs": 1},
         "federation": {"sites": "file:/nowhere/federation.json", "rounds": %d}%s}"""
        .formatted(id, FMNIST, rounds, reward);
  }

  /**
   * A record of {@code sent} whose headers say {@code claimed} signed {@code signed} at {@code ts}:
   * {@code signer} makes the signature.
   */
  private static ProducerRecord<byte[], byte[]> record(String topic, Kind kind, MessageSigner signer, String claimed,
      String key, long ts, String signed, String sent) {
    String nonce = SignedMessage.newNonce();
    RecordHeaders h = new RecordHeaders();
    h.add(SignedMessage.SIGNATURE_HEADER, signer.sign(SignedMessage.message(kind, key, ts, nonce,
        signed.getBytes(UTF_8))).getBytes(UTF_8));
    h.add(SignedMessage.SIGNER_HEADER, claimed.getBytes(UTF_8));
    h.add(SignedMessage.TIMESTAMP_HEADER, Long.toString(ts).getBytes(UTF_8));
    h.add(SignedMessage.NONCE_HEADER, nonce.getBytes(UTF_8));
    return new ProducerRecord<>(topic, null, key.getBytes(UTF_8), sent.getBytes(UTF_8), h);
  }

  private static ProducerRecord<byte[], byte[]> request(MessageSigner signer, String id, String json) {
    return record(Topics.DEFAULT.requests(), Kind.REQUEST, signer, signer.account(), id, System.currentTimeMillis(),
        json, json);
  }

  private static ProducerRecord<byte[], byte[]> command(MessageSigner signer, ControlCommand c) {
    String json = new String(c.toJson(), UTF_8);
    return record(Topics.DEFAULT.control(), Kind.CONTROL, signer, signer.account(), c.jobId(),
        System.currentTimeMillis(), json, json);
  }

  /** The refusal kinds, in the order each cycle of the 1,000 sends them. */
  private static final List<String> KINDS = List.of("unsigned", "unknown-account", "bad-signature (wrong key)",
      "bad-signature (tampered)", "expired", "outside-namespace", "replayed", "over maxWorkers", "over maxGpus",
      "over maxRounds", "over maxRewardPoolPerRound", "over maxFee", "under minFee");

  /** What each kind's dead letter's message starts with (up to ", got" for a limit). */
  private static final Map<String, String> LABELS = new LinkedHashMap<>();

  static {
    LABELS.put("unsigned", "unsigned");
    LABELS.put("unknown-account", "unknown-account");
    LABELS.put("bad-signature (wrong key)", "bad-signature");
    LABELS.put("bad-signature (tampered)", "bad-signature");
    LABELS.put("expired", "expired");
    LABELS.put("outside-namespace", "outside-namespace");
    LABELS.put("replayed", "replayed");
    LABELS.put("over maxWorkers", "over-limit: engine.workers: requester alice may ask for at most 2 workers at once");
    LABELS.put("over maxGpus", "over-limit: engine.resources.gpus: requester alice may ask for at most 0 GPUs at once");
    LABELS.put("over maxRounds", "over-limit: federation.rounds: requester alice may ask for at most 3 rounds");
    LABELS.put("over maxRewardPoolPerRound", "over-limit: reward.poolPerRound: requester alice may ask for at most"
        + " 1000 reward pool per round");
    LABELS.put("over maxFee", "over-limit: reward.poolPerRound: requester alice may ask for at most 2000 fee");
    LABELS.put("under minFee", "over-limit: reward.poolPerRound: requester bob must pay a fee of at least 5");
  }

  private static String label(String message) {
    return message.startsWith("over-limit") ? message.substring(0, message.indexOf(", got"))
        : message.substring(0, message.indexOf(':'));
  }

  @Test
  void aThousandRequestsNoRegisteredRequesterMayMakeGoToTheDeadLetterTopicAndTheNextGoodOneRuns() throws Exception {
    Map<String, Long> expected = new TreeMap<>();
    Set<String> ids = new HashSet<>();
    ProducerRecord<byte[], byte[]> lastOutside = null;
    for (int i = 0; i < 1_000; i++) {
      String kind = KINDS.get(i % KINDS.size());
      String id = "alice.r-" + i;
      long now = System.currentTimeMillis();
      String json = small(id);
      ProducerRecord<byte[], byte[]> r = switch (kind) {
        case "unsigned" -> new ProducerRecord<>(Topics.DEFAULT.requests(), id.getBytes(UTF_8), json.getBytes(UTF_8));
        case "unknown-account" -> request(MALLORY, "mallory.r-" + i, small("mallory.r-" + i));
        case "bad-signature (wrong key)" -> record(Topics.DEFAULT.requests(), Kind.REQUEST, MALLORY, ALICE.account(),
            id, now, json, json);
        case "bad-signature (tampered)" -> record(Topics.DEFAULT.requests(), Kind.REQUEST, ALICE, ALICE.account(), id,
            now, json, json.replace("\"epochs\": 1", "\"epochs\": 50"));
        case "expired" -> record(Topics.DEFAULT.requests(), Kind.REQUEST, ALICE, ALICE.account(), id, now - 400_000,
            json, json);
        case "outside-namespace" -> lastOutside = request(ALICE, "bob.r-" + i, small("bob.r-" + i));
        case "replayed" -> new ProducerRecord<>(lastOutside.topic(), null, lastOutside.key(), lastOutside.value(),
            lastOutside.headers()); // the same record, headers and all, sent again
        case "over maxWorkers" -> request(ALICE, id, compute(id, "{\"workers\": 3}", "", ""));
        case "over maxGpus" -> request(ALICE, id, compute(id, "{\"workers\": 1, \"resources\": {\"gpus\": 1}}", "",
            ""));
        case "over maxRounds" -> request(ALICE, id, tree(id, 4, ""));
        case "over maxRewardPoolPerRound" -> request(ALICE, id, compute(id, "{\"workers\": 2}",
            ", \"reward\": {\"poolPerRound\": \"1001\"}", ""));
        case "over maxFee" -> request(ALICE, id, tree(id, 3, ", \"reward\": {\"poolPerRound\": \"1000\"}"));
        case "under minFee" -> request(BOB, "bob.r-" + i, small("bob.r-" + i));
        default -> throw new AssertionError(kind);
      };
      ids.add(new String(r.key(), UTF_8));
      expected.merge(LABELS.get(kind), 1L, Long::sum);
      producer.send(r);
    }
    producer.flush();
    producer.send(request(ALICE, "alice.good", small("alice.good"))).get();

    Optional<JobEvent> end = client.follow("alice.good", Duration.ofMinutes(5), e -> { });

    assertThat(end).isPresent();
    assertThat(end.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    List<ConsumerRecord<byte[], byte[]>> dead = readToEnd(Topics.DEFAULT.deadLetters(), 1_000);
    assertThat(dead).hasSize(1_000);
    assertThat(dead).extracting(r -> header(r, DeadLetter.REASON)).containsOnly("unauthorized");
    Map<String, Long> kinds = dead.stream().collect(Collectors.groupingBy(r -> label(header(r, DeadLetter.MESSAGE)),
        TreeMap::new, Collectors.counting()));
    assertThat(kinds).isEqualTo(expected);
    assertThat(expected.get("bad-signature")).isEqualTo(154);
    assertThat(expected.get("replayed")).isEqualTo(77);
    ConsumerRecord<byte[], byte[]> unsigned = dead.stream().filter(r -> header(r, DeadLetter.MESSAGE)
        .startsWith("unsigned")).findFirst().orElseThrow();
    assertThat(header(unsigned, DeadLetter.MESSAGE)).isEqualTo("unsigned: the record carries no signature (headers"
        + " sparkgrid.signature, sparkgrid.signer, sparkgrid.timestamp, sparkgrid.nonce); this service takes only"
        + " records signed by a registered requester");
    assertThat(header(unsigned, DeadLetter.FIELD)).isEqualTo("sparkgrid.signature");
    assertThat(dead.stream().map(r -> header(r, DeadLetter.MESSAGE)).filter(m -> m.startsWith("bad-signature")))
        .allMatch(m -> m.endsWith("not by its sparkgrid.signer " + ALICE.account()
            + " (a wrong key, or the record was changed after signing)"));
    assertThat(dead.stream().map(r -> header(r, DeadLetter.MESSAGE)).filter(m -> m.startsWith("unknown-account")))
        .allMatch(m -> m.equals("unknown-account: " + MALLORY.account()
            + " is not in the requester registry (bin/sparkgrid requester add)"));
    assertThat(store.list(JobFilter.all())).extracting(Job::id).filteredOn(ids::contains).isEmpty();
    Job good = store.get("alice.good").orElseThrow();
    assertThat(good.requester()).isEqualTo("alice");
    // unauthorized requests publish nothing under the id they claimed
    assertThat(read(Topics.DEFAULT.events(), 1, r -> ids.contains(new String(r.key(), UTF_8)), Duration.ofSeconds(2)))
        .isEmpty();
    List<AuditRecord> audit = store.audit(null, 5_000).stream().filter(a -> a.kind().equals("request")).toList();
    assertThat(audit).filteredOn(a -> !a.accepted() && a.reason().startsWith("unauthorized: ")).hasSize(1_000);
    assertThat(audit).filteredOn(a -> a.accepted() && "alice.good".equals(a.jobId()))
        .extracting(AuditRecord::account, AuditRecord::requester).containsExactly(
            org.assertj.core.groups.Tuple.tuple(ALICE.account(), "alice"));
    assertThat(audit).filteredOn(a -> a.account().equals("unsigned")).hasSize(expected.get("unsigned").intValue());
  }

  @Test
  void aStrangersCancelAndExcludeSiteAreRefusedAndTheOwnersCancelWorks() throws Exception {
    producer.send(request(ALICE, "alice.ctl-run", small("alice.ctl-run"))).get();
    awaitStored("alice.ctl-run");
    producer.send(command(BOB, new ControlCommand.Cancel("alice.ctl-run"))).get();
    producer.send(command(BOB, new ControlCommand.ExcludeSite("alice.ctl-run", "s1"))).get();
    producer.send(new ProducerRecord<>(Topics.DEFAULT.control(), "alice.ctl-run".getBytes(UTF_8),
        new ControlCommand.Cancel("alice.ctl-run").toJson())).get(); // unsigned, as the console producer sends it

    Optional<JobEvent> end = client.follow("alice.ctl-run", Duration.ofMinutes(5), e -> { });
    List<JobEvent.CommandRefused> refused = read(Topics.DEFAULT.events(), 3,
        r -> new String(r.key(), UTF_8).equals("alice.ctl-run"), WAIT).stream()
        .map(r -> JobEvent.fromJson(r.value()).payload())
        .filter(p -> p instanceof JobEvent.CommandRefused).map(p -> (JobEvent.CommandRefused) p).toList();

    assertThat(end).isPresent();
    assertThat(end.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    assertThat(refused).extracting(JobEvent.CommandRefused::command).containsExactly("cancel", "exclude-site", "cancel");
    assertThat(refused.get(0).reason()).isEqualTo("not-owner: requester bob may not cancel job 'alice.ctl-run':"
        + " requester alice submitted it, and only the owner (with cancel-own) or an admin may");
    assertThat(refused.get(1).reason()).isEqualTo("not-owner: requester bob may not exclude-site job"
        + " 'alice.ctl-run': requester alice submitted it, and only the owner (with cancel-own) or an admin may");
    assertThat(refused.get(2).reason()).startsWith("unsigned: the record carries no signature");
    assertThat(store.audit("alice.ctl-run", 10)).extracting(AuditRecord::kind, AuditRecord::requester,
        AuditRecord::accepted).containsExactly(
            org.assertj.core.groups.Tuple.tuple("request", "alice", true),
            org.assertj.core.groups.Tuple.tuple("cancel", "bob", false),
            org.assertj.core.groups.Tuple.tuple("exclude-site", "bob", false),
            org.assertj.core.groups.Tuple.tuple("cancel", null, false));

    producer.send(request(ALICE, "alice.ctl-long", compute("alice.ctl-long",
        "{\"workers\": 2, \"averagingFrequency\": 4}", "", ""))).get();
    awaitStored("alice.ctl-long");
    producer.send(command(ALICE, new ControlCommand.Cancel("alice.ctl-long"))).get();

    Optional<JobEvent> cancelled = client.follow("alice.ctl-long", Duration.ofMinutes(5), e -> { });

    assertThat(cancelled).isPresent();
    assertThat(cancelled.get().payload()).isInstanceOf(JobEvent.Cancelled.class);
    assertThat(store.audit("alice.ctl-long", 10)).extracting(AuditRecord::kind, AuditRecord::accepted)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("request", true),
            org.assertj.core.groups.Tuple.tuple("cancel", true));
  }

  private static void awaitStored(String id) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (store.get(id).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(store.get(id)).as(id + " stored").isPresent();
  }

  private static KafkaConsumer<byte[], byte[]> consumer() {
    return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, harness.bootstrapServers(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Every record of {@code topic} once it holds at least {@code atLeast} (or the wait ran out). */
  private static List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic, int atLeast) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer()) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(parts);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum() < atLeast
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      c.seekToBeginning(parts);
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  /** Reads {@code topic} from the start until {@code count} records match or {@code wait} runs out. */
  private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int count,
      Predicate<ConsumerRecord<byte[], byte[]>> match, Duration wait) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer()) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + wait.toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> {
          if (r.key() != null && match.test(r)) {
            out.add(r);
          }
        });
      }
    }
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), UTF_8);
  }
}
