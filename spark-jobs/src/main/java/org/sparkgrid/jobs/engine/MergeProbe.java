package org.sparkgrid.jobs.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;

/**
 * Measures one averaging exactly as {@link AveragingTask} does it, in either {@link ExchangeMode}
 * (between the workers, or through the driver's {@link ExchangeServer}), without training in between; and, for comparison, Spark's stock {@code treeAggregate} of the same vectors. Used by
 * the benchmarks.
 */
public final class MergeProbe {
  /** Merges before the measured ones: enough for the JIT to compile the copy and cipher loops. */
  static final int WARMUP = 10;

  private MergeProbe() {}

  /**
   * One averaging measured: median seconds per averaging as worker 0 timed it, and the bytes on the wire
   * per averaging (headers, frames and tags included), after the warm-up ones.
   *
   * @param seconds         median seconds per averaging
   * @param workerBytes     sent plus received by the busiest worker, per averaging
   * @param driverBytes     sent plus received by the driver's exchange over all its connections, per averaging
   */
  public record Merge(double seconds, long workerBytes, long driverBytes) {}

  /**
   * Runs {@code rounds} averagings of {@code params}-float vectors among {@code workers} barrier tasks
   * (after {@value #WARMUP} warm-up ones), exactly as {@link AveragingTask} averages in {@code mode}.
   *
   * @param mergeThreads driver threads computing the mean ({@link ExchangeMode#DRIVER} only)
   * @param encrypt      the streams AES-GCM framed (as with {@code spark.network.crypto.enabled})
   */
  public static Merge exchangeMerge(JavaSparkContext sc, ExchangeMode mode, int workers, int params, int rounds,
      int mergeThreads, boolean encrypt) throws IOException {
    String host = sc.getConf().get("spark.driver.host");
    try (ExchangeServer server = new ExchangeServer(host, 0, mergeThreads, 600_000, encrypt)) {
      long round = server.open(workers, params, mode);
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        ids.add(i);
      }
      List<double[]> all = sc.parallelize(ids, workers).rdd().barrier()
          .mapPartitions(new ProbeFn(server.endpoint(), mode, round, workers, params, rounds), false,
              ClassTag$.MODULE$.apply(double[].class))
          .toJavaRDD()
          .collect();
      double[] times = Arrays.copyOf(all.get(0), rounds);
      Arrays.sort(times);
      long worker = 0;
      long driver = 0;
      for (double[] t : all) {
        worker = Math.max(worker, (long) t[rounds] / rounds);
        driver += (long) t[rounds + 1] / rounds;
      }
      return new Merge(times[rounds / 2], worker, driver);
    }
  }

  /**
   * Median seconds, over {@code rounds} connections after 3 warm-up ones, for a worker to connect to an
   * exchange on {@code host}, answer its challenge and be welcomed into a round: what authentication
   * costs, once per worker per Spark job.
   */
  public static double secondsPerExchangeConnect(String host, int rounds) throws IOException {
    try (ExchangeServer server = new ExchangeServer(host, 0, 1, 60_000)) {
      double[] times = new double[rounds];
      for (int r = -3; r < rounds; r++) {
        long round = server.open(1, 1);
        long t0 = System.nanoTime();
        try (ExchangeClient c = new ExchangeClient(server.endpoint(), round, 0, 0, 1, 1, 60_000)) {
          if (r >= 0) {
            times[r] = (System.nanoTime() - t0) / 1e9;
          }
        }
      }
      Arrays.sort(times);
      return times[rounds / 2];
    }
  }

  /**
   * The baseline of {@link #secondsPerExchangeConnect}: median seconds for a plain TCP connection to a
   * server on {@code host} that sends 36 bytes and reads 100 (the handshake's sizes), with no MACs.
   */
  public static double secondsPerPlainConnect(String host, int rounds) throws IOException {
    try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName(host))) {
      Thread echo = new Thread(() -> {
        while (!ss.isClosed()) {
          try (java.net.Socket s = ss.accept()) {
            s.setTcpNoDelay(true);
            s.getOutputStream().write(new byte[4 + Exchange.SECRET_BYTES]);
            s.getOutputStream().flush();
            s.getInputStream().readNBytes(Exchange.HELLO_BYTES);
            s.getOutputStream().write(new byte[Exchange.SECRET_BYTES]);
            s.getOutputStream().flush();
            s.getInputStream().read();
          } catch (IOException e) {
            // the probe is over
          }
        }
      }, "plain-connect-probe");
      echo.setDaemon(true);
      echo.start();
      double[] times = new double[rounds];
      for (int r = -3; r < rounds; r++) {
        long t0 = System.nanoTime();
        try (java.net.Socket s = new java.net.Socket(host, ss.getLocalPort())) {
          s.setTcpNoDelay(true);
          s.getInputStream().readNBytes(4 + Exchange.SECRET_BYTES);
          s.getOutputStream().write(new byte[Exchange.HELLO_BYTES]);
          s.getOutputStream().flush();
          s.getInputStream().readNBytes(Exchange.SECRET_BYTES);
          if (r >= 0) {
            times[r] = (System.nanoTime() - t0) / 1e9;
          }
        }
      }
      Arrays.sort(times);
      return times[rounds / 2];
    }
  }

  /**
   * Best seconds, over {@code rounds} after {@value #WARMUP} warm-up ones, to encrypt {@code bytes}
   * bytes into exchange frames and decrypt them again on one thread, through memory: the cipher's share
   * of an encrypted averaging, without the network.
   */
  public static double secondsPerSealAndOpen(int bytes, int rounds) throws IOException {
    byte[] secret = Exchange.newSecret();
    byte[] sn = Exchange.newSecret();
    byte[] wn = Exchange.newSecret();
    byte[] data = new byte[bytes];
    byte[] back = new byte[bytes];
    java.io.ByteArrayOutputStream sealed = new java.io.ByteArrayOutputStream(bytes + bytes / 100 + 64);
    double best = Double.MAX_VALUE;
    for (int r = -WARMUP; r < rounds; r++) {
      sealed.reset();
      long t0 = System.nanoTime();
      java.io.OutputStream out = ExchangeCipher.sealing(sealed, ExchangeAuth.upKey(secret, sn, wn));
      out.write(data);
      out.flush();
      new java.io.DataInputStream(ExchangeCipher.opening(new java.io.ByteArrayInputStream(sealed.toByteArray()),
          ExchangeAuth.upKey(secret, sn, wn))).readFully(back);
      if (r >= 0) {
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      }
    }
    return best;
  }

  /** Seconds for Spark's stock {@code treeAggregate} to sum the vectors (median of {@code rounds}). */
  public static double secondsPerTreeAggregate(JavaSparkContext sc, List<float[]> vectors, int rounds) {
    var rdd = sc.parallelize(vectors, vectors.size()).cache();
    rdd.count();
    int p = vectors.get(0).length;
    double[] times = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      rdd.treeAggregate(new float[p], (acc, v) -> {
        for (int i = 0; i < p; i++) {
          acc[i] += v[i];
        }
        return acc;
      }, (a, b) -> {
        for (int i = 0; i < p; i++) {
          a[i] += b[i];
        }
        return a;
      });
      times[r] = (System.nanoTime() - t0) / 1e9;
    }
    rdd.unpersist(false);
    Arrays.sort(times);
    return times[rounds / 2];
  }

  private static final class ProbeFn extends scala.runtime.AbstractFunction1<
      scala.collection.Iterator<Integer>, scala.collection.Iterator<double[]>> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final Exchange.Endpoint endpoint;
    private final ExchangeMode mode;
    private final long round;
    private final int workers;
    private final int params;
    private final int rounds;

    ProbeFn(Exchange.Endpoint endpoint, ExchangeMode mode, long round, int workers, int params, int rounds) {
      this.endpoint = endpoint;
      this.mode = mode;
      this.round = round;
      this.workers = workers;
      this.params = params;
      this.rounds = rounds;
    }

    /** Per worker: its seconds per averaging, then its bytes and its driver connection's bytes over the measured ones. */
    @Override
    public scala.collection.Iterator<double[]> apply(scala.collection.Iterator<Integer> it) {
      BarrierTaskContext ctx = BarrierTaskContext.get();
      int w = ctx.partitionId();
      float[] v = new float[params];
      Arrays.fill(v, w + 1);
      double[] out = new double[rounds + 2];
      try (Averager a = Averager.open(endpoint, mode, AveragingTask.executorHost(), round, ctx.stageAttemptNumber(),
          w, workers, params, 600_000)) {
        long bytes0 = 0;
        long driver0 = 0;
        for (int r = -WARMUP; r < rounds; r++) {
          if (r == 0) {
            bytes0 = a.bytesSent() + a.bytesReceived();
            driver0 = driverBytes(a);
          }
          long t0 = System.nanoTime();
          float[] mean = a.average(r + WARMUP, 100 + w, v);
          if (r >= 0) {
            out[r] = (System.nanoTime() - t0) / 1e9;
          }
          v = mean;
        }
        out[rounds] = a.bytesSent() + a.bytesReceived() - bytes0;
        out[rounds + 1] = driverBytes(a) - driver0;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return JavaConverters.asScalaIterator(List.of(out).iterator());
    }

    private static long driverBytes(Averager a) {
      if (a instanceof PeerExchange p) {
        return p.driverBytes();
      }
      return a.bytesSent() + a.bytesReceived();
    }
  }
}
