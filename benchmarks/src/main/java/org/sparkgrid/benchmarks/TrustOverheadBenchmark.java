package org.sparkgrid.benchmarks;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.core.run.RoundPhases;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.split.DatasetSplits;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.jobs.resources.SparkContexts;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;
import org.sparkgrid.jobs.tree.FederationRunner;
import org.sparkgrid.jobs.tree.LocalSiteTrainer;
import org.sparkgrid.jobs.tree.SiteIdentity;
import org.sparkgrid.settlement.JobDeposit;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.Deployer;
import org.sparkgrid.settlement.chain.Deployment;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.contracts.SparkGridToken;
import org.web3j.crypto.WalletUtils;

/**
 * What tree mode's trust features cost per round: the same federation (real {@link FederationRunner},
 * real {@link LocalSiteTrainer}, a small MLP on a few sites of Fashion-MNIST on {@code local[2]}) run
 * in one JVM with them off and on, alternating, and each run's mean round time (round plus checkpoint
 * plus settlement, the first round of each run left out) and per-phase split printed with the ratio.
 *
 * <ul>
 *   <li>off: {@code spark.sparkgrid.federation.siteIdentity=coordinator}, no chain (contributions are
 *       scored, nothing is paid);
 *   <li>on: each round settled on a local anvil chain as it ends, its pool drawn from the requester's
 *       escrow deposit (one transaction per round).
 * </ul>
 *
 * <p>Both runs sign each site's update and check it on the driver (always on). Site identity checks
 * need executors holding a {@code sparkgrid-site} resource ({@code local-cluster} or a cluster), so
 * on {@code local[2]} this measures {@link SiteIdentity#here()} plus {@link SiteIdentity#refusal} (the
 * whole check of the {@code executor} mode) inside a Spark task in a loop, and prints its cost per
 * site task.
 *
 * <pre>benchmarks/run trust-overhead --sites 3 --hidden 64 --limit 3000 --rounds 6 --repeats 2</pre>
 */
public final class TrustOverheadBenchmark {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";
  private static final BigInteger POOL = BigInteger.valueOf(1_000_000);

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  /** One federation's rounds, timed whole: the round itself, its checkpoint and its settlement. */
  private record Run(String label, List<RoundMetrics> rounds) {
    double[] steadyTotals() {
      return rounds.stream().skip(rounds.size() > 1 ? 1 : 0).mapToDouble(TrustOverheadBenchmark::totalMs).toArray();
    }
  }

  private static void run(String[] args) throws Exception {
    int sites = Bench.intArg(args, "--sites", 3);
    int hidden = Bench.intArg(args, "--hidden", 64);
    int limit = Bench.intArg(args, "--limit", 3000);
    int rounds = Bench.intArg(args, "--rounds", 6);
    int repeats = Bench.intArg(args, "--repeats", 2);
    Path work = Files.createTempDirectory("sparkgrid-trust-overhead");
    System.setProperty(LocalChain.NODE_MODULES_PROPERTY,
        System.getProperty(LocalChain.NODE_MODULES_PROPERTY, "settlement/node_modules"));
    Path fed = federation(work, sites, limit);
    SparkConf conf = SparkContexts.conf("TrustOverheadBenchmark", Bench.arg(args, "--master", "local[2]"))
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
    try (JavaSparkContext sc = SparkContexts.start(conf); LocalChain node = LocalChain.builder().build().start();
        Chain chain = Chain.connect(node.rpcUrl(), node.chainId())) {
      sc.setLogLevel("WARN");
      Deployment d = Deployer.with(chain, node.key(0)).deploy();
      Path password = Files.writeString(work.resolve("password.txt"), "bench\n");
      Path ks = Files.createDirectories(work.resolve("keystores"));
      Path keystore = ks.resolve(WalletUtils.generateWalletFile("bench", node.key(0).credentials().getEcKeyPair(),
          ks.toFile(), false));
      Map<String, String> chainConfig = Map.of("spark.sparkgrid.chain.rpcUrl", node.rpcUrl(),
          "spark.sparkgrid.chain.chainId", "" + node.chainId(), "spark.sparkgrid.chain.distributor", d.distributor(),
          "spark.sparkgrid.chain.escrow", d.escrow(), "spark.sparkgrid.chain.keystore", keystore.toString(),
          "spark.sparkgrid.chain.keystorePasswordFile", password.toString());
      System.out.printf("Trust features' cost per round: %d sites, MLP 784-%d-10, %d examples split iid, %d rounds"
          + " per run (round 1 left out), %s, %d cores; off and on alternate %d times%n", sites, hidden, limit,
          rounds, sc.master(), Runtime.getRuntime().availableProcessors(), repeats);
      federate(sc, work, fed, "warm-up", hidden, limit, 2, Map.of()); // JIT and Spark warm-up, not reported
      List<Run> off = new ArrayList<>();
      List<Run> on = new ArrayList<>();
      for (int i = 0; i < repeats; i++) {
        off.add(new Run("off", federate(sc, work, fed, "off-" + i, hidden, limit, rounds, Map.of())));
        String job = "on-" + i;
        deposit(chain, node, d, job, POOL.multiply(BigInteger.valueOf(rounds)));
        on.add(new Run("on", federate(sc, work, fed, job, hidden, limit, rounds, chainConfig)));
      }
      double[] offRound = report("trust off (siteIdentity=coordinator, no chain)", off);
      double[] onRound = report("trust on (per-round settlement from an escrow deposit on anvil)", on);
      System.out.printf("%nmean round: off %.1f ms, on %.1f ms, on/off %.3f (%+.1f%%; target <= +10%%)%n", offRound[0],
          onRound[0], onRound[0] / offRound[0], (onRound[0] / offRound[0] - 1) * 100);
      System.out.printf("median round: off %.1f ms, on %.1f ms, on/off %.3f (%+.1f%%)%n", offRound[1], onRound[1],
          onRound[1] / offRound[1], (onRound[1] / offRound[1] - 1) * 100);
      identityCheck(sc, offRound[0], sites);
    }
  }

