package org.sparkgrid.jobs.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.SparkEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.jobs.service.metrics.PrometheusText;
import org.sparkgrid.jobs.service.metrics.SparkMetricsSource;
import scala.collection.JavaConverters;

/**
 * The service's Prometheus endpoint, on a real service (Kafka, Spark {@code local[2]}, H2): after a
 * small compute job and a refused request, a plain HTTP GET of /metrics shows the job succeeded,
 * the refusal by its reason, the request's latency and the epoch's figures; Spark's metrics system
 * holds the same gauges.
 */
class ServicePrometheusTest {
  @TempDir static Path dir;
  private static ServiceHarness harness;
  private static JobStore store;
  private static SparkGridService service;
  private static SparkGridConfig config;

  @BeforeAll
  static void start() {
    harness = ServiceHarness.start(dir, "ServicePrometheusTest");
    store = JdbcJobStore.openH2(dir.resolve("jobs"));
    config = ServiceHarness.config(dir, Map.of("spark.sparkgrid.metrics.port", "0"));
    service = harness.startService(config, store); // signed requests only: the client signs as the admin 'local'
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {harness, store}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    InetSocketAddress a = service.metricsAddress().orElseThrow();
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://" + a.getHostString() + ":" + a.getPort() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Scrapes until {@code series} reads {@code expected} (the consumer confirms refusals after it stores jobs). */
  private static String scrapeUntil(String series, double expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String body;
    do {
      body = get("/metrics").body();
      if (PrometheusText.value(body, series).equals(Optional.of(expected))) {
        return body;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return body;
  }

  @Test
  void metricsShowTheJobThatSucceededTheRefusalByReasonAndTheEpochsFigures() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, harness.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      // signed by the admin 'local', so that the signature check passes it on to the JSON reader
      producer.send(ServiceHarness.signedByLocal(config, Topics.DEFAULT.requests(), SignedMessage.Kind.REQUEST,
          "local.metrics-bad", "{not json".getBytes(UTF_8))).get();
    }
    harness.client().submit(RequestCodec.parse("""
        {"schema": 1, "id": "metrics-good", "model": {"name": "metrics-good", "architecture": "mlp",
         "mlp": {"hidden": [16]}}, "data": {"format": "idx", "train": "file:%s/train", "limit": 300},
         "training": {"epochs": 1, "batchSize": 32, "seed": 1}, "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(ServiceHarness.FMNIST)));
    Optional<JobEvent> end = harness.client().follow("local.metrics-good", Duration.ofMinutes(5), e -> { });
    assertThat(end).hasValueSatisfying(e -> assertThat(e.payload()).isInstanceOf(JobEvent.Succeeded.class));

    HttpResponse<String> response = get("/metrics");
    String body = scrapeUntil("sparkgrid_dead_letters_total{reason=\"invalid-json\"}", 1.0);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
    assertThat(PrometheusText.value(body, "sparkgrid_jobs{state=\"succeeded\"}")).contains(1.0);
    assertThat(PrometheusText.value(body, "sparkgrid_jobs{state=\"failed\"}")).contains(0.0);
    assertThat(PrometheusText.value(body, "sparkgrid_queue_depth")).contains(0.0);
    assertThat(PrometheusText.value(body, "sparkgrid_dead_letters_total{reason=\"invalid-json\"}")).contains(1.0);
    assertThat(PrometheusText.value(body, "sparkgrid_dead_letters_total{reason=\"invalid-request\"}")).contains(0.0);
    assertThat(PrometheusText.value(body, "sparkgrid_request_latency_seconds_count")).contains(1.0);
    assertThat(PrometheusText.value(body, "sparkgrid_epoch_seconds")).hasValueSatisfying(v -> assertThat(v).isPositive());
    assertThat(PrometheusText.value(body, "sparkgrid_examples_per_second"))
        .hasValueSatisfying(v -> assertThat(v).isPositive());
    assertThat(PrometheusText.value(body, "sparkgrid_round_seconds")).as("no tree job ran").contains(Double.NaN);
    assertThat(body).contains("jvm_memory_used_bytes{");

    List<org.apache.spark.metrics.source.Source> sources = JavaConverters.seqAsJavaList(
        SparkEnv.get().metricsSystem().getSourcesByName(SparkMetricsSource.NAME));
    assertThat(sources).hasSize(1);
    assertThat(sources.get(0).metricRegistry().getGauges().get("jobs.succeeded").getValue()).isEqualTo(1.0);
    assertThat(sources.get(0).metricRegistry().getGauges().get("dead_letters_total.invalid-json").getValue())
        .isEqualTo(1.0);
  }
}
