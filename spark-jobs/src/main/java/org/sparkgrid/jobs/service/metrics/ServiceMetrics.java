package org.sparkgrid.jobs.service.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.apache.spark.SparkEnv;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.run.EpochMetrics;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.ingest.IntakeListener;
import org.sparkgrid.ingest.Refusal;
import org.sparkgrid.ingest.jobs.JobState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's metrics ({@link SparkGridMetric}) plus the JVM's, in a Micrometer Prometheus
 * registry; {@link #start} also serves them on {@code GET /metrics} (when
 * {@code spark.sparkgrid.metrics.port} is set) and registers them with Spark's metrics system
 * ({@link SparkMetricsSource}), so the cluster's {@code metrics.properties} sinks see them too.
 * The service tells it what happens: requests queued and refused ({@link IntakeListener}), epochs,
 * rounds and settlements done. Every label value (each job state, each refusal reason) is there
 * from the start, at 0. Thread-safe.
 *
 * <pre>{@code
 * try (ServiceMetrics metrics = ServiceMetrics.start(config, store::countByState, SparkEnv.get())) {
 *   RequestConsumer.builder(kafka, store, events).intake(metrics).build();
 *   metrics.epochDone(epoch);
 *   metrics.address();   // Optional[127.0.0.1:9464]: curl http://127.0.0.1:9464/metrics
 * }
 * }</pre>
 */