  /** A round's whole time on the coordinator: the round, then its checkpoint and its settlement. */
  private static double totalMs(RoundMetrics m) {
    RoundPhases p = m.phases();
    return m.seconds() * 1e3 + orZero(p.checkpointMs()) + orZero(p.settlementMs());
  }

  private static double orZero(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  /** Per run, each round's phases; then mean phases over the steady rounds. @return {mean round ms, median round ms} */
  private static double[] report(String label, List<Run> runs) {
    System.out.printf("%n%s%n%-5s %-6s %9s %9s %8s %8s %11s %11s %11s%n", label, "run", "round", "total ms", "sites",
        "merge", "scoring", "evaluation", "checkpoint", "settlement");
    double[] sums = new double[6];
    List<Double> totals = new ArrayList<>();
    List<Double> settlements = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      List<RoundMetrics> rounds = runs.get(i).rounds();
      for (int r = 0; r < rounds.size(); r++) {
        RoundMetrics m = rounds.get(r);
        RoundPhases p = m.phases();
        double[] ph = {p.sitesMs(), p.mergeMs(), p.scoringMs(), p.evaluationMs(), p.checkpointMs(), p.settlementMs()};
        System.out.printf("%-5d %-6d %9.1f %9.1f %8.1f %8.1f %11.1f %11.1f %11.1f%s%n", i + 1, m.round() + 1,
            totalMs(m), ph[0], ph[1], ph[2], ph[3], ph[4], ph[5], r == 0 ? "  (warm-up, left out)" : "");
        if (r > 0 || rounds.size() == 1) {
          totals.add(totalMs(m));
          settlements.add(orZero(p.settlementMs()));
          for (int k = 0; k < 6; k++) {
            sums[k] += orZero(ph[k]);
          }
        }
      }
    }
    int n = totals.size();
    double mean = totals.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    double[] sorted = totals.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf("mean over %d rounds: total %.1f ms (p50 %.1f, max %.1f); sites %.1f, merge %.1f, scoring %.1f,"
        + " evaluation %.1f, checkpoint %.1f, settlement %.1f ms%n", n, mean, sorted[(n - 1) / 2], sorted[n - 1],
        sums[0] / n, sums[1] / n, sums[2] / n, sums[3] / n, sums[4] / n, sums[5] / n);
    double[] settled = settlements.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf("settlement: p50 %.1f ms, max %.1f ms, %d of %d rounds took >= 500 ms%n", settled[(n - 1) / 2],
        settled[n - 1], Arrays.stream(settled).filter(v -> v >= 500).count(), n);
    return new double[] {mean, sorted[(n - 1) / 2]};
  }

