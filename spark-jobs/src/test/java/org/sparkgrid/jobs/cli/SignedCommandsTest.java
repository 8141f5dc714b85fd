package org.sparkgrid.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.ingest.SignatureHeaders;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.kafka.EmbeddedKafka;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.jobs.service.ClientKeys;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.signing.LocalKeys;
import org.sparkgrid.settlement.signing.PersonalSignatures;

/**
 * {@code bin/sparkgrid submit} and {@code cancel} sign what they send with the requester key of the
 * home ({@code <home>/keys/requester.json}): the raw records on the real broker carry the four
 * signature headers, and they recover to the keystore's account. Without a key the commands refuse
 * in one line naming the three ways to give one.
 */
class SignedCommandsTest {
  private static final Path REQUEST = Path.of(System.getProperty("user.dir")).getParent()
      .resolve("conf/requests/fmnist-mlp.json");
  @TempDir static Path dir;
  private static EmbeddedKafka kafka;
  private static ChainKey requester;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    try (Admin admin = KafkaClients.plain(kafka.bootstrapServers()).admin("test-admin")) {
      Topics.DEFAULT.createMissing(admin, 1, (short) 1);
    }
    requester = LocalKeys.loadOrCreate(dir.resolve("home/keys"), "requester"); // as serve makes it
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith("spark.sparkgrid.")) {
        System.clearProperty(key); // --conf sets system properties
      }
    }
  }

  private static String[] args(Path home, String... command) {
    List<String> a = new ArrayList<>(List.of(command));
    a.addAll(List.of("--conf", "spark.sparkgrid.home=" + home,
        "--conf", "spark.sparkgrid.kafka.bootstrapServers=" + kafka.bootstrapServers()));
    return a.toArray(String[]::new);
  }

  @Test
  void submitAndCancelAreSignedByTheHomesRequesterKey() throws Exception {
    Path home = dir.resolve("home");

    int submitted = SparkGridCli.execute(args(home, "submit", REQUEST.toString()));
    int cancelled = SparkGridCli.execute(args(home, "cancel", "local.fmnist-mlp-0001"));

    assertThat(submitted).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(cancelled).as(err.toString(StandardCharsets.UTF_8)).isZero();
    String said = out.toString(StandardCharsets.UTF_8);
    assertThat(said).contains("signing as requester local, account " + requester.address() + ", key from "
        + home.resolve("keys/requester.json"));
    assertThat(said).contains("submitted local.fmnist-mlp-0001 (partition 0, offset 0)");

    ConsumerRecord<byte[], byte[]> request = only(Topics.DEFAULT.requests());
    assertThat(new String(request.key(), StandardCharsets.UTF_8)).isEqualTo("local.fmnist-mlp-0001");
    assertThat(new ObjectMapper().readTree(request.value()).get("id").asText()).isEqualTo("local.fmnist-mlp-0001");
    assertThat(signer(request, SignedMessage.Kind.REQUEST)).isEqualTo(requester.address());

    ConsumerRecord<byte[], byte[]> cancel = only(Topics.DEFAULT.control());
    assertThat(new String(cancel.key(), StandardCharsets.UTF_8)).isEqualTo("local.fmnist-mlp-0001");
    assertThat(signer(cancel, SignedMessage.Kind.CONTROL)).isEqualTo(requester.address());
    // a signature for a request is no signature for a command
    assertThat(signer(cancel, SignedMessage.Kind.REQUEST)).isNotEqualTo(requester.address());
  }

  @Test
  void withoutAKeyTheCommandsRefuseNamingTheThreeWaysToGiveOne() {
    assumeTrue(System.getenv(ClientKeys.REQUESTER_KEY_ENV) == null, ClientKeys.REQUESTER_KEY_ENV + " is set here");
    Path bare = dir.resolve("bare-home");

    int rc = SparkGridCli.execute(args(bare, "cancel", "local.j"));

    assertThat(rc).isEqualTo(SparkGridCli.BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("sparkgrid: no requester key to sign with:"
        + " run `bin/sparkgrid serve` once on this home to make " + bare.resolve("keys/requester.json")
        + ", or set spark.sparkgrid.requester.keystore (and spark.sparkgrid.requester.passwordFile) to a V3 keystore,"
        + " or set the environment variable SPARKGRID_REQUESTER_KEY to a hex private key");
  }

  /** The account the record's signature headers recover, as a record of {@code kind}. */
  private static String signer(ConsumerRecord<byte[], byte[]> r, SignedMessage.Kind kind) {
    Headers h = r.headers();
    for (String name : List.of(SignedMessage.SIGNATURE_HEADER, SignedMessage.SIGNER_HEADER,
        SignedMessage.TIMESTAMP_HEADER, SignedMessage.NONCE_HEADER)) {
      assertThat(h.lastHeader(name)).as(name).isNotNull();
    }
    SignatureHeaders sig = SignatureHeaders.read(h).orElseThrow();
    assertThat(sig.signer()).isEqualTo(requester.address());
    assertThat(Math.abs(sig.timestamp() - System.currentTimeMillis())).isLessThan(120_000L);
    return sig.recover(PersonalSignatures.RECOVERY, kind, new String(r.key(), StandardCharsets.UTF_8), r.value());
  }

  /** The one record on partition 0 of {@code topic}. */
  private static ConsumerRecord<byte[], byte[]> only(String topic) {
    try (KafkaConsumer<byte[], byte[]> c = KafkaClients.plain(kafka.bootstrapServers()).consumer("test-reader", null,
        Map.of())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 30_000;
      while (got.isEmpty() && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(got::add);
      }
      assertThat(got).as(topic).hasSize(1);
      return got.get(0);
    }
  }
}
