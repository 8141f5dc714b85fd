package org.sparkgrid.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.kafka.EmbeddedKafka;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.ingest.kafka.KafkaHome;

/**
 * The service and a requester end to end through SASL_SSL: the secured embedded broker started as
 * {@code serve --embedded-kafka --secure} starts it ({@link KafkaHome#startBroker}), the service as
 * its service principal, the client as the requester whose settings serve recorded under the home,
 * signing with the operator's key as {@code bin/sparkgrid submit} does.
 */
class SecureServiceTest {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  @TempDir static Path dir;
  private static EmbeddedKafka kafka;
  private static JavaSparkContext sc;
  private static JobStore store;
  private static SparkGridService service;
  private static SparkGridConfig config;

  @BeforeAll
  static void start() {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", dir.resolve("home").toString(),
        "spark.sparkgrid.progress.enabled", "false")); // signed requests only, the default
    kafka = KafkaHome.of(config).startBroker(true, Topics.DEFAULT);
    try (Admin admin = kafka.serviceClients().admin("sparkgrid-serve")) {
      Topics.DEFAULT.createMissing(admin, 1, (short) 1);
    }
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("SecureServiceTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.scheduler.mode", "FAIR"));
    sc.setLogLevel("ERROR");
    store = JdbcJobStore.openH2(dir.resolve("jobs"));
    service = new SparkGridService(sc, config, kafka.serviceClients(), Topics.DEFAULT, store);
    service.start();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {service, store}) {
      if (c != null) {
        c.close();
      }
    }
    if (sc != null) {
      sc.stop();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void aRequesterWithTheRecordedSettingsRunsAJobThroughSaslSsl() throws Exception {
    KafkaClients requester = KafkaClients.fromConfig(config); // what bin/sparkgrid submit uses
    assertThat(requester.bootstrapServers()).isEqualTo(kafka.bootstrapServers());
    assertThat(requester.settings()).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    List<JobEvent> seen = new CopyOnWriteArrayList<>();

    Optional<JobEvent> end;
    // signed with the operator's key the service made (the admin 'local'), believing the service's events
    try (SparkGridClient client = ClientKeys.builder(config, () -> requester,
        ClientKeys.requireRequester(config, name -> null)).build()) {
      String job = client.submit(RequestCodec.parse("""
          {"schema": 1, "id": "secure-one",
           "model": {"name": "secure-one", "architecture": "mlp", "mlp": {"hidden": [16]}},
           "data": {"format": "idx", "train": "file:%s/train", "test": "file:%s/t10k", "limit": 400},
           "training": {"epochs": 1, "batchSize": 32, "seed": 1},
           "engine": {"workers": 1, "averagingFrequency": 4}}
          """.formatted(FMNIST, FMNIST))).jobId();
      assertThat(job).isEqualTo("local.secure-one");
      end = client.follow(job, Duration.ofMinutes(5), seen::add);
    }

    assertThat(end).isPresent();
    assertThat(end.get().payload()).isInstanceOf(JobEvent.Succeeded.class);
    assertThat(seen).extracting(e -> e.payload().getClass().getSimpleName())
        .containsSubsequence("Queued", "Started", "Succeeded");
  }
}
