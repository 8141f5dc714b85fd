package org.sparkgrid.core.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link ModelStore#publish publish} writes: {@code model.zip} (produced by a writer, so
 * a large model streams straight to the store), {@code metrics.json} and {@code lineage.json}.
 *
 * <pre>{@code
 * ModelArtifacts a = ModelArtifacts.builder()
 *     .model(out -> ModelSerializer.writeModel(net, out, true))
 *     .metric("accuracy", 0.91)
 *     .metric("lossPerEpoch", List.of(0.62, 0.41, 0.35))
 *     .lineage("request", requestJson)
 *     .lineage("job", "fmnist-cnn-0001")
 *     .build();
 * ModelVersion v = store.publish("fmnist-cnn", a);
 * }</pre>
 *
 * <p>The maps are written with Jackson, so their values must be JSON-like: strings, numbers,
 * booleans, {@code null}, lists and maps of those.
 */
public final class ModelArtifacts {

  private final ArtifactWriter model;
  private final Map<String, Object> metrics;
  private final Map<String, Object> lineage;
  private final Double accuracy;

  private ModelArtifacts(Builder b) {
    this.model = b.model;
    this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(b.metrics));
    this.lineage = Collections.unmodifiableMap(new LinkedHashMap<>(b.lineage));
    this.accuracy = accuracyOf(metrics);
  }

  /** A builder with no model, and empty metrics and lineage. */
  public static Builder builder() {
    return new Builder();
  }

  /** Writes {@code model.zip}. */
  public ArtifactWriter model() {
    return model;
  }

  /** The content of {@code metrics.json} (read-only, in insertion order). */
  public Map<String, Object> metrics() {
    return metrics;
  }

  /** The content of {@code lineage.json} (read-only, in insertion order), without {@link ModelStore#PUBLISHED_AT}. */
  public Map<String, Object> lineage() {
    return lineage;
  }

  /** The test accuracy, {@code metrics().get("accuracy")}, or {@code null} if there is none. */
  public Double accuracy() {
    return accuracy;
  }

  /**
   * The test accuracy in a metrics map: the number under {@link ModelStore#ACCURACY}, or {@code null}
   * where the key is absent or maps to {@code null}.
   *
   * @throws IllegalArgumentException if the value is not a finite number
   */
  public static Double accuracyOf(Map<String, ?> metrics) {
    Object value = metrics.get(ModelStore.ACCURACY);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw new IllegalArgumentException(
          "metric '" + ModelStore.ACCURACY + "' must be a finite number. Current value is " + value);
    }
    return n.doubleValue();
  }

  /** Builds {@link ModelArtifacts}; {@link #model} is required. */
  public static final class Builder {
    private ArtifactWriter model;
    private final Map<String, Object> metrics = new LinkedHashMap<>();
    private final Map<String, Object> lineage = new LinkedHashMap<>();

    private Builder() {}

    /** Sets the writer of {@code model.zip} (DL4J {@code ModelSerializer} format). */
    public Builder model(ArtifactWriter writer) {
      this.model = Objects.requireNonNull(writer, "model writer");
      return this;
    }

    /** Adds one entry to {@code metrics.json}. */
    public Builder metric(String key, Object value) {
      metrics.put(Objects.requireNonNull(key, "metric key"), value);
      return this;
    }

    /** Adds all entries of {@code values} to {@code metrics.json}. */
    public Builder metrics(Map<String, ?> values) {
      values.forEach(this::metric);
      return this;
    }

    /** Adds one entry to {@code lineage.json}. */
    public Builder lineage(String key, Object value) {
      lineage.put(Objects.requireNonNull(key, "lineage key"), value);
      return this;
    }

    /** Adds all entries of {@code values} to {@code lineage.json}. */
    public Builder lineage(Map<String, ?> values) {
      values.forEach(this::lineage);
      return this;
    }

    /**
     * @throws IllegalStateException    if no model writer was set
     * @throws IllegalArgumentException if the accuracy metric is not a finite number, or the
     *     lineage sets {@link ModelStore#PUBLISHED_AT}, which the store sets
     */
    public ModelArtifacts build() {
      if (model == null) {
        throw new IllegalStateException("a model writer is required: call model(out -> ...) before build()");
      }
      if (lineage.containsKey(ModelStore.PUBLISHED_AT)) {
        throw new IllegalArgumentException(
            "lineage key '" + ModelStore.PUBLISHED_AT + "' is reserved: the store sets it when it publishes");
      }
      return new ModelArtifacts(this);
    }
  }
}
