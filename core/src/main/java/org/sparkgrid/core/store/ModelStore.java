package org.sparkgrid.core.store;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Registered models and their versions. Layout, on any file system:
 *
 * <pre>
 * &lt;root&gt;/models/&lt;name&gt;/&lt;version&gt;/model.zip      DL4J ModelSerializer format
 * &lt;root&gt;/models/&lt;name&gt;/&lt;version&gt;/metrics.json   "accuracy" (test accuracy), losses, timings
 * &lt;root&gt;/models/&lt;name&gt;/&lt;version&gt;/lineage.json   request, job, sites, settlement tx, "publishedAt"
 * </pre>
 *
 * <p>A version appears whole or not at all: a store writes it to a temporary directory and renames
 * it into place. Versions are numbered 1, 2, 3 ... in publish order, also when several processes
 * publish the same model at once.
 *
 * <pre>{@code
 * ModelStore store = new HadoopModelStore("hdfs://nn:8020/sparkgrid", new Configuration());
 * ModelVersion v = store.publish("fmnist-cnn", ModelArtifacts.builder()
 *     .model(out -> ModelSerializer.writeModel(net, out, true))
 *     .metric("accuracy", 0.91)
 *     .build());
 * ModelVersion best = store.resolve(ModelRef.parse("fmnist-cnn@best"));
 * try (InputStream in = store.open(best, ModelStore.MODEL_FILE)) {
 *   MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(in);
 * }
 * }</pre>
 *
 * <p>Every method throws {@link UncheckedIOException} when the underlying file system fails, and
 * {@link IllegalArgumentException} for a name that is not valid (see {@link StoreNames}).
 * Implementations must pass the {@code ModelStoreContract} tests.
 */
public interface ModelStore {

  /** The model itself, in DL4J's {@code ModelSerializer} format. */
  String MODEL_FILE = "model.zip";

  /** The metrics of the version, a JSON object. */
  String METRICS_FILE = "metrics.json";

  /** Where the version came from, a JSON object. */
  String LINEAGE_FILE = "lineage.json";

  /** Key in {@code metrics.json}: the test accuracy that {@code @best} compares. */
  String ACCURACY = "accuracy";

  /** Key in {@code lineage.json} that the store sets: the publish time, ISO-8601 UTC. */
  String PUBLISHED_AT = "publishedAt";

  /**
   * Publishes a new version of {@code name}, numbered one above the highest existing version.
   * If the writer fails, nothing is published.
   *
   * @return the new version
   * @throws IllegalArgumentException if {@code name} is not a valid model name
   * @throws UncheckedIOException     if the model writer or the file system fails
   */
  ModelVersion publish(String name, ModelArtifacts artifacts);

  /**
   * The version {@code ref} selects (see {@link VersionSelection}).
   *
   * @throws NoSuchElementException if the model does not exist or has no such version; the message
   *     names the reference and the versions that exist
   */
  ModelVersion resolve(ModelRef ref);

  /**
   * All versions of {@code name}, by ascending version number; empty if the model does not exist.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid model name
   */
  List<ModelVersion> versions(String name);

  /** Names of the models that have at least one version, sorted. */
  List<String> names();

  /**
   * Opens one file of a version, e.g. {@link #MODEL_FILE}. The caller closes the stream.
   *
   * @throws NoSuchElementException   if the version or the file does not exist
   * @throws IllegalArgumentException if {@code file} is not a valid file name
   */
  InputStream open(ModelVersion version, String file);

  /**
   * Merges {@code additions} into the version's {@code lineage.json}: each top-level key replaces
   * the one there. The file is replaced atomically: readers see the old or the new content. Updates
   * through one store instance are serialized; concurrent updates of one version from different
   * processes may lose one of them, so keep one writer per version (settlement is).
   *
   * @throws NoSuchElementException   if the version does not exist
   * @throws IllegalArgumentException if {@code additions} sets {@link #PUBLISHED_AT}
   */
  void updateLineage(ModelVersion version, Map<String, Object> additions);
}
