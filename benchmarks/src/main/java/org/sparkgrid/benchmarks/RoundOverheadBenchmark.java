package org.sparkgrid.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.federation.round.RoundState;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.jobs.resources.SparkContexts;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;
import org.sparkgrid.jobs.tree.FederationRunner;
import org.sparkgrid.jobs.tree.SiteResult;
import org.sparkgrid.jobs.tree.SiteTrainer;
import org.sparkgrid.settlement.chain.LocalChain;

/**
 * Tree mode's coordinator overhead: a federation of N sites on {@code local[2]} whose sites do no
 * real training (each returns a fixed delta of the model's size after a known sleep, timing itself),
 * so that a round's wall time minus its slowest site's time is what the coordinator adds: scheduling
 * the sites' tasks, taking their results, signing and checking the updates (each site signs with a
 * development key; the signature is checked on the driver), merging, scoring by examples and
 * checkpointing. Runs each aggregation mode ({@code spark.sparkgrid.federation.aggregation}) on the
 * same federation and prints mean, median and largest overhead over the rounds (the first round,
 * which warms the JVM, is printed but left out), with a breakdown measured in the same run: an empty
 * Spark job of N tasks (and N one-task jobs, the first version's way), and writing one round's checkpoint.
 *
 * <pre>benchmarks/run round-overhead --sites 100 --hidden 1258 --rounds 6 --sleep-ms 0</pre>
 */
public final class RoundOverheadBenchmark {
  private static final String DATA = "/usr/share/datasets/fashion-mnist/";
  /** Nanoseconds all sites spent in their trainer, per round (local masters only: the tasks run in this JVM). */
  private static final java.util.Map<Integer, java.util.concurrent.atomic.LongAdder> SITE_NANOS =
      new java.util.concurrent.ConcurrentHashMap<>();

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    int sites = Integer.parseInt(Bench.arg(args, "--sites", "100"));
    int hidden = Integer.parseInt(Bench.arg(args, "--hidden", "1258"));
    int rounds = Integer.parseInt(Bench.arg(args, "--rounds", "6"));
    long sleepMs = Long.parseLong(Bench.arg(args, "--sleep-ms", "0"));
    List<String> modes = Arrays.asList(Bench.arg(args, "--modes", "spark,driver").split(","));
    Path work = Files.createTempDirectory("sparkgrid-round-overhead");
    List<FederationFile.Site> list = new ArrayList<>();
    for (int s = 0; s < sites; s++) {
      // the sites' data is never read: the trainer below does not train; each signs with a development key
      list.add(new FederationFile.Site(String.format("site-%03d", s + 1), "file:" + work.resolve("none"),
          LocalChain.derive(LocalChain.DEV_MNEMONIC, s + 1).address(), 1.0, List.of(),
          new FederationFile.SiteKey.Dev(s + 1)));
    }
    Path fed = work.resolve("federation.json");
    Files.write(fed, new FederationFile(list, Set.of()).toJson());

