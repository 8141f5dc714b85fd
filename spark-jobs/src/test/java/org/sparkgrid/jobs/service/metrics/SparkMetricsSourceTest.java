package org.sparkgrid.jobs.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.run.EpochMetrics;
import org.sparkgrid.ingest.Refusal;
import org.sparkgrid.ingest.jobs.JobState;
import scala.collection.JavaConverters;

/**
 * The service's metrics in Spark's metrics system, on a real {@code local[2]} SparkContext started
 * with the shipped {@code conf/metrics.properties} (JMX sink and Prometheus servlet): while a Spark
 * job runs, the gauges are in the source Spark holds, in the platform MBean server through the JMX
 * sink, and on the Spark UI's {@code /metrics/prometheus}.
 */
class SparkMetricsSourceTest {
  private static JavaSparkContext sc;

  @BeforeAll
  static void startSpark() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("SparkMetricsSourceTest")
        .set("spark.ui.enabled", "true").set("spark.ui.port", "0").set("spark.driver.host", "127.0.0.1")
        .set("spark.metrics.conf", Path.of("..", "conf", "metrics.properties").toString()));
    sc.setLogLevel("ERROR");
  }

  @AfterAll
  static void stopSpark() {
    if (sc != null) {
      sc.stop();
    }
  }

  @Test
  void nameIsThePrometheusNameUnderTheSourceWithTheLabelValueAfterADot() {
    assertThat(SparkMetricsSource.name(SparkGridMetric.QUEUE_DEPTH, Optional.empty())).isEqualTo("queue_depth");
    assertThat(SparkMetricsSource.name(SparkGridMetric.JOBS, Optional.of("succeeded"))).isEqualTo("jobs.succeeded");
  }

  @Test
  void theGaugesAppearInSparksMetricsSystemAndItsJmxSinkDuringAJob() throws Exception {
    SparkGridConfig config = SparkGridConfig.from(Map.of());
    Map<JobState, Long> counts = Map.of(JobState.QUEUED, 2L, JobState.SUCCEEDED, 1L);
    try (ServiceMetrics metrics = ServiceMetrics.start(config, () -> counts, SparkEnv.get())) {
      metrics.epochDone(new EpochMetrics(1, 0.5, 0.8, 0.4, 6000, 1.5, 4000.0));
      metrics.deadLettered(new Refusal(Refusal.Reason.INVALID_JSON, "$", null, "not JSON"));
      JavaFutureAction<Long> job = sc.parallelize(IntStream.range(0, 200).boxed().toList(), 2)
          .map(i -> {
            Thread.sleep(10);
            return i;
          }).countAsync();

      List<org.apache.spark.metrics.source.Source> sources = JavaConverters.seqAsJavaList(
          SparkEnv.get().metricsSystem().getSourcesByName(SparkMetricsSource.NAME));
      assertThat(sources).hasSize(1);
      Map<String, com.codahale.metrics.Gauge> gauges = sources.get(0).metricRegistry().getGauges();
      assertThat(gauges.get("queue_depth").getValue()).isEqualTo(2.0);
      assertThat(gauges.get("jobs.succeeded").getValue()).isEqualTo(1.0);
      assertThat(gauges.get("epoch_seconds").getValue()).isEqualTo(1.5);
      assertThat(gauges.get("examples_per_second").getValue()).isEqualTo(4000.0);
      assertThat(gauges.get("dead_letters_total.invalid-json").getValue()).isEqualTo(1.0);
      assertThat(gauges).containsKeys("request_latency_seconds.count", "request_latency_seconds.sum",
          "request_latency_seconds.max", "settlement_latency_seconds.count");

      MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
      String prefix = sc.sc().applicationId() + ".driver." + SparkMetricsSource.NAME + ".";
      assertThat(job.isDone()).as("the Spark job still runs").isFalse();
      assertThat(jmx.getAttribute(gauge(prefix + "epoch_seconds"), "Value")).isEqualTo(1.5);
      assertThat(jmx.getAttribute(gauge(prefix + "jobs.succeeded"), "Value")).isEqualTo(1.0);
      assertThat(jmx.getAttribute(gauge(prefix + "dead_letters_total.invalid-json"), "Value")).isEqualTo(1.0);
      // Spark's handler answers /metrics/prometheus with a redirect to /metrics/prometheus/
      String servlet = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build().send(HttpRequest.newBuilder(
          URI.create(sc.sc().uiWebUrl().get() + "/metrics/prometheus")).build(), HttpResponse.BodyHandlers.ofString())
          .body();
      assertThat(servletValue(servlet, "_driver_sparkgrid_jobs_succeeded_Value")).isEqualTo(1.0);
      assertThat(servletValue(servlet, "_driver_sparkgrid_examples_per_second_Value")).isEqualTo(4000.0);
      assertThat(job.get()).isEqualTo(200L);
    }
    assertThat(SparkEnv.get().metricsSystem().getSourcesByName(SparkMetricsSource.NAME).isEmpty())
        .as("closed: the source left Spark's metrics system").isTrue();
    Set<ObjectName> left = ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("metrics:*"), null);
    assertThat(left).noneMatch(n -> n.toString().contains(".driver." + SparkMetricsSource.NAME + "."));
  }

  /** The value on the one line of Spark's Prometheus servlet whose name ends with {@code suffix}. */
  private static double servletValue(String body, String suffix) {
    List<String> lines = body.lines().filter(l -> l.startsWith("metrics_") && l.contains(suffix + "{")).toList();
    assertThat(lines).as("lines ending in " + suffix + " of\n" + body).hasSize(1);
    String line = lines.get(0);
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  /** The MBean of a gauge as the JMX sink (Dropwizard's JmxReporter) names it. */
  private static ObjectName gauge(String name) throws Exception {
    Set<ObjectName> found = ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("metrics:*"), null)
        .stream().filter(n -> name.equals(ObjectName.unquote(quoted(n.getKeyProperty("name"))))).collect(
            java.util.stream.Collectors.toSet());
    assertThat(found).as("MBean of " + name).hasSize(1);
    return found.iterator().next();
  }

  private static String quoted(String s) {
    return s.startsWith("\"") ? s : ObjectName.quote(s);
  }
}
