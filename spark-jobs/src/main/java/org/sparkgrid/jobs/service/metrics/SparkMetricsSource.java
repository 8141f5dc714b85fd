package org.sparkgrid.jobs.service.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.spark.metrics.source.Source;

/**
 * The service's metrics ({@link SparkGridMetric}) as a source of Spark's metrics system, so that
 * whatever sinks the cluster's {@code metrics.properties} configures (JMX, the Prometheus servlet,
 * Graphite, CSV ...) report them with Spark's own, under the source name {@value #NAME}. Each is
 * a gauge read from the Micrometer meter when the sink reports: {@code <name>} for an unlabelled
 * gauge, {@code <name>.<label value>} for a labelled one ({@code jobs.succeeded},
 * {@code dead_letters_total.invalid-request}), and {@code <name>.count}, {@code .sum} and
 * {@code .max} for a histogram; {@code <name>} is the Prometheus name without {@code sparkgrid_}.
 *
 * <pre>{@code
 * SparkEnv.get().metricsSystem().registerSource(new SparkMetricsSource(registry));
 * // JMX: metrics:name=<app id>.driver.sparkgrid.queue_depth,type=gauges
 * }</pre>
 */
public final class SparkMetricsSource implements Source {
  /** The source name in Spark's metric names. */
  public static final String NAME = "sparkgrid";

  private final MetricRegistry registry = new MetricRegistry();

  /** Gauges over the meters of {@code meters} that {@link SparkGridMetric} declares. */
  public SparkMetricsSource(MeterRegistry meters) {
    for (SparkGridMetric m : SparkGridMetric.values()) {
      for (Meter meter : meters.find(m.micrometerName()).meters()) {
        String name = name(m, m.label().map(meter.getId()::getTag));
        switch (m.type()) {
          case GAUGE -> gauge(name, ((io.micrometer.core.instrument.Gauge) meter)::value);
          case COUNTER -> gauge(name, ((Counter) meter)::count);
          case HISTOGRAM -> {
            Timer t = (Timer) meter;
            gauge(name + ".count", () -> (double) t.count());
            gauge(name + ".sum", () -> t.totalTime(TimeUnit.SECONDS));
            gauge(name + ".max", () -> t.max(TimeUnit.SECONDS));
          }
          default -> throw new IllegalStateException("no Spark gauge for type " + m.type());
        }
      }
    }
  }

  /** The name of a metric (with its label's value, if any) in this source. */
  static String name(SparkGridMetric m, Optional<String> labelValue) {
    String base = m.prometheusName().substring((NAME + "_").length());
    return labelValue.map(v -> base + "." + v).orElse(base);
  }

  private void gauge(String name, java.util.function.DoubleSupplier value) {
    registry.register(name, (Gauge<Double>) value::getAsDouble);
  }

  @Override
  public String sourceName() {
    return NAME;
  }

  @Override
  public MetricRegistry metricRegistry() {
    return registry;
  }
}