    SparkConf conf = SparkContexts.conf("RoundOverheadBenchmark", Bench.arg(args, "--master", "local[2]"))
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
    try (JavaSparkContext sc = SparkContexts.start(conf)) {
      sc.setLogLevel("WARN");
      StageTimes stages = new StageTimes();
      if (Bench.arg(args, "--phases", "false").equals("true")) {
        // TreeRound's line per round (how long the sites' job and the merge took), and a line per Spark stage
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.sparkgrid.jobs.tree.TreeRound",
            org.apache.logging.log4j.Level.DEBUG);
        sc.sc().addSparkListener(stages);
      }
      int params = 784 * hidden + hidden + hidden * 10 + 10;
      System.out.printf("Round overhead: %d sites x %,d parameters (MLP 784-%d-10), %s, %d cores, FedAvg, scoring by"
          + " examples, checkpoint every round; each site sleeps %d ms and returns a fixed delta%n", sites, params,
          hidden, sc.master(), Runtime.getRuntime().availableProcessors(), sleepMs);
      Map<String, double[]> overheads = new java.util.LinkedHashMap<>();
      for (String mode : modes) {
        SITE_NANOS.clear();
        List<Double> emptyJobs = new ArrayList<>();
        List<RoundMetrics> metrics = federate(sc, work, fed, mode.strip(), sites, hidden, rounds, sleepMs, emptyJobs);
        overheads.put(mode.strip(), report(mode.strip(), metrics, sc.defaultParallelism(), emptyJobs));
      }
      sc.sc().removeSparkListener(stages);
      double[] parts = breakdown(sc, work, sites, params, sc.defaultParallelism());
      double emptyJobMs = parts[0];
      double siteTasksMs = parts[1];
      System.out.printf("%ntarget: round overhead <= 2x an empty %d-task Spark job (%.1f ms in this run, so <= %.1f ms)%n",
          sites, emptyJobMs, 2 * emptyJobMs);
      overheads.forEach((mode, o) -> System.out.printf("  aggregation = %-6s overhead / empty job: mean %.2fx"
          + " (%.1f ms), p50 %.2fx (%.1f ms), best %.2fx (%.1f ms): target %s%n", mode, o[0] / emptyJobMs, o[0],
          o[1] / emptyJobMs, o[1], o[2] / emptyJobMs, o[2], o[0] <= 2 * emptyJobMs ? "met" : "not met"));
      System.out.printf("  of which the site tasks' own steps (build, SHA-256, sign, shape check), queued %d sites on %d"
          + " slots: %.1f ms; the rest, the coordinator's and Spark's share:%n", sites, sc.defaultParallelism(),
          siteTasksMs);
      overheads.forEach((mode, o) -> System.out.printf("  aggregation = %-6s (overhead - site tasks' steps) / empty job:"
          + " mean %.2fx (%.1f ms), best %.2fx (%.1f ms)%n", mode, (o[0] - siteTasksMs) / emptyJobMs,
          o[0] - siteTasksMs, (o[2] - siteTasksMs) / emptyJobMs, o[2] - siteTasksMs));
    }
  }

  /**
   * Runs the federation; after each round (between its end and the next round's start, so in
   * neither) an empty Spark job of one task per site is timed into {@code emptyJobs}: the baseline
   * measured beside each round, under the same load.
   */
  private static List<RoundMetrics> federate(JavaSparkContext sc, Path work, Path fed, String mode, int sites,
      int hidden, int rounds, long sleepMs, List<Double> emptyJobs) throws Exception {
    String id = "overhead-" + mode;
    TrainingRequest request = RequestCodec.parse("""
        {"schema": 1, "id": "%s", "mode": "tree",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [%d]}},
         "data": {"format": "idx", "train": "file:%st10k", "limit": 100, "classes": 10},
         "training": {"epochs": 1, "batchSize": 32, "seed": 1, "updater": {"type": "sgd", "learningRate": 0.01}},
         "federation": {"sites": "file:%s", "rounds": %d, "localEpochs": 1, "fraction": 1.0, "minSites": %d,
                        "roundTimeoutMs": 600000, "strategy": {"type": "fedavg"}},
         "reward": {"poolPerRound": "1000", "scoring": "examples"}}
        """.formatted(id, id, hidden, DATA, fed, rounds, sites));
    String store = work.resolve("store").toUri().toString();
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.store.root", store,
        "spark.sparkgrid.home", work.resolve("home").toString(), "spark.sparkgrid.federation.aggregation", mode));
    FederationRunner runner = new FederationRunner(sc, config, new HadoopModelStore(store, sc.hadoopConfiguration()),
        new HadoopCheckpointStore(store, sc.hadoopConfiguration()), new ProgressListener() {
          @Override
          public void roundDone(org.sparkgrid.jobs.run.RoundReport report) {
            emptyJobs.add(emptyJobMs(sc, sites));
          }
        }, new FixedDelta(sleepMs));
    return runner.run(request, id).rounds();
  }

  /** One empty Spark job of {@code tasks} tasks, milliseconds. */
  private static double emptyJobMs(JavaSparkContext sc, int tasks) {
    List<Integer> ids = IntStream.range(0, tasks).boxed().toList();
    long t0 = System.nanoTime();
    sc.parallelize(ids, tasks).foreach(i -> { });
    return (System.nanoTime() - t0) / 1e6;
  }

  /**
   * Per round: the overhead as the target defines it (round minus slowest site), and, since on a
   * master with fewer slots than sites the sites' own work queues behind the slots, also the round
   * minus all sites' work divided by the slots.
   */
  private static double[] report(String mode, List<RoundMetrics> metrics, int slots, List<Double> emptyJobs) {
    System.out.printf("%naggregation = %s%n%-6s %10s %16s %14s %20s %22s %14s %12s   %s%n", mode, "round", "round ms",
        "slowest site ms", "overhead ms", "site work/slots ms", "round - work/slots ms", "empty job ms",
        "overhead/job", "phases ms: sites job, merge, scoring, evaluation, checkpoint wait");
    double[] ratio = new double[metrics.size()];
    double[] overhead = new double[metrics.size()];
    double[] beyondWork = new double[metrics.size()];
    for (int r = 0; r < metrics.size(); r++) {
      RoundMetrics m = metrics.get(r);
      overhead[r] = (m.seconds() - m.slowestSite()) * 1e3;
      double work = SITE_NANOS.getOrDefault(m.round(), new java.util.concurrent.atomic.LongAdder()).sum() / 1e6 / slots;
      beyondWork[r] = m.seconds() * 1e3 - Math.max(work, m.slowestSite() * 1e3);
      var p = m.phases();
      double job = r < emptyJobs.size() ? emptyJobs.get(r) : Double.NaN;
      ratio[r] = overhead[r] / job;
      System.out.printf("%-6d %10.1f %16.1f %14.1f %20.1f %22.1f %14.1f %11.2fx   %.0f, %.0f, %.0f, %.0f, %.1f%s%n",
          m.round() + 1, m.seconds() * 1e3, m.slowestSite() * 1e3, overhead[r], work, beyondWork[r], job, ratio[r],
          p.sitesMs(), p.mergeMs(), p.scoringMs(), p.evaluationMs(), p.checkpointMs(),
          r == 0 ? "  (warm-up, left out)" : "");
    }
    double[] o = summary("overhead (round - slowest site)", overhead);
    summary("round - site work/slots", beyondWork);
    double[] rr = Arrays.copyOfRange(ratio, Math.min(1, ratio.length - 1), ratio.length);
    Arrays.sort(rr);
    System.out.printf("overhead / an empty job of one task per site timed right after the same round, rounds 2-%d: mean %.2fx,"
        + " p50 %.2fx, best %.2fx (target <= 2x)%n", ratio.length, Arrays.stream(rr).average().orElse(0),
        rr[(rr.length - 1) / 2], rr[0]);
    return o;
  }

  /** Prints and returns mean, p50 and best over the rounds after the first. */
  private static double[] summary(String what, double[] perRound) {
    double[] steady = Arrays.copyOfRange(perRound, Math.min(1, perRound.length - 1), perRound.length);
    Arrays.sort(steady);
    double mean = Arrays.stream(steady).average().orElse(0);
    System.out.printf("%s over rounds 2-%d: mean %.1f ms, p50 %.1f ms, best %.1f ms, max %.1f ms%n", what,
        perRound.length, mean, steady[(steady.length - 1) / 2], steady[0], steady[steady.length - 1]);
    return new double[] {mean, steady[(steady.length - 1) / 2], steady[0]};
  }

  /**
   * Parts of a round measured alone: an empty job of one task per site; each site task's own steps
   * on one update (build the delta, hash, sign, check its shape), times the sites over the slots;
   * the driver's signature checks; one checkpoint. Returns the empty job's milliseconds and the
   * site tasks' own steps times the sites over the slots.
   */
  private static double[] breakdown(JavaSparkContext sc, Path work, int sites, int params, int slots) {
    List<Integer> ids = IntStream.range(0, sites).boxed().toList();
    double job = Bench.best(5, () -> sc.parallelize(ids, sites).foreach(i -> { }));
    // what the first version did: one single-task job per site, all submitted at once
    double jobs = Bench.best(5, () -> {
      List<org.apache.spark.api.java.JavaFutureAction<List<Integer>>> futures = new ArrayList<>();
      for (int i = 0; i < sites; i++) {
        futures.add(sc.parallelize(List.of(i), 1).collectAsync());
      }
      futures.forEach(f -> {
        try {
          f.get();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    });
    HadoopCheckpointStore store = new HadoopCheckpointStore(work.resolve("breakdown").toUri().toString(),
        sc.hadoopConfiguration());
    float[] global = new float[params];
    Arrays.fill(global, 0.01f);
    RoundState state = RoundState.initial(global);
    long[] step = {0};
    double json = Bench.best(5, () -> store.save("job", step[0]++, Map.of(FederationRunner.STATE_JSON,
        out -> out.write(state.toJson()))));
    double binary = Bench.best(5, () -> store.save("job", step[0]++, Map.of(FederationRunner.STATE_BIN,
        out -> org.sparkgrid.federation.round.RoundStateBinary.write(state, out))));
    // one site's own steps, as its task runs them (spark aggregation)
    FixedDelta trainer = new FixedDelta(0);
    org.sparkgrid.settlement.chain.ChainKey key = LocalChain.derive(LocalChain.DEV_MNEMONIC, 1);
    float[][] delta = {null};
    byte[][] hash = {null};
    String[] signature = {null};
    double build = Bench.best(5, () -> {
      delta[0] = new float[params];
      Arrays.fill(delta[0], 1e-4f);
    });
    double hashing = Bench.best(5, () -> hash[0] = org.sparkgrid.settlement.signing.UpdateSignatures.deltaHash(delta[0]));
    byte[] digest = org.sparkgrid.settlement.signing.UpdateSignatures.digestOfHash("job", 1, "site-001", hash[0], 100);
    double sign = Bench.best(5, () -> signature[0] = org.sparkgrid.settlement.signing.UpdateSignatures.sign(key, digest));
    double shape = Bench.best(5, () -> org.sparkgrid.federation.round.UpdateValidation.validate(List.of(
        new org.sparkgrid.federation.strategy.SiteUpdate("site-001", delta[0], 100, 0, null)), params, List.of()));
    double recover = Bench.best(5, () -> {
      for (int i = 0; i < sites; i++) {
        org.sparkgrid.settlement.signing.UpdateSignatures.signer(digest, signature[0]);
      }
    });
    double keccak = Bench.best(5, () -> { // how versions 1 and 2 of the signed digest hashed the delta
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(params * Float.BYTES).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(delta[0]);
      org.web3j.crypto.Hash.sha3(b.array());
    });
    double task = build + hashing + sign + shape;
    System.out.printf("%nbreakdown (best of 5, measured alone in this run):%n"
        + "  an empty Spark job of %d tasks                  %8.1f ms  (%d jobs of one task each, submitted at once:"
        + " %.1f ms)%n"
        + "  one site task's own steps on a %,d-float update: build %.1f + SHA-256 %.1f + sign %.2f + shape check"
        + " %.1f = %.1f ms;%n"
        + "    x %d sites / %d slots                       %8.1f ms  (inside the sites' job; for comparison, Keccak-256"
        + " of the same bytes, as signed digests before version 3 hashed them: %.1f ms)%n"
        + "  the driver's %d signature checks (recover)     %8.1f ms%n"
        + "  one checkpoint of %,d parameters: binary %.1f ms, as the old JSON %.1f ms (written in the background;"
        + " the round waits only if the previous one is still being written)%n",
        sites, job * 1e3, sites, jobs * 1e3, params, build * 1e3, hashing * 1e3, sign * 1e3, shape * 1e3, task * 1e3,
        sites, slots, task * 1e3 * sites / slots, keccak * 1e3, sites, recover * 1e3, params, binary * 1e3, json * 1e3);
    return new double[] {job * 1e3, task * 1e3 * sites / slots};
  }


  /** Prints each Spark stage's wall time and where its tasks' time went, summed over the tasks. */
  private static final class StageTimes extends org.apache.spark.scheduler.SparkListener {
    private final java.util.Map<Integer, long[]> sums = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd e) {
      var m = e.taskMetrics();
      if (m == null) {
        return;
      }
      long[] t = sums.computeIfAbsent(e.stageId(), id -> new long[5]);
      synchronized (t) {
        t[0] += m.executorDeserializeTime();
        t[1] += m.executorRunTime();
        t[2] += m.resultSerializationTime();
        t[3] += m.jvmGCTime();
        t[4] += e.taskInfo().duration();
      }
    }

    @Override
    public void onStageCompleted(org.apache.spark.scheduler.SparkListenerStageCompleted e) {
      var info = e.stageInfo();
      long[] t = sums.getOrDefault(info.stageId(), new long[5]);
      long wall = info.submissionTime().isDefined() && info.completionTime().isDefined()
          ? (Long) info.completionTime().get() - (Long) info.submissionTime().get() : -1;
      System.out.printf("  stage %-38s %4d tasks, wall %5d ms; task sums: deserialize %d, run %d, result"
          + " serialize %d, GC %d, task duration %d ms%n", info.name(), info.numTasks(), wall, t[0], t[1], t[2], t[3],
          t[4]);
    }
  }

  /** A site that does not train: it sleeps, then returns a small fixed delta, and reports its own time. */
  private record FixedDelta(long sleepMs) implements SiteTrainer {
    @Override
    public SiteResult train(org.sparkgrid.jobs.tree.SiteTask task, org.apache.hadoop.conf.Configuration conf) {
      long t0 = System.nanoTime();
      if (sleepMs > 0) {
        try {
          Thread.sleep(sleepMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      float[] delta = new float[task.global().length];
      Arrays.fill(delta, 1e-4f * (1 + Math.floorMod(task.siteId().hashCode(), 7)));
      long nanos = System.nanoTime() - t0;
      SITE_NANOS.computeIfAbsent(task.round(), r -> new java.util.concurrent.atomic.LongAdder()).add(nanos);
      return new SiteResult(task.siteId(), delta, 100, 0.0, nanos / 1e9);
    }
  }
}
