package org.sparkgrid.core.sweep;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How one trial of a sweep ended: a row of its {@link Leaderboard}.
 *
 * @param trial     0-based trial number
 * @param id        the trial's job id
 * @param overrides the swept fields and this trial's values
 * @param status    succeeded or failed
 * @param metrics   a succeeded trial's final figures: {@value #ACCURACY} and {@value #LOSS} (on the
 *                  test set), {@value #TRAIN_SECONDS}; empty for a failed one. Only finite values are
 *                  kept (a diverged trial's NaN loss is left out, and {@link #metric} reads it as NaN)
 * @param error     why a failed trial failed; {@code null} for a succeeded one
 */
public record TrialOutcome(
    int trial, String id, Map<String, Object> overrides, Status status, Map<String, Double> metrics, String error) {

  /** Test accuracy, in [0, 1]. */
  public static final String ACCURACY = "accuracy";

  /** Mean test loss. */
  public static final String LOSS = "loss";

  /** Seconds spent training, summed over epochs. */
  public static final String TRAIN_SECONDS = "trainSeconds";

  /** How a trial ended. */
  public enum Status {
    SUCCEEDED,
    FAILED;

    /** The lower-case name used in JSON and tables. */
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public TrialOutcome {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
    Map<String, Double> finite = new LinkedHashMap<>();
    metrics.forEach((k, v) -> {
      if (v != null && Double.isFinite(v)) {
        finite.put(k, v);
      }
    });
    metrics = Collections.unmodifiableMap(finite);
    if ((status == Status.FAILED) != (error != null)) {
      throw new IllegalArgumentException("trial " + trial + ": a failed trial has an error and only a failed one,"
          + " got status " + status.wire() + " and error " + error);
    }
  }

  /** A trial that trained and was evaluated. */
  public static TrialOutcome succeeded(int trial, String id, Map<String, Object> overrides,
      Map<String, Double> metrics) {
    return new TrialOutcome(trial, id, overrides, Status.SUCCEEDED, metrics, null);
  }

  /** A trial that threw {@code error}. */
  public static TrialOutcome failed(int trial, String id, Map<String, Object> overrides, String error) {
    return new TrialOutcome(trial, id, overrides, Status.FAILED, Map.of(), error);
  }

  /** The metric {@code name}, or NaN if this trial has none. */
  public double metric(String name) {
    Double v = metrics.get(name);
    return v == null ? Double.NaN : v;
  }

  /**
   * The overrides as {@code field=value} pairs joined by {@code ", "}, numbers written plainly:
   * {@code training.updater.learningRate=0.0003, training.batchSize=64}.
   */
  public String overridesText() {
    return overrides.entrySet().stream()
        .map(e -> e.getKey() + "=" + (e.getValue() instanceof Double d && Double.isFinite(d)
            ? BigDecimal.valueOf(d).stripTrailingZeros().toPlainString() : e.getValue()))
        .collect(Collectors.joining(", "));
  }

  /**
   * This row as plain JSON values, the form kept in the job store and the model's metrics:
   * {@code {"trial":1,"id":"...","overrides":{...},"status":"succeeded","metrics":{...}}}, plus
   * {@code "error"} for a failed trial.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("trial", trial);
    m.put("id", id);
    m.put("overrides", overrides);
    m.put("status", status.wire());
    m.put("metrics", metrics);
    if (error != null) {
      m.put("error", error);
    }
    return m;
  }

  /**
   * Reads a row written by {@link #toMap}, e.g. after a JSON round trip (numbers may come back as
   * any {@link Number}; integral override values as Integer or Long).
   *
   * @throws IllegalArgumentException if a field is missing or of the wrong type, naming it
   */
  public static TrialOutcome fromMap(Map<?, ?> m) {
    Object trial = m.get("trial");
    Object id = m.get("id");
    Object status = m.get("status");
    if (!(trial instanceof Number n) || !(id instanceof String s) || !(status instanceof String st)) {
      throw new IllegalArgumentException("a trial row needs a numeric trial, a string id and a string status, got " + m);
    }
    Map<String, Object> overrides = new LinkedHashMap<>();
    if (m.get("overrides") instanceof Map<?, ?> o) {
      o.forEach((k, v) -> overrides.put(String.valueOf(k), v));
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (m.get("metrics") instanceof Map<?, ?> o) {
      o.forEach((k, v) -> {
        if (!(v instanceof Number x)) {
          throw new IllegalArgumentException("trial " + trial + ": metric " + k + " must be a number, got " + v);
        }
        metrics.put(String.valueOf(k), x.doubleValue());
      });
    }
    Status parsed;
    try {
      parsed = Status.valueOf(st.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("trial " + trial + ": status must be succeeded or failed, got " + st, e);
    }
    return new TrialOutcome(n.intValue(), s, overrides, parsed, metrics,
        m.get("error") == null ? null : String.valueOf(m.get("error")));
  }
}