public final class ServiceMetrics implements IntakeListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceMetrics.class);

  /** The buckets of {@code sparkgrid_request_latency_seconds} (plus +Inf). */
  static final List<Duration> REQUEST_LATENCY_BUCKETS = seconds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300);
  /** The buckets of {@code sparkgrid_settlement_latency_seconds} (plus +Inf). */
  static final List<Duration> SETTLEMENT_LATENCY_BUCKETS = seconds(1, 5, 15, 30, 60, 120, 300, 600, 1800);

  /** How long one read of the job store's counts serves the gauges. */
  static final long COUNTS_MAX_AGE_MS = 1_000;

  private final PrometheusMeterRegistry registry;
  private final Clock clock;
  private final Timer requestLatency;
  private final Timer settlementLatency;
  private final Map<Refusal.Reason, Counter> deadLetters = new EnumMap<>(Refusal.Reason.class);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private volatile double epochSeconds = Double.NaN;
  private volatile double examplesPerSecond = Double.NaN;
  private volatile double roundSeconds = Double.NaN;
  private MetricsEndpoint endpoint;
  private SparkMetricsSource sparkSource;
  private SparkEnv sparkEnv;

  /**
   * Metrics in a registry of their own, served nowhere yet.
   *
   * @param counts the job store's counts by state ({@code JobStore::countByState})
   * @param clock  the wall clock request latencies are measured on (record timestamps are wall time)
   */
  public ServiceMetrics(Supplier<Map<JobState, Long>> counts, Clock clock) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.clock = clock;
    JobCounts jobs = new JobCounts(counts, COUNTS_MAX_AGE_MS, System::nanoTime);
    gauge(SparkGridMetric.QUEUE_DEPTH, null, () -> count(jobs, JobState.QUEUED));
    for (JobState s : JobState.values()) {
      gauge(SparkGridMetric.JOBS, stateLabel(s), () -> count(jobs, s));
    }
    gauge(SparkGridMetric.EPOCH_SECONDS, null, () -> epochSeconds);
    gauge(SparkGridMetric.EXAMPLES_PER_SECOND, null, () -> examplesPerSecond);
    gauge(SparkGridMetric.ROUND_SECONDS, null, () -> roundSeconds);
    requestLatency = timer(SparkGridMetric.REQUEST_LATENCY, REQUEST_LATENCY_BUCKETS);
    settlementLatency = timer(SparkGridMetric.SETTLEMENT_LATENCY, SETTLEMENT_LATENCY_BUCKETS);
    for (Refusal.Reason r : Refusal.Reason.values()) {
      deadLetters.put(r, Counter.builder(SparkGridMetric.DEAD_LETTERS.micrometerName())
          .description(SparkGridMetric.DEAD_LETTERS.help()).tag("reason", r.wire()).register(registry));
    }
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /**
   * The service's metrics, served on {@code spark.sparkgrid.metrics.host}:{@code port} unless the port
   * is -1, and registered with {@code sparkEnv}'s metrics system unless it is null.
   *
   * @throws java.io.UncheckedIOException naming the address, if the endpoint cannot listen there
   */
  public static ServiceMetrics start(SparkGridConfig config, Supplier<Map<JobState, Long>> counts, SparkEnv sparkEnv) {
    ServiceMetrics m = new ServiceMetrics(counts, Clock.systemUTC());
    int port = config.get(SparkGridConfig.METRICS_PORT);
    if (port >= 0) {
      m.endpoint = MetricsEndpoint.start(config.get(SparkGridConfig.METRICS_HOST), port, m::scrape);
      InetSocketAddress a = m.endpoint.address();
      LOG.info("Prometheus metrics on http://{}:{}{}", a.getHostString(), a.getPort(), MetricsEndpoint.PATH);
    }
    if (sparkEnv != null) {
      m.sparkSource = new SparkMetricsSource(m.registry);
      m.sparkEnv = sparkEnv;
      sparkEnv.metricsSystem().registerSource(m.sparkSource);
    }
    return m;
  }

  private void gauge(SparkGridMetric m, String state, DoubleSupplier value) {
    Gauge.Builder<DoubleSupplier> b = Gauge.builder(m.micrometerName(), value, DoubleSupplier::getAsDouble)
        .strongReference(true).description(m.help());
    m.unit().ifPresent(b::baseUnit);
    if (state != null) {
      b.tag(m.label().orElseThrow(), state);
    }
    b.register(registry);
  }

  private Timer timer(SparkGridMetric m, List<Duration> buckets) {
    return Timer.builder(m.micrometerName()).description(m.help())
        .serviceLevelObjectives(buckets.toArray(Duration[]::new)).register(registry);
  }

  private static List<Duration> seconds(double... s) {
    return java.util.Arrays.stream(s).mapToObj(v -> Duration.ofNanos(Math.round(v * 1e9))).toList();
  }

  private static double count(JobCounts jobs, JobState s) {
    return jobs.get(s).isPresent() ? jobs.get(s).getAsLong() : Double.NaN;
  }

  /** A job state as the {@code state} label writes it: {@code succeeded}, {@code timed_out}. */
  public static String stateLabel(JobState s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  /** Records the latency from the record's timestamp to now (none for a record without one). */
  @Override
  public void queued(String jobId, long producedAtMs) {
    if (producedAtMs >= 0) {
      requestLatency.record(Math.max(0, clock.millis() - producedAtMs), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void deadLettered(Refusal refusal) {
    deadLetters.get(refusal.reason()).increment();
  }

  /** A compute job finished an epoch: its training time and throughput become the gauges' values. */
  public void epochDone(EpochMetrics m) {
    epochSeconds = m.trainSeconds();
    examplesPerSecond = m.examplesPerSecond();
  }

  /** A tree job finished a round. */
  public void roundDone(RoundMetrics m) {
    roundSeconds = m.seconds();
  }

  /** A round's settlement receipt is stored, {@code latency} after the round ended. */
  public void settled(Duration latency) {
    settlementLatency.record(latency);
  }

  /** Everything, in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  /** The registry, for more meters. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Where {@code GET /metrics} is served, if it is. */
  public Optional<InetSocketAddress> address() {
    return Optional.ofNullable(endpoint).map(MetricsEndpoint::address);
  }

  /** Stops serving, leaves Spark's metrics system, closes the registry. */
  @Override
  public void close() {
    if (endpoint != null) {
      endpoint.close();
    }
    if (sparkSource != null) {
      try {
        sparkEnv.metricsSystem().removeSource(sparkSource);
      } catch (RuntimeException e) {
        LOG.warn("metrics: leaving Spark's metrics system: {}", e.toString());
      }
    }
    gc.close();
    registry.close();
  }
}
