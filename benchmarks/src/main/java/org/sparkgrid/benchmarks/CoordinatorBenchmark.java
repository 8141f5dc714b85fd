package org.sparkgrid.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.core.run.RoundPhases;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.run.RoundReport;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;
import org.sparkgrid.jobs.tree.FederationRunner;
import org.sparkgrid.jobs.tree.LocalSiteTrainer;

/**
 * The coordinator's share of a tree-mode round: a real federation of N sites on Fashion-MNIST
 * (Dirichlet(alpha) split, as {@link FederatedBenchmark}), MLP 784-256-128-10, one local epoch per
 * round, {@code loss-improvement} scoring on the 2,000-example validation set, test evaluation on the
 * 10,000 test examples, checkpoints on; run once with the coordinator's scoring and evaluation as a
 * Spark stage where the updates are cached ({@code executors}, the default) and once the way before
 * (updates collected again after the Spark merge, scored and evaluated on the driver: {@code driver},
 * the baseline), in one JVM on {@code local[2]}. Per round it prints the phases and the coordinator's
 * share: (round wall time - the sites' training job) / round wall time, where a round's wall time
 * runs from the end of the round before (or the federation's start) to the end of its checkpoint;
 * then the medians over rounds 2..R (round 1 also pays for first-use warm-up). For the Spark stage it
 * also prints how many of the 2 task slots it kept busy on average (its tasks' executor run time over
 * its wall time): below 2 where other processes take the cores.
 *
 * <pre>benchmarks/run coordinator --sites 8 --alpha 0.3 --rounds 5
 * benchmarks/run coordinator --paths driver,executors   # the baseline first
 * benchmarks/run coordinator --paths driver,executors,driver,executors --rounds 4   # each path twice, alternating</pre>
 */
public final class CoordinatorBenchmark {

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  /**
   * One round as measured: its wall time, its phases, and the run time of the coordinator stage's
   * tasks (0 on the driver path).
   */
  private record Round(double wallMs, RoundPhases phases, double stageTaskMs) {
    double share() {
      return (wallMs - phases.sitesMs()) / wallMs;
    }

    /** How many task slots the coordinator stage kept busy on average: its tasks' run time over its wall time. */
    double stageSlots() {
      return stageTaskMs / (phases.scoringMs() + phases.evaluationMs());
    }
  }

  /** Sums the executor run time of the coordinator stage's tasks (its jobs are described "... scoring ..." / "... evaluation"). */
  private static final class StageTime extends SparkListener {
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final AtomicLong runMs = new AtomicLong();

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted e) {
      String what = e.properties() == null ? null : e.properties().getProperty("spark.job.description");
      if (what != null && (what.contains("leave-one-out scoring") || what.contains("test evaluation"))) {
        stages.add(e.stageInfo().stageId());
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      if (stages.contains(e.stageId()) && e.taskMetrics() != null) {
        runMs.addAndGet(e.taskMetrics().executorRunTime());
      }
    }

    /** The run time summed since the last call. */
    long take() {
      return runMs.getAndSet(0);
    }
  }