  /**
   * The executor-mode site check, timed in a Spark task: {@link SiteIdentity#here()} (the task's
   * resources and executor) and {@link SiteIdentity#refusal} against an executor holding the site.
   */
  private static void identityCheck(JavaSparkContext sc, double roundMs, int sites) {
    int loops = 2_000_000;
    long best = Long.MAX_VALUE;
    for (int attempt = 0; attempt < 6; attempt++) { // the first is a warm-up
      long nanos = sc.parallelize(List.of(0), 1).map(x -> {
        long t0 = System.nanoTime();
        int refused = 0;
        for (int i = 0; i < loops; i++) {
          SiteIdentity.Executor here = SiteIdentity.here();
          SiteIdentity.Executor holder = new SiteIdentity.Executor(here.executorId(), here.host(), List.of("site-01"));
          refused += SiteIdentity.refusal("site-01", holder).isPresent() ? 1 : 0;
        }
        if (refused != 0) {
          throw new IllegalStateException(refused + " checks refused the site's own executor");
        }
        return System.nanoTime() - t0;
      }).collect().get(0);
      best = attempt == 0 ? best : Math.min(best, nanos);
    }
    double perCheckUs = best / 1e3 / loops;
    System.out.printf("%nsite identity check (executor mode) in a task, best of 5 x %,d checks: %.3f us per check;"
        + " %d site tasks per round = %.5f ms of a %.1f ms round%n", loops, perCheckUs, sites, perCheckUs * sites / 1e3,
        roundMs);
  }

  /** The sites' shards of the first {@code limit} training examples, split iid, and their federation file. */
  private static Path federation(Path work, int sites, int limit) throws Exception {
    Configuration conf = new Configuration();
    ExampleShard all = IdxReader.read(conf, FMNIST + "/train", limit);
    int[][] split = DatasetSplits.iid(all.count(), sites, 7);
    List<FederationFile.Site> list = new ArrayList<>();
    for (int s = 0; s < sites; s++) {
      String id = String.format("site-%02d", s + 1);
      Path p = Files.createDirectories(work.resolve(id));
      IdxWriter.write(conf, p.resolve("train").toString(), all, split[s]);
      list.add(new FederationFile.Site(id, "file:" + p.resolve("train"),
          LocalChain.derive(LocalChain.DEV_MNEMONIC, s + 1).address(), 1.0, List.of(),
          new FederationFile.SiteKey.Dev(s + 1)));
    }
    return Files.write(work.resolve("federation.json"), new FederationFile(list, Set.of()).toJson());
  }

  private static List<RoundMetrics> federate(JavaSparkContext sc, Path work, Path fed, String id, int hidden,
      int limit, int rounds, Map<String, String> chain) throws Exception {
    TrainingRequest request = RequestCodec.parse("""
        {"schema": 1, "id": "%s", "mode": "tree",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [%d]}},
         "data": {"format": "idx", "train": "file:%s/t10k", "test": "file:%s/t10k", "limit": 1000},
         "training": {"epochs": 1, "batchSize": 32, "seed": 3, "updater": {"type": "adam", "learningRate": 0.003}},
         "federation": {"sites": "file:%s", "rounds": %d, "localEpochs": 1, "minSites": 1,
                        "roundTimeoutMs": 600000, "strategy": {"type": "fedavg"}},
         "reward": {"poolPerRound": "%s", "scoring": "examples"}}
        """.formatted(id, id, hidden, FMNIST, FMNIST, fed, rounds, POOL));
    String store = work.resolve("store").toUri().toString();
    Map<String, String> settings = new HashMap<>(chain);
    settings.put("spark.sparkgrid.store.root", store);
    settings.put("spark.sparkgrid.home", work.resolve("home-" + id).toString());
    settings.put("spark.sparkgrid.federation.siteIdentity", "coordinator");
    FederationRunner runner = new FederationRunner(sc, SparkGridConfig.from(settings),
        new HadoopModelStore(store, sc.hadoopConfiguration()), new HadoopCheckpointStore(store, sc.hadoopConfiguration()),
        ProgressListener.NONE, new LocalSiteTrainer());
    return runner.run(request, id).rounds();
  }

  /** The requester (account 5) deposits {@code amount} for the job, as {@code bin/sparkgrid escrow deposit} does. */
  private static void deposit(Chain chain, LocalChain node, Deployment d, String job, BigInteger amount)
      throws Exception {
    SparkGridToken.load(d.token(), chain.web3j(), chain.transactionManager(node.key(0)), chain.gas())
        .transfer(node.key(5).address(), amount).send();
    JobDeposit.of(d.escrow(), job).deposit(chain, node.key(5), amount, System.currentTimeMillis() / 1000 + 3600);
  }
}
