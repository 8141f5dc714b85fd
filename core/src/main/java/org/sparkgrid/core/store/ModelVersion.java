package org.sparkgrid.core.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One published version of a model, as a {@link ModelStore} lists and resolves it.
 *
 * @param name      the model name (see {@link ModelRef#NAME})
 * @param version   the version number, from 1 upwards in publish order
 * @param uri       the fully qualified URI of the version directory, e.g.
 *                  {@code hdfs://nn:8020/sparkgrid/models/fmnist-cnn/3}
 * @param createdAt when the version was published (the store records it in {@code lineage.json}
 *                  under {@link ModelStore#PUBLISHED_AT})
 * @param accuracy  the test accuracy, {@link ModelStore#ACCURACY} in {@code metrics.json}; {@code null}
 *                  when the metrics carry none, and then the version is never {@code @best}
 */
public record ModelVersion(String name, int version, String uri, Instant createdAt, Double accuracy) {

  /**
   * @throws IllegalArgumentException if the name is not a valid model name, the version is below 1
   *     or the accuracy is NaN or infinite
   */
  public ModelVersion {
    if (!ModelRef.isValidName(name)) {
      throw new IllegalArgumentException("model name '" + name + "' must match " + ModelRef.NAME.pattern());
    }
    if (version < 1) {
      throw new IllegalArgumentException("version of model '" + name + "' must be >= 1. Current value is " + version);
    }
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(createdAt, "createdAt");
    if (accuracy != null && !Double.isFinite(accuracy)) {
      throw new IllegalArgumentException("accuracy of " + name + "@" + version + " must be a finite number. Current value is " + accuracy);
    }
  }

  /** The reference that selects exactly this version, {@code name@version}. */
  public ModelRef ref() {
    return new ModelRef(name, ModelRef.Selector.VERSION, version);
  }
}