  private static void run(String[] args) throws Exception {
    int sites = Bench.intArg(args, "--sites", 8);
    double alpha = Double.parseDouble(Bench.arg(args, "--alpha", "0.3"));
    int rounds = Bench.intArg(args, "--rounds", 5);
    int localEpochs = Bench.intArg(args, "--local-epochs", 1);
    List<String> paths = List.of(Bench.arg(args, "--paths", "executors,driver").split(","));
    Path work = Files.createTempDirectory("sparkgrid-coordinator-bench");
    FederatedSplit split = FederatedSplit.write(work, sites, alpha);
    System.out.printf("Coordinator benchmark: Fashion-MNIST in %d sites (Dirichlet alpha %.2f, %d to %d examples),"
        + " %d rounds, MLP 784-256-128-10, %d local epoch(s), loss-improvement scoring on 2,000 validation examples,"
        + " test set 10,000, local[2]; load average %s%n", sites, alpha, Arrays.stream(split.siteSizes()).min()
        .orElse(0), Arrays.stream(split.siteSizes()).max().orElse(0), rounds, localEpochs, loadAverage());
    Map<String, List<Round>> measured = new LinkedHashMap<>();
    SparkConf sparkConf = new SparkConf().setMaster("local[2]").setAppName("CoordinatorBenchmark")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
    try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
      sc.setLogLevel("ERROR");
      StageTime stageTime = new StageTime();
      sc.sc().addSparkListener(stageTime);
      String store = work.resolve("store").toUri().toString();
      for (int run = 0; run < paths.size(); run++) {
        String path = paths.get(run);
        FederationRunner.Coordinator where = FederationRunner.Coordinator.valueOf(path.toUpperCase());
        TrainingRequest request = RequestCodec.parse("""
            {"schema": 1, "id": "coordinator-bench-%1$s", "mode": "tree",
             "model": {"name": "coordinator-bench-%1$s", "architecture": "mlp"},
             "data": {"format": "idx", "train": "file:%2$s", "test": "file:%3$st10k"},
             "training": {"epochs": 1, "batchSize": 64, "seed": 42, "updater": {"type": "adam", "learningRate": 0.001}},
             "federation": {"sites": "file:%4$s", "rounds": %5$d, "localEpochs": %7$d, "minSites": %6$d,
                            "strategy": {"type": "fedavg"}},
             "reward": {"poolPerRound": "1", "scoring": "loss-improvement"}}
            """.formatted(path + "-" + (run + 1), split.validation(), FederatedSplit.DATA, split.federation(), rounds, sites,
            localEpochs));
        System.out.printf("%npath %s (%s)%n", path, where == FederationRunner.Coordinator.EXECUTORS
            ? "scoring and test evaluation in a Spark stage where the updates are cached"
            : "updates collected again after the Spark merge, scored and evaluated on the driver: the baseline");
        System.out.printf("%-6s %9s %9s %8s %8s %10s %10s %11s %7s %9s %11s%n", "round", "round ms", "sites ms", "merge",
            "scoring", "evaluation", "checkpoint", "unaccounted", "share", "accuracy", "stage slots");
        List<Round> list = new ArrayList<>();
        long[] last = {System.nanoTime()};
        new FederationRunner(sc, SparkGridConfig.from(Map.of()), new HadoopModelStore(store, sc.hadoopConfiguration()),
            new HadoopCheckpointStore(store, sc.hadoopConfiguration()), new ProgressListener() {
              @Override
              public void roundDone(RoundReport report) {
                long now = System.nanoTime();
                RoundMetrics m = report.metrics();
                // the listener bus is asynchronous, but the checkpoint written after the stage gives it time
                Round r = new Round((now - last[0]) / 1e6, m.phases(), stageTime.take());
                last[0] = now;
                list.add(r);
                RoundPhases p = m.phases();
                System.out.printf("%-6d %9.0f %9.0f %8.0f %8.0f %10.0f %10.0f %11.0f %6.1f%% %9.4f %11s%n", m.round() + 1,
                    r.wallMs(), p.sitesMs(), p.mergeMs(), p.scoringMs(), p.evaluationMs(), p.checkpointMs(),
                    r.wallMs() - p.sitesMs() - p.coordinatorMs(), 100 * r.share(), m.testAccuracy(),
                    r.stageTaskMs() == 0 ? "-" : String.format("%.2f of 2", r.stageSlots()));
              }
            }, new LocalSiteTrainer()).coordinatedOn(where).run(request, "coordinator-bench-" + path + "-" + (run + 1));
        measured.put(paths.size() == paths.stream().distinct().count() ? path : path + " " + (run + 1), list);
      }
    }
    System.out.printf("%nmedians over rounds 2..%d (load average now %s)%n", rounds, loadAverage());
    System.out.printf("%-12s %9s %9s %8s %8s %10s %10s %9s %7s%n", "path", "round ms", "sites ms", "merge", "scoring",
        "evaluation", "checkpoint", "coord ms", "share");
    for (Map.Entry<String, List<Round>> e : measured.entrySet()) {
      List<Round> later = e.getValue().subList(Math.min(1, e.getValue().size()), e.getValue().size());
      System.out.printf("%-12s %9.0f %9.0f %8.0f %8.0f %10.0f %10.0f %9.0f %6.1f%%%n", e.getKey(),
          median(later, Round::wallMs), median(later, r -> r.phases().sitesMs()),
          median(later, r -> r.phases().mergeMs()), median(later, r -> r.phases().scoringMs()),
          median(later, r -> r.phases().evaluationMs()), median(later, r -> r.phases().checkpointMs()),
          median(later, r -> r.wallMs() - r.phases().sitesMs()), 100 * median(later, Round::share));
    }
    System.out.println("target: coordinator share <= 10% of a round");
  }

  private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
    double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String loadAverage() {
    try {
      return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).trim().split(" "), 3));
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
