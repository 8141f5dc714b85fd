package org.sparkgrid.jobs.service;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.SignatureHeaders;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.kafka.EmbeddedKafka;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.signing.PersonalSignatures;

/**
 * What the service tests start once per class: a real Kafka broker with SparkGrid's topics, Spark
 * {@code local[2]} in FAIR mode, then the service on a given job store and a client. Close it in
 * {@code @AfterAll}; it closes what it started, in reverse order.
 *
 * <pre>{@code
 * harness = ServiceHarness.start(dir, "MyServiceTest");
 * service = harness.startService(ServiceHarness.config(dir), store);
 * String jobId = harness.client().submit(request).jobId();   // signed: local.<id>
 * }</pre>
 */
final class ServiceHarness implements AutoCloseable {
  static final String FMNIST = "/usr/share/datasets/fashion-mnist";

  private final EmbeddedKafka kafka;
  private final JavaSparkContext sc;
  private SparkGridService service;
  private SparkGridClient client;

  private ServiceHarness(EmbeddedKafka kafka, JavaSparkContext sc) {
    this.kafka = kafka;
    this.sc = sc;
  }

  /** Starts the broker (topics of one partition) and Spark; skips the class without Fashion-MNIST. */
  static ServiceHarness start(Path dir, String appName) {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.DEFAULT.createMissing(admin, 1, (short) 1);
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName(appName)
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.scheduler.mode", "FAIR"));
    sc.setLogLevel("ERROR");
    return new ServiceHarness(kafka, sc);
  }

  /**
   * The tests' service settings: home under {@code dir}, no console progress, plus {@code more}.
   * Signed requests only, as the product's default ({@code spark.sparkgrid.auth.required=true}).
   */
  static SparkGridConfig config(Path dir, Map<String, String> more) {
    Map<String, String> m = new java.util.HashMap<>(Map.of("spark.sparkgrid.home", dir.resolve("home").toString(),
        "spark.sparkgrid.progress.enabled", "false"));
    m.putAll(more);
    return SparkGridConfig.from(m);
  }

  /**
   * Starts the service on {@code store} and connects the client as the CLI does ({@link ClientKeys}):
   * it signs with the operator's key {@code <home>/keys/requester.json}, which the service makes with
   * the admin {@value ServiceAuth#LOCAL} when the registry is missing, so request ids become
   * {@code local.<id>}; it believes only the service's events ({@code <home>/keys/service.account}).
   * Without that key (a test's own registry, or signatures not required) the client does not sign.
   */
  SparkGridService startService(SparkGridConfig config, JobStore store) {
    service = new SparkGridService(sc, config, kafka.bootstrapServers(), Topics.DEFAULT, store);
    service.start();
    try {
      ClientKeys.Requester requester = ClientKeys.requester(config, name -> null).orElse(null);
      client = ClientKeys.builder(config, () -> KafkaClients.plain(kafka.bootstrapServers()), requester).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the client's keys under " + config.home(), e);
    }
    return service;
  }

  /**
   * A record of {@code value} under {@code key} signed with the operator's key (the admin
   * {@value ServiceAuth#LOCAL} the service made under {@code config}'s home): what a test sends by
   * hand that is not a well-formed request or command but must get past the signature check.
   */
  static ProducerRecord<byte[], byte[]> signedByLocal(SparkGridConfig config, String topic, SignedMessage.Kind kind,
      String key, byte[] value) throws IOException {
    ChainKey local = ClientKeys.requireRequester(config, name -> null).key();
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    SignatureHeaders.sign(PersonalSignatures.signer(local), kind, key, value, System.currentTimeMillis())
        .addTo(r.headers());
    return r;
  }

  JavaSparkContext sc() {
    return sc;
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  SparkGridClient client() {
    return client;
  }

  /**
   * Reads {@code topic} from its start until {@code count} records match or {@code wait} runs out;
   * fewer than {@code count} when it ran out.
   */
  List<ConsumerRecord<byte[], byte[]>> read(String topic, int count, Duration wait,
      Predicate<ConsumerRecord<byte[], byte[]>> match) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + wait.toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> {
          if (match.test(r)) {
            out.add(r);
          }
        });
      }
    }
    return out;
  }

  /** A record's header as text; {@code null} when absent. */
  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {client, service}) {
      if (c != null) {
        c.close();
      }
    }
    sc.stop();
    kafka.close();
  }
}
