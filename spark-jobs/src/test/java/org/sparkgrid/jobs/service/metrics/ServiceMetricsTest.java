package org.sparkgrid.jobs.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.run.EpochMetrics;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.ingest.Refusal;
import org.sparkgrid.ingest.jobs.JobState;

class ServiceMetricsTest {
  private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
  private final Map<JobState, Long> counts = new EnumMap<>(Map.of(JobState.QUEUED, 2L, JobState.RUNNING, 1L,
      JobState.SUCCEEDED, 5L));
  private final ServiceMetrics metrics = new ServiceMetrics(() -> Map.copyOf(counts), Clock.fixed(NOW, ZoneOffset.UTC));

  @AfterEach
  void close() {
    metrics.close();
  }

  private Optional<Double> value(String series) {
    return PrometheusText.value(metrics.scrape(), series);
  }

  @Test
  void everyDeclaredMetricIsScrapedWithItsHelpAndType() {
    String scrape = metrics.scrape();

    for (SparkGridMetric m : SparkGridMetric.values()) {
      assertThat(scrape).as(m.name()).contains("# HELP " + m.prometheusName() + " " + m.help() + "\n")
          .contains("# TYPE " + m.prometheusName() + " " + m.type().prometheus() + "\n");
    }
  }

  @Test
  void jobsByStateAndQueueDepthComeFromTheStoresCounts() {
    assertThat(value("sparkgrid_queue_depth")).contains(2.0);
    assertThat(value("sparkgrid_jobs{state=\"queued\"}")).contains(2.0);
    assertThat(value("sparkgrid_jobs{state=\"running\"}")).contains(1.0);
    assertThat(value("sparkgrid_jobs{state=\"succeeded\"}")).contains(5.0);
    assertThat(value("sparkgrid_jobs{state=\"timed_out\"}")).as("a state the store has no job in").contains(Double.NaN);
  }

  @Test
  void requestLatencyRunsFromTheRecordTimestampToNowAndSkipsRecordsWithout() {
    metrics.queued("a", NOW.toEpochMilli() - 1_500);
    metrics.queued("b", NOW.toEpochMilli() - 500);
    metrics.queued("c", -1);

    assertThat(value("sparkgrid_request_latency_seconds_count")).contains(2.0);
    assertThat(value("sparkgrid_request_latency_seconds_sum")).contains(2.0);
    assertThat(value("sparkgrid_request_latency_seconds_bucket{le=\"0.5\"}")).contains(1.0);
    assertThat(value("sparkgrid_request_latency_seconds_bucket{le=\"1.0\"}")).contains(1.0);
    assertThat(value("sparkgrid_request_latency_seconds_bucket{le=\"2.5\"}")).contains(2.0);
    assertThat(value("sparkgrid_request_latency_seconds_bucket{le=\"+Inf\"}")).contains(2.0);
    assertThat(metrics.scrape().lines().filter(l -> l.startsWith("sparkgrid_request_latency_seconds_bucket")))
        .as("the 12 declared buckets and +Inf").hasSize(13);
  }

  @Test
  void deadLettersCountByReasonWireNameAndEveryReasonStartsAtZero() {
    metrics.deadLettered(new Refusal(Refusal.Reason.INVALID_JSON, "$", null, "not JSON"));
    metrics.deadLettered(new Refusal(Refusal.Reason.INVALID_JSON, "$", null, "not JSON"));
    metrics.deadLettered(new Refusal(Refusal.Reason.UNRUNNABLE_REQUEST, "data.train", "x", "data.train: missing"));

    assertThat(value("sparkgrid_dead_letters_total{reason=\"invalid-json\"}")).contains(2.0);
    assertThat(value("sparkgrid_dead_letters_total{reason=\"unrunnable-request\"}")).contains(1.0);
    for (Refusal.Reason r : List.of(Refusal.Reason.TOO_LARGE, Refusal.Reason.MISSING_KEY)) {
      assertThat(value("sparkgrid_dead_letters_total{reason=\"" + r.wire() + "\"}")).as(r.wire()).contains(0.0);
    }
  }

  @Test
  void epochAndRoundGaugesShowTheLastOneAndNaNBeforeTheFirst() {
    assertThat(value("sparkgrid_epoch_seconds")).contains(Double.NaN);

    metrics.epochDone(new EpochMetrics(1, 0.9, 0.7, 0.8, 6000, 2.0, 3000.0));
    metrics.epochDone(new EpochMetrics(2, 0.6, 0.8, 0.6, 6000, 1.5, 4000.0));
    metrics.roundDone(new RoundMetrics(0, 0.5, 1.0, List.of("s1"), List.of("s1"), Map.of(), 7.5, 7.0));

    assertThat(value("sparkgrid_epoch_seconds")).contains(1.5);
    assertThat(value("sparkgrid_examples_per_second")).contains(4000.0);
    assertThat(value("sparkgrid_round_seconds")).contains(7.5);
  }

  @Test
  void settlementLatencyIsAHistogramInSeconds() {
    metrics.settled(Duration.ofMillis(2_500));

    assertThat(value("sparkgrid_settlement_latency_seconds_count")).contains(1.0);
    assertThat(value("sparkgrid_settlement_latency_seconds_sum")).contains(2.5);
  }

  @Test
  void theJvmsMetricsAreThereToo() {
    assertThat(value("jvm_threads_live_threads")).hasValueSatisfying(v -> assertThat(v).isGreaterThan(0));
    assertThat(metrics.scrape()).contains("jvm_memory_used_bytes{").contains("jvm_gc_");
  }
}
