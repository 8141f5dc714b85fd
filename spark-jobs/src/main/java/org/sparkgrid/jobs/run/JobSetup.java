package org.sparkgrid.jobs.run;

import java.io.IOException;
import java.io.InputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.request.WorkerResources;
import org.sparkgrid.core.store.ModelRef;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.jobs.engine.ModelState;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.resources.CapacityGate;

/**
 * What every mode does before it trains, in one place: enters the {@link JobPhase#DATA data} phase,
 * checks that the request's data paths exist, waits for the capacity its workers need, and gives
 * the model training starts from (the request's {@code model.initFrom} version, or a fresh network).
 * Resuming from a checkpoint is each mode's own (their checkpoints differ).
 *
 * <pre>{@code
 * JobSetup setup = new JobSetup(sc, config, models, progress);
 * setup.prepare(request, request.engine().workers());
 * JobSetup.Start start = setup.start(request, conf);   // initFrom, or a fresh network
 * }</pre>
 */
public final class JobSetup {
  private final JavaSparkContext sc;
  private final SparkGridConfig config;
  private final ModelStore models;
  private final ProgressListener progress;

  /**
   * The model a job starts from.
   *
   * @param state    parameters and updater state (iterations 0)
   * @param initFrom the version it came from, {@code name@version}; {@code null} for a fresh network
   */
  public record Start(ModelState state, String initFrom) {}

  public JobSetup(JavaSparkContext sc, SparkGridConfig config, ModelStore models, ProgressListener progress) {
    this.sc = sc;
    this.config = config;
    this.models = models;
    this.progress = progress;
  }

  /**
   * Enters the data phase, checks the request's paths, then with {@code engine.resources} holds the
   * job until the executors can run {@code workers} tasks with them (telling the progress listener
   * why it waits); see {@link CapacityGate}.
   *
   * @throws org.sparkgrid.core.request.InvalidRequestException naming a data path that does not exist
   * @throws IllegalStateException if interrupted while waiting for capacity
   */
  public void prepare(TrainingRequest request, int workers) throws IOException {
    progress.enter(JobPhase.DATA);
    RequestCodec.checkPaths(request, new HadoopPathChecker(sc.hadoopConfiguration()));
    WorkerResources resources = request.engine().resources();
    try {
      CapacityGate.await(sc, resources, workers, config.get(SparkGridConfig.CAPACITY_WAIT_TIMEOUT_MS),
          progress::waiting, progress::cancelled);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for capacity", e);
    }
  }

  /**
   * The request's {@code model.initFrom} version's parameters (and its updater state when it fits
   * this network), else a freshly initialized network of {@code conf}.
   *
   * @throws IllegalArgumentException if the initFrom model has another number of parameters
   * @throws java.util.NoSuchElementException if the store has no such model version
   */
  public Start start(TrainingRequest request, MultiLayerConfiguration conf) throws IOException {
    MultiLayerNetwork fresh = NetworkFactory.init(conf);
    if (request.model().initFrom() == null) {
      return new Start(new ModelState(NetworkFactory.params(fresh), NetworkFactory.updaterState(fresh), 0), null);
    }
    ModelVersion from = models.resolve(ModelRef.parse(request.model().initFrom()));
    String initFrom = from.name() + "@" + from.version();
    MultiLayerNetwork net;
    try (InputStream in = models.open(from, ModelPublisher.MODEL_ZIP)) {
      net = ModelSerializer.restoreMultiLayerNetwork(in, true);
    }
    if (net.numParams() != fresh.numParams()) {
      throw new IllegalArgumentException("model.initFrom: " + initFrom + " has " + net.numParams()
          + " parameters but this request's network has " + fresh.numParams()
          + "; start from a model of the same architecture");
    }
    float[] updater = NetworkFactory.updaterState(net);
    if (updater.length != NetworkFactory.updaterState(fresh).length) {
      updater = NetworkFactory.updaterState(fresh);
    }
    progress.phase("Starting from " + initFrom + " (" + from.uri() + ")");
    return new Start(new ModelState(NetworkFactory.params(net), updater, 0), initFrom);
  }
}
