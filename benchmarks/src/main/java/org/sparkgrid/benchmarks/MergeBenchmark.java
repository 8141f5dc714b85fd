package org.sparkgrid.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.math.WeightedAverage;
import org.sparkgrid.jobs.engine.ExchangeMode;
import org.sparkgrid.jobs.engine.MergeProbe;

/**
 * Compute mode's averaging exchange on a model bigger than the cache, with each worker in its own
 * executor JVM ({@code local-cluster[W,1,MB]}), next to a memory copy of one vector measured in the same run:
 * <ul>
 *   <li><b>useful GB/s</b> = bytes of one vector (P x 4) / seconds per averaging, as worker 0 times
 *       {@code average()} (median of {@code --rounds} after 10 warm-up ones; each setting measured
 *       {@code --passes} times in alternation with the others, the best kept, since the load of a
 *       shared machine comes and goes);
 *   <li><b>per-worker bytes</b>: sent plus received by the busiest worker per averaging, counted on its
 *       sockets (headers, GCM frames and tags included); <b>driver bytes</b>: the same over all the
 *       driver's exchange connections;
 *   <li>for each W of {@code --workers}: the peer exchange (reduce-scatter then all-gather between
 *       the workers, the default) in the clear and AES-GCM encrypted, and the driver-reduced exchange
 *       ({@code spark.sparkgrid.engine.exchange=driver}) in the clear;
 *   <li>beside them, in the driver's JVM: {@code WeightedAverage} of two vectors on one thread, and
 *       AES-GCM encrypting and decrypting one vector; and what authentication adds to one worker's
 *       connection, next to a plain TCP connection that moves the same bytes.
 * </ul>
 *
 * <pre>benchmarks/run merge --params 25000000 --workers 2,4</pre>
 */
public final class MergeBenchmark {

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  /** One exchange setting measured. */
  private record Setting(String name, ExchangeMode mode, boolean encrypt) {}

  private static final List<Setting> SETTINGS = List.of(
      new Setting("peers (reduce-scatter + all-gather)", ExchangeMode.PEERS, false),
      new Setting("  the same, AES-GCM encrypted", ExchangeMode.PEERS, true),
      new Setting("driver-reduced (before), plain", ExchangeMode.DRIVER, false));

  private static void run(String[] args) throws Exception {
    int p = Bench.intArg(args, "--params", 25_000_000);
    int[] workerCounts = Arrays.stream(Bench.arg(args, "--workers", "2,4").split(",")).mapToInt(Integer::parseInt)
        .toArray();
    int rounds = Bench.intArg(args, "--rounds", 10);
    int passes = Bench.intArg(args, "--passes", 2);
    int executorMb = Bench.intArg(args, "--executor-mb", 1536);
    double vectorBytes = (double) p * Float.BYTES;
    System.out.printf("Merge benchmark: one vector of P = %,d floats (%.0f MB), workers %s, each an executor JVM of"
        + " local-cluster[W,1,%d]; %d cores, load average %s%n", p, vectorBytes / 1e6,
        Arrays.toString(workerCounts), executorMb, Runtime.getRuntime().availableProcessors(), loadAverage());
    System.out.println("useful GB/s = P x 4 bytes / seconds per averaging; per-worker MB = sent + received by the"
        + " busiest worker per averaging, on its sockets");

    float[] a = vector(p, 1);
    float[] b = vector(p, 2);
    float[] dst = new float[p];
    double copy = best(rounds, () -> System.arraycopy(a, 0, dst, 0, p));
    double kernel = best(Math.max(3, rounds / 3), () -> WeightedAverage.average(List.of(a, b), new long[] {100, 101}));
    double cipher = MergeProbe.secondsPerSealAndOpen(p * Float.BYTES, Math.max(3, rounds / 3));

    System.out.println();
    System.out.printf("%-46s %3s %10s %12s %10s %12s %12s%n", "averaging", "W", "ms", "useful GB/s", "of copy",
        "MB/worker", "MB at driver");
    row("memory copy of one vector (baseline)", "-", copy, vectorBytes, copy, -1, -1);
    row("WeightedAverage of 2 vectors, 1 thread", "-", kernel, vectorBytes, copy, -1, -1);
    row("AES-GCM encrypt + decrypt of 1 vector, 1 thread", "-", cipher, vectorBytes, copy, -1, -1);

    Path home = standInSparkHome();
    for (int w : workerCounts) {
      MergeProbe.Merge[] best = new MergeProbe.Merge[SETTINGS.size()];
      try (JavaSparkContext sc = localCluster(w, executorMb)) {
        int threads = Runtime.getRuntime().availableProcessors();
        for (int pass = 0; pass < passes; pass++) {
          for (int s = 0; s < SETTINGS.size(); s++) {
            Setting st = SETTINGS.get(s);
            MergeProbe.Merge m = MergeProbe.exchangeMerge(sc, st.mode(), w, p, rounds, threads, st.encrypt());
            if (best[s] == null || m.seconds() < best[s].seconds()) {
              best[s] = m;
            }
          }
        }
      }
      for (int s = 0; s < SETTINGS.size(); s++) {
        row(SETTINGS.get(s).name(), String.valueOf(w), best[s].seconds(), vectorBytes, copy, best[s].workerBytes(),
            best[s].driverBytes());
      }
    }
    System.out.printf("load average after: %s%n", loadAverage());
    Bench.deleteQuietly(home.getParent());

    // authentication is paid once per worker per Spark job, when it connects
    double plain = MergeProbe.secondsPerPlainConnect("127.0.0.1", 200);
    double authed = MergeProbe.secondsPerExchangeConnect("127.0.0.1", 200);
    double plain2 = MergeProbe.secondsPerPlainConnect("127.0.0.1", 200);
    double authed2 = MergeProbe.secondsPerExchangeConnect("127.0.0.1", 200);
    System.out.println();
    System.out.printf("%-46s %10s%n", "connection, median of 200", "ms");
    System.out.printf("%-46s %10.3f%n", "TCP connect + same bytes, no MAC (baseline)", Math.min(plain, plain2) * 1e3);
    System.out.printf("%-46s %10.3f%n", "exchange connect: challenge, HMAC, proof", Math.min(authed, authed2) * 1e3);
  }

