package org.sparkgrid.jobs.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.core.run.Lineage;
import org.sparkgrid.core.run.RunMetrics;
import org.sparkgrid.core.store.ModelArtifacts;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.jobs.model.ModelZip;

/**
 * Registers a trained model, the last step of every mode: {@code model.zip} (the network and its
 * normalizer), {@code metrics.json} (a {@link RunMetrics}) and {@code lineage.json} (a
 * {@link Lineage}), as a new version of the request's model. The lineage of both modes is made
 * here ({@link #computeLineage}, {@link #treeLineage}), so the two differ only in what only one mode has.
 *
 * <pre>{@code
 * ModelPublisher publisher = new ModelPublisher(sc, models);
 * ModelVersion v = publisher.publish(request, net, normalizer, RunMetrics.compute(evaluation, epochs),
 *     publisher.computeLineage(request, jobId, null));
 * }</pre>
 */
public final class ModelPublisher {
  /** A registered version's model file: the DL4J network with its normalizer ({@link ModelZip}). */
  public static final String MODEL_ZIP = "model.zip";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JavaSparkContext sc;
  private final ModelStore models;

  public ModelPublisher(JavaSparkContext sc, ModelStore models) {
    this.sc = sc;
    this.models = models;
  }

  /**
   * Publishes {@code net} as the next version of the request's model.
   *
   * @throws UncheckedIOException if the store fails
   */
  public ModelVersion publish(TrainingRequest request, MultiLayerNetwork net, DataNormalization normalizer,
      RunMetrics metrics, Lineage lineage) {
    return models.publish(request.model().name(), ModelArtifacts.builder()
        .model(out -> ModelZip.write(net, normalizer, out))
        .metrics(metrics.toMap())
        .lineage(lineage.toMap())
        .build());
  }

  /** A compute job's lineage: the request, the engine, the model it started from, the Spark application. */
  public Lineage computeLineage(TrainingRequest request, String jobId, String initFrom) {
    return new Lineage(jobId, request.mode().wire(), requestJson(request), request.engine().type(), null, null, null,
        null, initFrom, spark(), Instant.now().toString(), null, null, null, null);
  }

  /** A federation's lineage: also its sites, rounds, strategy and every round's contributions. */
  public Lineage treeLineage(TrainingRequest request, String jobId, String initFrom, List<Lineage.Site> sites,
      int rounds, List<Contribution> contributions) {
    return new Lineage(jobId, request.mode().wire(), requestJson(request), null, sites, rounds,
        request.federation().strategy().type(), contributions, initFrom, spark(), Instant.now().toString(), null,
        null, null, null);
  }

  /** The Spark application this runs in. */
  public Lineage.SparkRun spark() {
    return new Lineage.SparkRun(sc.master(), sc.sc().applicationId(), sc.version());
  }

  /** The request as the codec writes it (every default filled in), as lineage holds it. */
  public static Map<String, Object> requestJson(TrainingRequest request) {
    try {
      return JSON.readValue(RequestCodec.write(request), new TypeReference<Map<String, Object>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("request " + request.id() + " could not be written as JSON", e);
    }
  }
}
