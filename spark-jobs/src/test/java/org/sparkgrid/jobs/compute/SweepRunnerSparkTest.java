package org.sparkgrid.jobs.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.SweepTrials;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.store.CheckpointStore;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.core.store.StoreJson;
import org.sparkgrid.core.sweep.TrialOutcome;
import org.sparkgrid.jobs.engine.TrainingEngine;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;

/**
 * Sweeps on real Spark ({@code local[2]}) and a few hundred real Fashion-MNIST images: trials run
 * concurrently, only the best is registered, failed trials stay on the leaderboard, and a stopped
 * sweep resumes where it stopped.
 */
class SweepRunnerSparkTest {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  private static JavaSparkContext sc;
  @TempDir static Path store;

  @BeforeAll
  static void startSpark() {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")),
        "Fashion-MNIST missing: apt-get install dataset-fashion-mnist (bin/sparkgrid test does)");
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("SweepRunnerSparkTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.scheduler.mode", "FAIR"));
    sc.setLogLevel("WARN");
  }

  @AfterAll
  static void stopSpark() {
    if (sc != null) {
      sc.stop();
    }
  }

  /** One epoch of 600 images on a 784-16-10 network, one worker per trial, the learning rate swept. */
  private static TrainingRequest request(String name, String learningRates, int maxConcurrent) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [16]}},
         "data": {"format": "idx", "train": "file:%s/train", "test": "file:%s/t10k", "limit": 600},
         "training": {"epochs": 1, "batchSize": 32, "seed": 3},
         "engine": {"workers": 1, "averagingFrequency": 5},
         "sweep": {"parameters": {"training.updater.learningRate": %s}, "maxConcurrent": %d}}
        """.formatted(name, name, FMNIST, FMNIST, learningRates, maxConcurrent));
  }

  private static SweepRunner runner(SweepRunner.Listener listener, BooleanSupplier stop) {
    SparkGridConfig config = SparkGridConfig.from(Map.of(
        "spark.sparkgrid.store.root", store.toUri().toString(),
        "spark.sparkgrid.engine.jobsPerEpoch", "3"));
    return new SweepRunner(sc, config, models(), checkpoints(), listener, stop);
  }

  private static ModelStore models() {
    return new HadoopModelStore(store.toUri().toString(), sc.hadoopConfiguration());
  }

  private static CheckpointStore checkpoints() {
    return new HadoopCheckpointStore(store.toUri().toString(), sc.hadoopConfiguration());
  }

  private static Map<String, Object> read(ModelVersion v, String file) {
    try (InputStream in = models().open(v, file)) {
      return StoreJson.read(in, file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A listener from a progress listener per trial and a consumer of finished trials. */
  private static SweepRunner.Listener listener(Function<SweepTrials.Trial, ProgressListener> progress,
      Consumer<TrialOutcome> done) {
    return new SweepRunner.Listener() {
      @Override
      public ProgressListener progress(SweepTrials.Trial trial) {
        return progress.apply(trial);
      }

      @Override
      public void trialDone(TrialOutcome outcome) {
        done.accept(outcome);
      }
    };
  }

  /** A checkpoint left under a trial's id: that trial then fails as a job that ran before. */
  private static void strayCheckpoint(String trialId) {
    checkpoints().save(trialId, 1, Map.of("stray.bin", out -> out.write(1)));
  }

  @Test
  void registersOnlyTheBestTrialWithTheLeaderboard() throws Exception {
    // Prepare
    List<TrialOutcome> done = new CopyOnWriteArrayList<>();
    TrainingRequest req = request("sw-best", "[0.0001, 0.003, 0.03]", 2);

    // Execute
    SweepRunner.Result r = runner(SweepRunner.Listener.onTrial(done::add), () -> false).run(req, "sw-best");

    // Assert
    assertThat(done).extracting(TrialOutcome::trial).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(r.leaderboard().trials()).allMatch(o -> o.status() == TrialOutcome.Status.SUCCEEDED);
    double bestAccuracy = done.stream().mapToDouble(o -> o.metric("accuracy")).max().orElseThrow();
    assertThat(r.winner().metric("accuracy")).isEqualTo(bestAccuracy);
    assertThat(bestAccuracy).as("10 classes: chance is 0.1").isGreaterThan(0.3);
    assertThat(models().versions("sw-best")).containsExactly(r.version());

    Map<String, Object> metrics = read(r.version(), ModelStore.METRICS_FILE);
    assertThat(((Number) metrics.get("accuracy")).doubleValue()).isEqualTo(r.winner().metric("accuracy"));
    assertThat(((Number) metrics.get("loss")).doubleValue()).isEqualTo(r.winner().metric("loss"));
    @SuppressWarnings("unchecked")
    Map<String, Object> sweep = (Map<String, Object>) metrics.get("sweep");
    assertThat(sweep).containsEntry("winner", r.winner().trial()).containsEntry("select", "accuracy");
    assertThat((List<?>) sweep.get("trials")).hasSize(3);

    Map<String, Object> lineage = read(r.version(), ModelStore.LINEAGE_FILE);
    assertThat(lineage).containsEntry("job", "sw-best");
    assertThat(lineage.get("sweep")).asInstanceOf(InstanceOfAssertFactories.MAP)
        .containsEntry("trial", r.winner().trial())
        .containsEntry("trialJob", "sw-best-trial-" + r.winner().trial())
        .containsEntry("overrides", r.winner().overrides());
    assertThat(lineage.get("request").toString())
        .contains("learningRate=" + r.winner().overrides().get("training.updater.learningRate"));
  }

  @Test
  void aFailedTrialIsOnTheLeaderboardAndTheSweepGoesOn() throws Exception {
    // Prepare
    strayCheckpoint("sw-fail-trial-1");

    // Execute
    SweepRunner.Result r = runner(SweepRunner.Listener.NONE, () -> false)
        .run(request("sw-fail", "[0.001, 0.003]", 2), "sw-fail");

    // Assert
    TrialOutcome failed = r.leaderboard().trials().stream().filter(o -> o.trial() == 1).findFirst().orElseThrow();
    assertThat(failed.status()).isEqualTo(TrialOutcome.Status.FAILED);
    assertThat(failed.error()).startsWith("job 'sw-fail-trial-1' has run before");
    assertThat(r.winner().trial()).isZero();
    assertThat(models().versions("sw-fail")).hasSize(1);
  }

  @Test
  void aSweepWhoseTrialsAllFailFailsNamingEachError() {
    // Prepare
    strayCheckpoint("sw-none-trial-0");
    strayCheckpoint("sw-none-trial-1");

    // Execute, Assert
    assertThatThrownBy(() -> runner(SweepRunner.Listener.NONE, () -> false)
        .run(request("sw-none", "[0.001, 0.003]", 2), "sw-none"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("no trial of sweep sw-none can be registered, all 2 failed or have no finite accuracy:"
            + " trial 0 (training.updater.learningRate=0.001): job 'sw-none-trial-0' has run before")
        .hasMessageContaining("; trial 1 (training.updater.learningRate=0.003): job 'sw-none-trial-1' has run before");
    assertThat(models().versions("sw-none")).isEmpty();
  }

  @Test
  void aSweepThatRanBeforeIsRefusedPointingToResume() {
    // Prepare
    strayCheckpoint("sw-twice-trial-0");
    TrainingRequest req = request("sw-twice", "[0.001]", 1);
    assertThatThrownBy(() -> runner(SweepRunner.Listener.NONE, () -> false).run(req, "sw-twice"))
        .isInstanceOf(IllegalStateException.class);

    // Execute, Assert
    assertThatThrownBy(() -> runner(SweepRunner.Listener.NONE, () -> false).run(req, "sw-twice"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sweep 'sw-twice' has run before and has trials in the store: continue it with --resume sw-twice,"
            + " or start afresh under another id (--job-id)");
  }

  @Test
  void aStoppedSweepResumesFinishedTrialsAsTheyEndedAndOthersFromTheirCheckpoints() throws Exception {
    // Prepare: one trial at a time; stop once trial 0 is done and trial 1 has checkpointed its first Spark job
    TrainingRequest req = request("sw-resume", "[0.001, 0.003, 0.01]", 1);
    AtomicInteger trial1Segments = new AtomicInteger();
    List<TrialOutcome> firstRun = new CopyOnWriteArrayList<>();
    SweepRunner.Listener counting = listener(trial -> new ProgressListener() {
      @Override
      public void segment(TrainingEngine.SegmentReport report) {
        if (trial.index() == 1) {
          trial1Segments.incrementAndGet();
        }
      }
    }, firstRun::add);
    assertThatThrownBy(() -> runner(counting, () -> trial1Segments.get() >= 2).run(req, "sw-resume"))
        .isInstanceOf(CancellationException.class)
        .hasMessage("sweep sw-resume stopped before its trials finished");
    assertThat(firstRun).extracting(TrialOutcome::trial).containsExactly(0);
    List<Long> trial0Steps = checkpoints().steps("sw-resume-trial-0");
    assertThat(checkpoints().latest("sw-resume-trial-1")).isPresent();
    assertThat(checkpoints().latest("sw-resume-trial-2")).isEmpty();

    // Execute
    List<TrialOutcome> secondRun = new CopyOnWriteArrayList<>();
    Map<Integer, List<String>> phases = new ConcurrentHashMap<>();
    SweepRunner.Listener recording = listener(trial -> new ProgressListener() {
      @Override
      public void phase(String description) {
        phases.computeIfAbsent(trial.index(), k -> new CopyOnWriteArrayList<>()).add(description);
      }
    }, secondRun::add);
    SweepRunner.Result r = runner(recording, () -> false).resume("sw-resume");

    // Assert
    assertThat(secondRun).extracting(TrialOutcome::trial).containsExactly(1, 2);
    assertThat(phases).doesNotContainKey(0);
    assertThat(phases.get(1)).anyMatch(p -> p.startsWith("Resuming job sw-resume-trial-1 at epoch 1, sync step "));
    assertThat(phases.get(2)).noneMatch(p -> p.startsWith("Resuming"));
    assertThat(checkpoints().steps("sw-resume-trial-0")).isEqualTo(trial0Steps);
    assertThat(r.leaderboard().trials()).hasSize(3).contains(firstRun.get(0));
    assertThat(models().versions("sw-resume")).containsExactly(r.version());
  }

  @Test
  void cancellingTheJobStopsEveryTrialRecordsNoneAndRegistersNothing() throws Exception {
    // Prepare: two long trials at once; once both have finished a Spark job, cancel as the service does
    // (the job store first, then the Spark job group), and note the group and pool each trial's jobs ran in
    TrainingRequest req = RequestCodec.withOverrides(request("sw-cancel", "[0.001, 0.003]", 2),
        Map.of("training.epochs", 200));
    AtomicBoolean cancelled = new AtomicBoolean();
    Set<Integer> started = ConcurrentHashMap.newKeySet();
    Set<String> groupsAndPools = ConcurrentHashMap.newKeySet();
    List<TrialOutcome> done = new CopyOnWriteArrayList<>();
    SweepRunner.Listener cancelling = listener(trial -> new ProgressListener() {
      @Override
      public void segment(TrainingEngine.SegmentReport report) {
        groupsAndPools.add(trial.index() + " " + sc.getLocalProperty("spark.jobGroup.id") + " "
            + sc.getLocalProperty("spark.scheduler.pool"));
        started.add(trial.index());
        if (started.size() == 2 && cancelled.compareAndSet(false, true)) {
          sc.cancelJobGroup("sw-cancel");
        }
      }
    }, done::add);

    // Execute
    assertThatThrownBy(() -> runner(cancelling, cancelled::get).run(req, "sw-cancel"))
        .isInstanceOf(CancellationException.class);

    // Assert: every trial stopped, none counted as a result, the trials in the job's group, a pool each
    assertThat(done).isEmpty();
    assertThat(models().versions("sw-cancel")).isEmpty();
    try (InputStream in = checkpoints().openRunFile("sw-cancel", SweepRunner.SWEEP_JSON).orElseThrow()) {
      assertThat(StoreJson.read(in, SweepRunner.SWEEP_JSON)).isEqualTo(Map.of("trials", List.of()));
    }
    assertThat(groupsAndPools).hasSize(2).allMatch(g -> g.matches("[01] sw-cancel sparkgrid-trial-[01]"));
    assertThat(groupsAndPools.stream().map(g -> g.substring(g.lastIndexOf('-')))).doesNotHaveDuplicates();
  }

  @Test
  void aRequestWithoutASweepIsRefused() {
    TrainingRequest plain = request("sw-plain", "[0.001]", 1);
    TrainingRequest noSweep = new TrainingRequest(plain.schema(), plain.id(), plain.mode(), plain.model(), plain.data(),
        plain.training(), plain.engine(), null, null, null);

    assertThatThrownBy(() -> runner(SweepRunner.Listener.NONE, () -> false).run(noSweep, "sw-plain"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("request sw-plain has no sweep: train it with ComputeJob");
  }
}
