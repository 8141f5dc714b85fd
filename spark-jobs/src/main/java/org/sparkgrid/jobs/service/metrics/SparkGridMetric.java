package org.sparkgrid.jobs.service.metrics;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every metric the SparkGrid service reports, declared once: its Prometheus name (units in the
 * name, {@code _total} on counters), type, label and help text. The Prometheus endpoint
 * ({@link ServiceMetrics}), Spark's metrics system ({@link SparkMetricsSource}) and the table in
 * {@code docs/metrics.md} ({@link #markdownTable()}) all follow from these declarations.
 *
 * <pre>{@code
 * SparkGridMetric.DEAD_LETTERS.name();           // DEAD_LETTERS
 * SparkGridMetric.DEAD_LETTERS.prometheusName(); // sparkgrid_dead_letters_total
 * SparkGridMetric.DEAD_LETTERS.micrometerName(); // sparkgrid.dead.letters
 * }</pre>
 */
public enum SparkGridMetric {
  QUEUE_DEPTH("sparkgrid_queue_depth", Type.GAUGE, null, null,
      "Jobs waiting to run: QUEUED in the job store (all service instances on the store together)."),
  JOBS("sparkgrid_jobs", Type.GAUGE, null, "state",
      "Jobs in the job store by state: queued, running, succeeded, failed, cancelled, timed_out."),
  REQUEST_LATENCY("sparkgrid_request_latency_seconds", Type.HISTOGRAM, "seconds", null,
      "From a request record's Kafka timestamp (produced, or appended on a LogAppendTime topic) to its job"
          + " stored as QUEUED; duplicates and refusals are not counted."),
  EPOCH_SECONDS("sparkgrid_epoch_seconds", Type.GAUGE, "seconds", null,
      "Training wall time of the last epoch a compute job of this service finished, without evaluation;"
          + " NaN before the first."),
  EXAMPLES_PER_SECOND("sparkgrid_examples_per_second", Type.GAUGE, null, null,
      "Training examples per second of that last epoch, all workers together; NaN before the first."),
  ROUND_SECONDS("sparkgrid_round_seconds", Type.GAUGE, "seconds", null,
      "Wall time of the last federated round a tree job of this service finished; NaN before the first."),
  SETTLEMENT_LATENCY("sparkgrid_settlement_latency_seconds", Type.HISTOGRAM, "seconds", null,
      "From a federated round's end (checkpointed) to its settlement's receipt stored, retries included."),
  DEAD_LETTERS("sparkgrid_dead_letters_total", Type.COUNTER, null, "reason",
      "Request records refused to the dead-letter topic since the service started, by reason (the"
          + " sparkgrid.error.reason header).");

  /** The Prometheus type a metric is exposed as. */
  public enum Type {
    GAUGE, COUNTER, HISTOGRAM;

    /** As the {@code # TYPE} line writes it. */
    public String prometheus() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String prometheusName;
  private final Type type;
  private final String unit;
  private final String label;
  private final String help;

  SparkGridMetric(String prometheusName, Type type, String unit, String label, String help) {
    if (unit != null && !prometheusName.endsWith("_" + unit)) {
      throw new IllegalArgumentException(prometheusName + ": a metric in " + unit + " must end with _" + unit);
    }
    if (type == Type.COUNTER != prometheusName.endsWith("_total")) {
      throw new IllegalArgumentException(prometheusName + ": a counter's name, and only a counter's, ends with _total");
    }
    this.prometheusName = prometheusName;
    this.type = type;
    this.unit = unit;
    this.label = label;
    this.help = help;
  }

  /** The name a scrape shows (a histogram adds {@code _bucket}, {@code _count}, {@code _sum}). */
  public String prometheusName() {
    return prometheusName;
  }

  public Type type() {
    return type;
  }

  /** The base unit Micrometer appends to the name ({@code seconds}), if any. */
  public Optional<String> unit() {
    return Optional.ofNullable(unit);
  }

  /** The one label, if any ({@code state}, {@code reason}). */
  public Optional<String> label() {
    return Optional.ofNullable(label);
  }

  public String help() {
    return help;
  }

  /**
   * The Micrometer meter name from which its Prometheus naming convention makes {@link #prometheusName()}:
   * without the unit and {@code _total} (which Micrometer adds back), dots for underscores.
   */
  public String micrometerName() {
    String base = prometheusName;
    if (type == Type.COUNTER) {
      base = base.substring(0, base.length() - "_total".length());
    }
    if (unit != null) {
      base = base.substring(0, base.length() - unit.length() - 1);
    }
    return base.replace('_', '.');
  }

  /** Prints {@link #markdownTable()}, to regenerate docs/metrics.md (the command is there). */
  public static void main(String[] args) {
    System.out.print(markdownTable());
  }

  /** The reference table of docs/metrics.md: name, type, label and meaning of every metric. */
  public static String markdownTable() {
    return "| metric | type | label | meaning |\n|---|---|---|---|\n" + Arrays.stream(values())
        .map(m -> "| `" + m.prometheusName + "` | " + m.type.prometheus() + " | "
            + m.label().map(l -> "`" + l + "`").orElse("") + " | " + m.help.replace("|", "\\|") + " |")
        .collect(Collectors.joining("\n")) + "\n";
  }
}
