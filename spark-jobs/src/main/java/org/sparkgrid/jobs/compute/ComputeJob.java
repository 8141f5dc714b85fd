package org.sparkgrid.jobs.compute;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.DataSpec;
import org.sparkgrid.core.request.EngineSpec;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.request.WorkerResources;
import org.sparkgrid.core.run.EpochMetrics;
import org.sparkgrid.core.run.EvaluationResult;
import org.sparkgrid.core.run.Lineage;
import org.sparkgrid.core.run.RunMetrics;
import org.sparkgrid.core.store.CheckpointStore;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.core.sweep.Leaderboard;
import org.sparkgrid.jobs.data.DataSource;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.data.Normalizers;
import org.sparkgrid.jobs.engine.AveragingEngine;
import org.sparkgrid.jobs.engine.Dl4jSparkEngine;
import org.sparkgrid.jobs.engine.ExchangeMode;
import org.sparkgrid.jobs.engine.ModelState;
import org.sparkgrid.jobs.engine.TrainingEngine;
import org.sparkgrid.jobs.eval.SparkEvaluator;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.run.JobPhase;
import org.sparkgrid.jobs.run.JobRuns;
import org.sparkgrid.jobs.run.JobSetup;
import org.sparkgrid.jobs.run.ModelPublisher;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.run.RunResult;
import org.sparkgrid.jobs.run.RunSoFar;
import org.sparkgrid.jobs.run.TrainingRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one compute-mode training request on Spark, end to end: reads and shards the data,
 * fits the normalizer, builds the network (or starts from {@code model.initFrom}), trains epoch by
 * epoch with the request's engine, evaluates on the test set after each epoch, checkpoints after
 * each Spark job, and registers the model with its metrics and lineage ({@link JobSetup} prepares,
 * {@link ModelPublisher} registers). {@link #train} and {@link #publishSweepWinner} split the last
 * step off, for a caller that registers only some of what it
 * trains ({@link SweepRunner}); a request with a sweep is refused here.
 *
 * <pre>{@code
 * TrainingRequest req = RequestCodec.parse(Files.readAllBytes(Path.of("conf/requests/quickstart-cnn.json")));
 * ComputeJob job = new ComputeJob(sc, config, modelStore, checkpointStore, ProgressListener.NONE);
 * ComputeJob.Result r = job.run(req, req.id());
 * System.out.println(r.version().uri() + " accuracy " + r.evaluation().accuracy());
 * }</pre>
 */
public final class ComputeJob implements TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(ComputeJob.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A checkpoint's progress file: epoch, step, iterations, initFrom and {@code history} (the epochs so far). */
  public static final String STATE_JSON = "state.json";
  static final String STATE_BIN = "state.bin";

  /**
   * The outcome of a run.
   *
   * @param jobId      the job
   * @param version    the registered model version
   * @param evaluation the final test evaluation ({@code null} without a test set)
   * @param epochs     per-epoch figures, including those of epochs run before a resume
   */
  public record Result(String jobId, ModelVersion version, EvaluationResult evaluation, List<EpochMetrics> epochs)
      implements RunResult {

    /** Test accuracy and loss; empty without a test set. */
    @Override
    public Map<String, Double> metrics() {
      return evaluation == null ? Map.of()
          : RunResult.figures("accuracy", evaluation.accuracy(), "loss", evaluation.loss());
    }
  }

  /**
   * A trained model not yet registered ({@link #train}, {@link #resumeTraining}): what
   * {@link #publishSweepWinner} registers. Sweeps train every trial this way and register only the best.
   */
  public static final class Trained {
    private final TrainingRequest request;
    private final String jobId;
    private final String networkJson;
    private final DataNormalization normalizer;
    private final ModelState state;
    private final EvaluationResult evaluation;
    private final List<EpochMetrics> epochs;
    private final String initFrom;

    private Trained(TrainingRequest request, String jobId, String networkJson, DataNormalization normalizer,
        ModelState state, EvaluationResult evaluation, List<EpochMetrics> epochs, String initFrom) {
      this.request = request;
      this.jobId = jobId;
      this.networkJson = networkJson;
      this.normalizer = normalizer;
      this.state = state;
      this.evaluation = evaluation;
      this.epochs = List.copyOf(epochs);
      this.initFrom = initFrom;
    }

    /** The request it was trained with. */
    public TrainingRequest request() {
      return request;
    }

    /** The job that trained it. */
    public String jobId() {
      return jobId;
    }

    /** The final test evaluation ({@code null} without a test set). */
    public EvaluationResult evaluation() {
      return evaluation;
    }

    /** Per-epoch figures, including those of epochs run before a resume. */
    public List<EpochMetrics> epochs() {
      return epochs;
    }
  }

  private final JavaSparkContext sc;
  private final SparkGridConfig config;
  private final CheckpointStore checkpoints;
  private final ProgressListener progress;
  private final JobSetup setup;
  private final ModelPublisher publisher;

  public ComputeJob(JavaSparkContext sc, SparkGridConfig config, ModelStore models, CheckpointStore checkpoints,
      ProgressListener progress) {
    this.sc = sc;
    this.config = config;
    this.checkpoints = checkpoints;
    this.progress = progress;
    this.setup = new JobSetup(sc, config, models, progress);
    this.publisher = new ModelPublisher(sc, models);
  }

  /**
   * Trains a request from the start (or from its {@code initFrom} model).
   *
   * @throws org.sparkgrid.core.request.InvalidRequestException if a data path or the initFrom model is missing
   * @throws IOException if the store or the data cannot be read
   */
  @Override
  public Result run(TrainingRequest request, String jobId) throws IOException {
    return register(train(request, jobId));
  }

  /**
   * Resumes a job from its last checkpoint, with the request it was started with.
   *
   * @throws IllegalArgumentException if the job is unknown or has no checkpoint
   */
  @Override
  public Result resume(String jobId) throws IOException {
    return register(resumeTraining(jobId));
  }

  /**
   * Like {@link #run}, without registering the model: {@link #publishSweepWinner} does that.
   *
   * @throws IllegalArgumentException if the request has a sweep (run it with {@link SweepRunner}),
   *     or the job ran before
   */
  public Trained train(TrainingRequest request, String jobId) throws IOException {
    refuseSweep(request, jobId);
    JobRuns.start(checkpoints, jobId, request);
    return execute(request, jobId, null);
  }

  /**
   * Like {@link #resume}, without registering the model. A job whose last checkpoint is its final
   * one trains nothing: its model is read back from that checkpoint and evaluated again.
   *
   * @throws IllegalArgumentException if the job is unknown or is a sweep
   */
  public Trained resumeTraining(String jobId) throws IOException {
    TrainingRequest request = JobRuns.request(checkpoints, jobId);
    refuseSweep(request, jobId);
    OptionalLong step = checkpoints.latest(jobId);
    if (step.isEmpty()) {
      LOG.info("job {} has no checkpoint yet: starting it from the beginning", jobId);
      return execute(request, jobId, null);
    }
    return execute(request, jobId, step.getAsLong());
  }

  /**
   * Registers a sweep's winning trial as a new version of its request's model: its own metrics plus
   * the sweep's leaderboard, its lineage under the sweep's job with the winning trial.
   *
   * @throws java.io.UncheckedIOException if the store fails
   */
  public ModelVersion publishSweepWinner(Trained t, String sweepJob, Leaderboard board, Lineage.Sweep trial) {
    progress.enter(JobPhase.CHECKPOINT);
    return publish(t, RunMetrics.compute(t.evaluation, t.epochs).withSweep(board),
        publisher.computeLineage(t.request, t.jobId, t.initFrom).withSweep(sweepJob, trial));
  }

  private Result register(Trained t) {
    progress.enter(JobPhase.CHECKPOINT);
    ModelVersion v = publish(t, RunMetrics.compute(t.evaluation, t.epochs),
        publisher.computeLineage(t.request, t.jobId, t.initFrom));
    return new Result(t.jobId, v, t.evaluation, t.epochs);
  }

  private ModelVersion publish(Trained t, RunMetrics metrics, Lineage lineage) {
    MultiLayerNetwork net = NetworkFactory.fromParams(t.networkJson, t.state.params(), t.state.updaterState());
    return publisher.publish(t.request, net, t.normalizer, metrics, lineage);
  }

  private static void refuseSweep(TrainingRequest request, String jobId) {
    if (request.sweep() != null) {
      throw new IllegalArgumentException("job '" + jobId + "' has a sweep (request " + request.id() + "): it trains"
          + " several configurations, which SweepRunner runs (bin/sparkgrid train and the service do)");
    }
  }

  private Trained execute(TrainingRequest request, String jobId, Long resumeStep) throws IOException {
    DataSpec data = request.data();
    EngineSpec engineSpec = request.engine();
    int workers = engineSpec.workers();
    setup.prepare(request, workers);
    Configuration hadoop = sc.hadoopConfiguration();

    progress.phase("Loading " + data.train() + " into " + workers + " shards");
    DataSource train = DataSource.train(data);
    int[] shape = train.shape(hadoop);
    JavaRDD<ExampleShard> shards = train.shards(sc, workers).persist(StorageLevel.MEMORY_ONLY());
    List<int[]> shardStats = shards.map(s -> new int[] {s.count(), s.maxLabel()}).collect();
    int[] counts = shardStats.stream().mapToInt(a -> a[0]).toArray();
    int maxLabel = shardStats.stream().mapToInt(a -> a[1]).max().orElse(-1);
    int numClasses = data.classes() != null ? data.classes() : maxLabel + 1;
    if (maxLabel >= numClasses) {
      throw new IllegalArgumentException("data.classes is " + numClasses + " but " + data.train()
          + " has label " + maxLabel);
    }
    if (numClasses < 2) {
      throw new IllegalArgumentException(data.train() + " holds a single class (" + numClasses
          + "): classification needs at least 2; set data.classes or check the labels");
    }
    DataNormalization normalizer = Normalizers.fit(data.normalization(), shards);

    MultiLayerConfiguration conf = NetworkFactory.build(request.model(), request.training(), shape, numClasses);
    String networkJson = conf.toJson();

    List<EpochMetrics> history = new ArrayList<>();
    int startEpoch = 0;
    int startStep = 0;
    ModelState state;
    String initFrom = null;
    if (resumeStep != null) {
      Checkpoint cp = loadCheckpoint(jobId, resumeStep);
      state = cp.state;
      startEpoch = cp.epoch;
      startStep = cp.step;
      history.addAll(cp.history);
      initFrom = cp.initFrom;
      progress.phase("Resuming job " + jobId + " at epoch " + (startEpoch + 1) + ", sync step " + startStep);
    } else {
      JobSetup.Start start = setup.start(request, conf);
      state = start.state();
      initFrom = start.initFrom();
    }

    WorkerResources resources = engineSpec.resources();
    int threadsPerTask = resources != null && resources.cores() != null
        ? resources.cores() : config.get(SparkGridConfig.ENGINE_THREADS_PER_TASK);
    AveragingEngine.Settings settings = new AveragingEngine.Settings(networkJson, normalizer, numClasses,
        request.training().batchSize(), engineSpec.averagingFrequency(), engineSpec.shuffle(),
        request.training().seed(), threadsPerTask,
        config.get(SparkGridConfig.ENGINE_JOBS_PER_EPOCH), config.get(SparkGridConfig.ENGINE_SYNC_TIMEOUT_MS),
        config.get(SparkGridConfig.ENGINE_EXCHANGE_PORT), config.get(SparkGridConfig.ENGINE_MERGE_THREADS),
        ExchangeMode.of(config.get(SparkGridConfig.ENGINE_EXCHANGE)));
    JavaRDD<DataSet> testBatches = data.test() == null ? null
        : testBatches(DataSource.test(data), workers, numClasses, normalizer);
    EvaluationResult evaluation = null;
    try (TrainingEngine engine = EngineSpec.DL4J.equals(engineSpec.type())
        ? new Dl4jSparkEngine(sc, shards, settings)
        : new AveragingEngine(sc, shards, counts, settings, resources)) {
      int epochs = request.training().epochs();
      long totalExamples = 0;
      for (int c : counts) {
        totalExamples += c;
      }
      progress.enter(JobPhase.TRAIN);
      progress.start(request.id(), epochs, engine.stepsPerEpoch(), totalExamples, startEpoch, startStep);
      for (int epoch = startEpoch; epoch < epochs; epoch++) {
        int e = epoch;
        EpochTally tally = new EpochTally();
        String initRef = initFrom;
        state = engine.fitEpoch(epoch, epoch == startEpoch ? startStep : 0, state, report -> {
          tally.add(report);
          progress.segment(report);
          if (report.stepsDone() < report.steps()) {
            saveCheckpoint(jobId, engine, e, report.stepsDone(), report.state(), history, initRef);
          }
        });
        evaluation = testBatches == null ? null
            : SparkEvaluator.evaluate(sc, testBatches, networkJson, state.params(), numClasses);
        EpochMetrics m = new EpochMetrics(epoch + 1, tally.meanLoss(),
            evaluation == null ? Double.NaN : evaluation.accuracy(), evaluation == null ? Double.NaN : evaluation.loss(),
            tally.examples, tally.seconds, tally.seconds > 0 ? tally.examples / tally.seconds : Double.NaN);
        history.add(m);
        // checkpoint first: once an epoch is reported, a restart resumes after it
        saveCheckpoint(jobId, engine, epoch + 1, 0, state, history, initFrom);
        progress.epochDone(m, epochs);
      }
      progress.finish();
      if (evaluation == null && testBatches != null) {
        // resumed after the last epoch's checkpoint: evaluate what is about to be registered
        evaluation = SparkEvaluator.evaluate(sc, testBatches, networkJson, state.params(), numClasses);
      }
      return new Trained(request, jobId, networkJson, normalizer, state, evaluation, history, initFrom);
    } finally {
      shards.unpersist(false);
      if (testBatches != null) {
        testBatches.unpersist(false);
      }
    }
  }

  /** The test set as cached, normalized minibatches of {@code spark.sparkgrid.eval.batchSize}. */
  private JavaRDD<DataSet> testBatches(DataSource test, int workers, int numClasses, DataNormalization normalizer)
      throws IOException {
    int evalBatch = config.get(SparkGridConfig.EVAL_BATCH_SIZE);
    return test.shards(sc, workers)
        .flatMap(s -> Minibatches.all(s, evalBatch, numClasses, normalizer).iterator())
        .persist(StorageLevel.MEMORY_ONLY());
  }

  private void saveCheckpoint(String jobId, TrainingEngine engine, int epoch, int step, ModelState state,
      List<EpochMetrics> history, String initFrom) {
    if (!config.get(SparkGridConfig.CHECKPOINT_ENABLED)) {
      return;
    }
    progress.enter(JobPhase.CHECKPOINT);
    long global = (long) epoch * engine.stepsPerEpoch() + step;
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("epoch", epoch);
    s.put("step", step);
    s.put("iterations", state.iterations());
    s.put("initFrom", initFrom);
    s.put("history", history.stream().map(EpochMetrics::toMap).toList());
    checkpoints.save(jobId, global, Map.of(
        STATE_BIN, out -> StateFile.write(state.params(), state.updaterState(), out),
        STATE_JSON, out -> out.write(JSON.writeValueAsBytes(s))));
    checkpoints.prune(jobId, config.get(SparkGridConfig.CHECKPOINT_KEEP));
    progress.enter(JobPhase.TRAIN);
  }

  private record Checkpoint(int epoch, int step, ModelState state, List<EpochMetrics> history, String initFrom) {}

  private Checkpoint loadCheckpoint(String jobId, long step) throws IOException {
    Map<String, Object> s;
    try (InputStream in = checkpoints.open(jobId, step, STATE_JSON)) {
      s = JSON.readValue(in, new TypeReference<Map<String, Object>>() {});
    }
    float[][] paramsAndUpdater;
    try (InputStream in = checkpoints.open(jobId, step, STATE_BIN)) {
      paramsAndUpdater = StateFile.read(in);
    } catch (NoSuchElementException olderFormat) {
      // checkpoints written before state.bin hold a DL4J model.zip
      try (InputStream in = checkpoints.open(jobId, step, ModelPublisher.MODEL_ZIP)) {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(in, true);
        paramsAndUpdater = new float[][] {NetworkFactory.params(net), NetworkFactory.updaterState(net)};
      }
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> h = (List<Map<String, Object>>) s.get("history");
    List<EpochMetrics> history = h.stream().map(EpochMetrics::fromMap).toList();
    ModelState state = new ModelState(paramsAndUpdater[0], paramsAndUpdater[1],
        ((Number) s.get("iterations")).longValue());
    return new Checkpoint(((Number) s.get("epoch")).intValue(), ((Number) s.get("step")).intValue(), state,
        history, (String) s.get("initFrom"));
  }

  /**
   * The epochs a job's checkpoint {@code step} records ({@code state.json}'s {@code history}).
   *
   * @throws java.util.NoSuchElementException if the checkpoint has no state.json
   */
  public static RunSoFar soFar(CheckpointStore checkpoints, String jobId, long step) throws IOException {
    Map<String, Object> s;
    try (InputStream in = checkpoints.open(jobId, step, STATE_JSON)) {
      s = JSON.readValue(in, new TypeReference<Map<String, Object>>() {});
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> h = (List<Map<String, Object>>) s.getOrDefault("history", List.of());
    return new RunSoFar(RunMetrics.compute(null, h.stream().map(EpochMetrics::fromMap).toList()), null);
  }

  /** Sums an epoch's segment reports. */
  private static final class EpochTally {
    long examples;
    double lossSum;
    double seconds;

    void add(TrainingEngine.SegmentReport r) {
      examples += r.examples();
      if (Double.isFinite(r.meanLoss())) {
        lossSum += r.meanLoss() * r.examples();
      }
      seconds += r.seconds();
    }

    double meanLoss() {
      return examples == 0 ? Double.NaN : lossSum / examples;
    }
  }
}