  /** A standalone master and W workers in this JVM, each executor its own JVM with this JVM's class path and flags. */
  private static JavaSparkContext localCluster(int workers, int executorMb) throws InterruptedException {
    List<String> flags = new ArrayList<>();
    for (String f : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (f.startsWith("--add-") || f.startsWith("-XX:") || f.startsWith("-Djdk.")) {
        flags.add(f);
      }
    }
    JavaSparkContext sc = new JavaSparkContext(new SparkConf()
        .setMaster("local-cluster[" + workers + ",1," + executorMb + "]").setAppName("MergeBenchmark")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.executorEnv.SPARK_SCALA_VERSION", "2.12")
        .set("spark.executor.extraJavaOptions", String.join(" ", flags)));
    sc.setLogLevel("WARN");
    for (int i = 0; i < 1200 && sc.sc().getExecutorIds().size() < workers; i++) {
      Thread.sleep(100);
    }
    if (sc.sc().getExecutorIds().size() < workers) {
      sc.stop();
      throw new IllegalStateException("local-cluster[" + workers + "] registered only " + sc.sc().getExecutorIds().size()
          + " executors within 2 minutes");
    }
    return sc;
  }

  /**
   * Spark's standalone worker starts executors from a Spark installation, which under the
   * {@code spark.testing} property it takes from {@code spark.test.home}: a stand-in (a RELEASE file and
   * an empty {@code jars/}) is enough, the executors getting this JVM's class path.
   */
  private static Path standInSparkHome() throws java.io.IOException {
    Path home = Files.createTempDirectory("merge-bench").resolve("spark-home");
    Files.createDirectories(home.resolve("jars"));
    Files.writeString(home.resolve("RELEASE"), "Spark 3.5.7 (stand-in for the benchmark)\n");
    System.setProperty("spark.testing", "true");
    System.setProperty("spark.test.home", home.toString());
    return home;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException e) {
      return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static float[] vector(int n, int seed) {
    float[] v = new float[n];
    for (int j = 0; j < n; j++) {
      v[j] = seed * 0.001f * (j % 1000);
    }
    return v;
  }

  private static void row(String name, String w, double seconds, double bytes, double copySeconds, long workerBytes,
      long driverBytes) {
    System.out.printf("%-46s %3s %10.2f %12.2f %9.1f%% %12s %12s%n", name, w, seconds * 1e3, bytes / seconds / 1e9,
        100 * copySeconds / seconds, workerBytes < 0 ? "" : String.format("%.1f", workerBytes / 1e6),
        driverBytes < 0 ? "" : String.format("%.1f", driverBytes / 1e6));
  }

  private static double best(int rounds, Runnable r) {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < rounds + 3; i++) {
      long t0 = System.nanoTime();
      r.run();
      double s = (System.nanoTime() - t0) / 1e9;
      if (i >= 3) {
        best = Math.min(best, s);
      }
    }
    return best;
  }
}
