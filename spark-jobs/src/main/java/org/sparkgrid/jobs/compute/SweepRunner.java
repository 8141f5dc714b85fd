package org.sparkgrid.jobs.compute;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.EngineSpec;
import org.sparkgrid.core.request.SweepSpec;
import org.sparkgrid.core.request.SweepTrials;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.run.EpochMetrics;
import org.sparkgrid.core.run.Lineage;
import org.sparkgrid.core.store.CheckpointStore;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.core.sweep.Leaderboard;
import org.sparkgrid.core.sweep.TrialOutcome;
import org.sparkgrid.jobs.engine.TrainingEngine;
import org.sparkgrid.jobs.run.JobRuns;
import org.sparkgrid.jobs.run.ModelPublisher;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.run.RunResult;
import org.sparkgrid.jobs.run.TrainingRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a request's sweep on Spark: its trials ({@link SweepTrials#expand}), at most
 * {@code sweep.maxConcurrent} at once, then registers only the best trial's model, by
 * {@code sweep.select}, as a version of the request's model.
 *
 * <ul>
 *   <li>Each trial is a compute job of its own ({@link ComputeJob#train}) under its trial id
 *       ({@code <job>-trial-<n>}), so it checkpoints under that id, and is not registered; the
 *       winner is registered at the end with {@link ComputeJob#publishSweepWinner}. Trials do not register
 *       versions of their own: the model's version list (and {@code name@best}) holds only what a
 *       sweep chose, never its losing configurations.
 *   <li>Trials run on {@code maxConcurrent} driver threads. Each thread runs its Spark jobs in a FAIR
 *       pool of its own ({@code <caller's pool>-trial-<slot>}, so concurrent trials share the cluster
 *       evenly), in the caller's job group {@code jobId}: cancelling that group cancels every trial's
 *       running Spark job, and the {@code stopRequested} check between Spark jobs stops the rest.
 *   <li>A trial that fails is recorded on the leaderboard with its error and the sweep goes on; if
 *       no trial succeeds (with a finite selected metric), the sweep fails naming each trial's error.
 *   <li>Each finished trial's row is kept beside the job's request ({@code runs/<job>/sweep.json}).
 *       {@link #resume} skips finished trials, continues unfinished ones from their checkpoints, and
 *       starts the others; a winner that finished before the restart is read back from its final
 *       checkpoint (with checkpoints disabled, it is trained again).
 *   <li>The registered version's {@code metrics.json} holds the winner's figures plus {@code sweep}
 *       (the {@link Leaderboard#toMap leaderboard}, with the winner's trial number); its
 *       {@code lineage.json} holds the winner's full request plus {@code sweep} (the trial, its
 *       overrides and the sweep's own request).
 * </ul>
 *
 * <pre>{@code
 * SweepRunner sweeps = new SweepRunner(sc, config, modelStore, checkpointStore, SweepRunner.Listener.NONE, () -> false);
 * SweepRunner.Result r = sweeps.run(request, request.id());
 * System.out.print(r.leaderboard().table());
 * System.out.println("registered " + r.version().name() + "@" + r.version().version() + " from trial " + r.winner().trial());
 * }</pre>
 */
public final class SweepRunner implements TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(SweepRunner.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String SWEEP_JSON = "sweep.json";
  private static final int MAX_ERROR_LENGTH = 1000;

  /** What a running sweep tells its caller. Calls come from the sweep's trial threads. */
  public interface Listener {
    /** Tells nothing. */
    Listener NONE = new Listener() {};

    /** The progress listener of one trial's training, called on that trial's thread. */
    default ProgressListener progress(SweepTrials.Trial trial) {
      return ProgressListener.NONE;
    }

    /** A trial finished (succeeded or failed). Calls come one at a time, in the order trials finish. */
    default void trialDone(TrialOutcome outcome) {}

    /** A listener that passes each finished trial to {@code onTrial} and nothing else. */
    static Listener onTrial(java.util.function.Consumer<TrialOutcome> onTrial) {
      return new Listener() {
        @Override
        public void trialDone(TrialOutcome outcome) {
          onTrial.accept(outcome);
        }
      };
    }
  }

  /**
   * The outcome of a sweep.
   *
   * @param jobId       the sweep's job
   * @param version     the registered version: the winner's model
   * @param winner      the best trial's row
   * @param leaderboard every trial, the winner included
   */
  public record Result(String jobId, ModelVersion version, TrialOutcome winner, Leaderboard leaderboard)
      implements RunResult {

    /** The winner's figures. */
    @Override
    public Map<String, Double> metrics() {
      return winner.metrics();
    }
  }

  private final JavaSparkContext sc;
  private final SparkGridConfig config;
  private final ModelStore models;
  private final CheckpointStore checkpoints;
  private final Listener listener;
  private final BooleanSupplier stopRequested;

  /**
   * @param stopRequested whether the sweep should stop (e.g. its job was cancelled): checked before
   *     each trial and between each trial's Spark jobs
   */
  public SweepRunner(JavaSparkContext sc, SparkGridConfig config, ModelStore models, CheckpointStore checkpoints,
      Listener listener, BooleanSupplier stopRequested) {
    this.sc = sc;
    this.config = config;
    this.models = models;
    this.checkpoints = checkpoints;
    this.listener = listener;
    this.stopRequested = stopRequested;
  }

  /**
   * Runs a sweep from the start.
   *
   * @throws IllegalArgumentException if the request has no sweep, the job ran before, or the
   *     configuration cannot run its trials at once
   * @throws IllegalStateException    if no trial succeeded, naming each trial's error
   * @throws CancellationException    if {@code stopRequested} said so before the sweep ended
   * @throws InterruptedException     if the calling thread was interrupted; the trials are stopped
   */
  @Override
  public Result run(TrainingRequest request, String jobId) throws IOException, InterruptedException {
    List<SweepTrials.Trial> trials = trials(request, jobId);
    Optional<InputStream> before = checkpoints.openRunFile(jobId, SWEEP_JSON);
    if (before.isPresent()) {
      before.get().close();
      throw new IllegalArgumentException("sweep '" + jobId + "' has run before and has trials in the store: continue"
          + " it with --resume " + jobId + ", or start afresh under another id (--job-id)");
    }
    JobRuns.start(checkpoints, jobId, request);
    save(jobId, List.of());
    return execute(request, jobId, trials, new TreeMap<>(), false);
  }

  /**
   * Resumes a sweep: finished trials are kept as they ended, the others continue from their
   * checkpoints or start.
   *
   * @throws IllegalArgumentException if the job is unknown or not a sweep
   * @throws IllegalStateException    if no trial succeeded, naming each trial's error
   * @throws CancellationException    if {@code stopRequested} said so before the sweep ended
   * @throws InterruptedException     if the calling thread was interrupted; the trials are stopped
   */
  @Override
  public Result resume(String jobId) throws IOException, InterruptedException {
    TrainingRequest request = JobRuns.request(checkpoints, jobId);
    if (request.sweep() == null) {
      throw new IllegalArgumentException("job '" + jobId + "' has no sweep: resume it as a compute job");
    }
    List<SweepTrials.Trial> trials = trials(request, jobId);
    TreeMap<Integer, TrialOutcome> done = load(jobId);
    LOG.info("resuming sweep {}: {} of {} trials finished before", jobId, done.size(), trials.size());
    return execute(request, jobId, trials, done, true);
  }

  private List<SweepTrials.Trial> trials(TrainingRequest request, String jobId) {
    SweepSpec sweep = request.sweep();
    if (sweep == null) {
      throw new IllegalArgumentException("request " + request.id() + " has no sweep: train it with ComputeJob");
    }
    int port = config.get(SparkGridConfig.ENGINE_EXCHANGE_PORT);
    boolean averaging = EngineSpec.SPARKGRID.equals(request.engine().type());
    if (port != 0 && averaging && sweep.maxConcurrent() > 1 && sweep.trialCount() > 1) {
      throw new IllegalArgumentException("sweep.maxConcurrent is " + sweep.maxConcurrent() + " but "
          + SparkGridConfig.ENGINE_EXCHANGE_PORT.name() + " is fixed at " + port + ": trials that run at once each need"
          + " an exchange port of their own; set it to 0 (any free port) or sweep.maxConcurrent to 1");
    }
    return SweepTrials.expand(request, jobId);
  }

  private Result execute(TrainingRequest request, String jobId, List<SweepTrials.Trial> trials,
      TreeMap<Integer, TrialOutcome> done, boolean resuming) throws IOException, InterruptedException {
    SweepSpec sweep = request.sweep();
    List<SweepTrials.Trial> pending = trials.stream().filter(t -> !done.containsKey(t.index())).toList();
    Run run = new Run(jobId, new Leaderboard(sweep.method(), sweep.select(), List.of()), done, pending, resuming);
    run.trainAll(Math.min(sweep.maxConcurrent(), pending.size()));
    if (stopped(run)) {
      throw new CancellationException("sweep " + jobId + " stopped before its trials finished");
    }
    Leaderboard board = new Leaderboard(sweep.method(), sweep.select(), List.copyOf(run.outcomes.values()));
    TrialOutcome winner = board.best().orElseThrow(() -> new IllegalStateException(noWinner(jobId, board)));
    ComputeJob.Trained best = run.bestTrained != null && run.bestOutcome.trial() == winner.trial()
        ? run.bestTrained
        : new ComputeJob(sc, config, models, checkpoints, ProgressListener.NONE).resumeTraining(winner.id());
    ModelVersion version = new ComputeJob(sc, config, models, checkpoints, ProgressListener.NONE).publishSweepWinner(
        best, jobId, board, new Lineage.Sweep(winner.trial(), winner.id(), winner.overrides(),
            ModelPublisher.requestJson(request)));
    LOG.info("sweep {}: trial {} won by {} ({}), registered as {}@{}", jobId, winner.trial(), sweep.select(),
        winner.metric(sweep.select()), version.name(), version.version());
    return new Result(jobId, version, winner, board);
  }

  private boolean stopped(Run run) {
    return run.stopping || stopRequested.getAsBoolean();
  }

  private static String noWinner(String jobId, Leaderboard board) {
    String rows = board.ranked().stream()
        .map(o -> "trial " + o.trial() + " (" + o.overridesText() + "): "
            + (o.error() != null ? o.error() : "no finite " + board.select()))
        .collect(Collectors.joining("; "));
    return "no trial of sweep " + jobId + " can be registered, all " + board.trials().size() + " failed or have no"
        + " finite " + board.select() + ": " + rows;
  }

  /** One execution of a sweep: the trial threads and what they found. */
  private final class Run {
    private final String jobId;
    private final Leaderboard ranking;
    private final TreeMap<Integer, TrialOutcome> outcomes;
    private final List<SweepTrials.Trial> pending;
    private final boolean resuming;
    private final AtomicInteger next = new AtomicInteger();
    private final String parentPool = sc.getLocalProperty("spark.scheduler.pool");
    private volatile boolean stopping;
    private TrialOutcome bestOutcome;
    private ComputeJob.Trained bestTrained;

    Run(String jobId, Leaderboard ranking, TreeMap<Integer, TrialOutcome> outcomes, List<SweepTrials.Trial> pending,
        boolean resuming) {
      this.jobId = jobId;
      this.ranking = ranking;
      this.outcomes = outcomes;
      this.pending = pending;
      this.resuming = resuming;
    }

    void trainAll(int threads) throws InterruptedException {
      if (threads == 0) {
        return;
      }
      AtomicInteger threadNumber = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "sparkgrid-sweep-" + jobId + "-" + threadNumber.getAndIncrement());
        t.setDaemon(true);
        return t;
      });
      List<Future<?>> slots = new ArrayList<>();
      for (int slot = 0; slot < threads; slot++) {
        int s = slot;
        slots.add(pool.submit(() -> trainOnSlot(s)));
      }
      pool.shutdown();
      try {
        for (Future<?> f : slots) {
          f.get();
        }
      } catch (InterruptedException e) {
        stop(pool);
        throw e;
      } catch (ExecutionException e) {
        stop(pool);
        throw new IllegalStateException("sweep " + jobId + ": a trial thread died: " + e.getCause(), e.getCause());
      }
    }

    private void stop(ExecutorService pool) throws InterruptedException {
      stopping = true;
      pool.shutdownNow();
      sc.cancelJobGroup(jobId);
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }

    /** Takes trials off the list until none is left or the sweep stops. */
    private void trainOnSlot(int slot) {
      sc.setLocalProperty("spark.scheduler.pool", (parentPool == null ? "sparkgrid" : parentPool) + "-trial-" + slot);
      while (!stopped(this)) {
        int i = next.getAndIncrement();
        if (i >= pending.size()) {
          return;
        }
        train(pending.get(i));
      }
    }

    private void train(SweepTrials.Trial trial) {
      sc.setJobGroup(jobId, "SparkGrid job " + jobId + ", trial " + trial.index() + " (" + trial.id() + ")", true);
      ProgressListener progress = new StopCheck(listener.progress(trial), () -> stopped(this));
      ComputeJob compute = new ComputeJob(sc, config, models, checkpoints, progress);
      ComputeJob.Trained trained;
      try {
        trained = resuming && checkpoints.latest(trial.id()).isPresent()
            ? compute.resumeTraining(trial.id())
            : compute.train(trial.request(), trial.id());
      } catch (Exception e) {
        if (stopped(this)) {
          LOG.info("sweep {}: trial {} stopped", jobId, trial.index());
          return; // not a result: a resumed sweep runs it again
        }
        String error = e.getMessage() == null ? e.toString() : e.getMessage();
        error = error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) + "..." : error;
        LOG.warn("sweep {}: trial {} failed: {}", jobId, trial.index(), error, e);
        record(TrialOutcome.failed(trial.index(), trial.id(), trial.overrides(), error), null);
        return;
      }
      record(TrialOutcome.succeeded(trial.index(), trial.id(), trial.overrides(), metrics(trained)), trained);
    }

    private synchronized void record(TrialOutcome outcome, ComputeJob.Trained trained) {
      outcomes.put(outcome.trial(), outcome);
      save(jobId, List.copyOf(outcomes.values()));
      if (trained != null && (bestOutcome == null || ranking.better(outcome, bestOutcome))) {
        bestOutcome = outcome;
        bestTrained = trained;
      }
      listener.trialDone(outcome);
    }
  }

  private static Map<String, Double> metrics(ComputeJob.Trained t) {
    Map<String, Double> m = new LinkedHashMap<>();
    if (t.evaluation() != null) {
      m.put(TrialOutcome.ACCURACY, t.evaluation().accuracy());
      m.put(TrialOutcome.LOSS, t.evaluation().loss());
    }
    m.put(TrialOutcome.TRAIN_SECONDS, t.epochs().stream().mapToDouble(EpochMetrics::trainSeconds).sum());
    return m;
  }

  private void save(String jobId, List<TrialOutcome> outcomes) {
    Map<String, Object> doc = Map.of("trials", outcomes.stream().map(TrialOutcome::toMap).toList());
    checkpoints.putRunFile(jobId, SWEEP_JSON, out -> out.write(JSON.writeValueAsBytes(doc)));
  }

  private TreeMap<Integer, TrialOutcome> load(String jobId) throws IOException {
    TreeMap<Integer, TrialOutcome> done = new TreeMap<>();
    Optional<InputStream> in = checkpoints.openRunFile(jobId, SWEEP_JSON);
    if (in.isEmpty()) {
      return done;
    }
    Map<String, Object> doc;
    try (InputStream is = in.get()) {
      doc = JSON.readValue(is, new TypeReference<Map<String, Object>>() {});
    }
    if (doc.get("trials") instanceof List<?> rows) {
      for (Object row : rows) {
        TrialOutcome o = TrialOutcome.fromMap((Map<?, ?>) row);
        done.put(o.trial(), o);
      }
    }
    return done;
  }

  /** Passes progress on, and stops the trial (between two Spark jobs) once the sweep is to stop. */
  private static final class StopCheck implements ProgressListener {
    private final ProgressListener delegate;
    private final BooleanSupplier stop;

    StopCheck(ProgressListener delegate, BooleanSupplier stop) {
      this.delegate = delegate;
      this.stop = stop;
    }

    private void check() {
      if (stop.getAsBoolean()) {
        throw new CancellationException("the sweep is stopping");
      }
    }

    @Override
    public void phase(String description) {
      check();
      delegate.phase(description);
    }

    @Override
    public void start(String jobId, int epochs, int stepsPerEpoch, long examples, int startEpoch, int startStep) {
      delegate.start(jobId, epochs, stepsPerEpoch, examples, startEpoch, startStep);
    }

    @Override
    public void segment(TrainingEngine.SegmentReport report) {
      delegate.segment(report);
      check();
    }

    @Override
    public void epochDone(EpochMetrics metrics, int epochs) {
      delegate.epochDone(metrics, epochs);
      check();
    }

    @Override
    public void finish() {
      delegate.finish();
    }
  }
}
