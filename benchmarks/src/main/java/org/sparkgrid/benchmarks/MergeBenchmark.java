package org.sparkgrid.benchmarks;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.math.WeightedAverage;
import org.sparkgrid.jobs.engine.MergeProbe;

/**
 * The averaging merge, as useful bytes merged per second (K vectors of P floats in, one out:
 * K x P x 4 bytes), next to a plain memory copy of the same bytes measured in the same run:
 * <ul>
 *   <li>the kernel: {@code WeightedAverage.average} in one JVM;
 *   <li>SparkGrid's merge on Spark: K barrier tasks on {@code local[K]} each send their vector to the
 *       driver's exchange and get the weighted mean back: what each sync step of the engine costs;
 *       once with the stream in the clear and once AES-GCM encrypted (as with
 *       {@code spark.network.crypto.enabled}), each measured three times in alternation, the best kept;
 *       beside them the cipher alone, encrypting and decrypting twice the bytes in memory;
 *   <li>Spark's stock {@code treeAggregate} of the same vectors, the approach DL4J-style engines use;
 *   <li>what authentication adds: one worker's connection with the exchange's challenge-response,
 *       next to a plain TCP connection that moves the same bytes with no MAC.
 * </ul>
 *
 * <pre>benchmarks/run merge --params 1000000 --workers 2</pre>
 */
public final class MergeBenchmark {

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    int p = Integer.parseInt(Bench.arg(args, "--params", "1000000"));
    int k = Integer.parseInt(Bench.arg(args, "--workers", "2"));
    int rounds = Integer.parseInt(Bench.arg(args, "--rounds", "20"));
    double bytes = (double) k * p * Float.BYTES;
    List<float[]> vectors = new ArrayList<>();
    long[] weights = new long[k];
    for (int i = 0; i < k; i++) {
      float[] v = new float[p];
      for (int j = 0; j < p; j++) {
        v[j] = (i + 1) * 0.001f * (j % 1000);
      }
      vectors.add(v);
      weights[i] = 100 + i;
    }
    System.out.printf("Merge benchmark: K = %d vectors of P = %d floats (%.1f MB in), %d cores%n",
        k, p, bytes / 1e6, Runtime.getRuntime().availableProcessors());

    float[] dst = new float[k * p];
    double copy = best(rounds, () -> {
      for (int i = 0; i < k; i++) {
        System.arraycopy(vectors.get(i), 0, dst, i * p, p);
      }
    });
    double kernel = best(rounds, () -> WeightedAverage.average(vectors, weights));
    // what an encrypted averaging adds at least: every vector is encrypted and decrypted on the way up,
    // and the mean once per worker on the way down
    double cipher = MergeProbe.secondsPerSealAndOpen((int) (2 * bytes), rounds);

    double spark;
    double sealed;
    double tree;
    SparkConf conf = new SparkConf().setMaster("local[" + k + "]").setAppName("MergeBenchmark")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.rpc.message.maxSize", "1024");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      int threads = Runtime.getRuntime().availableProcessors();
      // plain and encrypted in turn, three times, the best median of each: on a shared machine the other
      // processes' load comes and goes, and neither side should get only the quiet moments
      spark = Double.MAX_VALUE;
      sealed = Double.MAX_VALUE;
      for (int pass = 0; pass < 3; pass++) {
        spark = Math.min(spark, MergeProbe.secondsPerExchangeMerge(sc, k, p, rounds, threads, false));
        sealed = Math.min(sealed, MergeProbe.secondsPerExchangeMerge(sc, k, p, rounds, threads, true));
      }
      tree = MergeProbe.secondsPerTreeAggregate(sc, vectors, Math.max(3, rounds / 4));
    }

    System.out.println();
    System.out.printf("%-44s %10s %12s %14s%n", "stage", "ms", "GB/s", "of copy speed");
    row("memory copy (baseline)", copy, bytes, copy);
    row("WeightedAverage kernel, 1 thread", kernel, bytes, copy);
    row("AES-GCM encrypt + decrypt of 2 x that, 1 thread", cipher, bytes, copy);
    row("SparkGrid exchange merge, local[" + k + "]", spark, bytes, copy);
    row("  the same, AES-GCM encrypted", sealed, bytes, copy);
    row("Spark treeAggregate, local[" + k + "]", tree, bytes, copy);

    // authentication is paid once per worker per Spark job, when it connects
    double plain = MergeProbe.secondsPerPlainConnect("127.0.0.1", 200);
    double authed = MergeProbe.secondsPerExchangeConnect("127.0.0.1", 200);
    double plain2 = MergeProbe.secondsPerPlainConnect("127.0.0.1", 200);
    double authed2 = MergeProbe.secondsPerExchangeConnect("127.0.0.1", 200);
    System.out.println();
    System.out.printf("%-44s %10s%n", "connection, median of 200", "ms");
    System.out.printf("%-44s %10.3f%n", "TCP connect + same bytes, no MAC (baseline)", Math.min(plain, plain2) * 1e3);
    System.out.printf("%-44s %10.3f%n", "exchange connect: challenge, HMAC, proof", Math.min(authed, authed2) * 1e3);
  }

  private static void row(String name, double seconds, double bytes, double copySeconds) {
    System.out.printf("%-44s %10.2f %12.2f %13.1f%%%n", name, seconds * 1e3, bytes / seconds / 1e9,
        100 * copySeconds / seconds);
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
