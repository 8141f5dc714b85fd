package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.math.WeightedAverage;

/**
 * The peer exchange over real loopback sockets, with the driver's {@link ExchangeServer} coordinating
 * and the workers on threads: every worker gets the example-weighted mean one JVM computes, bit for
 * bit, and moves about twice the vector per averaging whatever the number of workers.
 */
class PeerExchangeTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private ExchangeServer server;

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    pool.shutdownNow();
  }

  /** What each worker got back at each step, and the bytes it sent and received in all. */
  record Worker(List<float[]> means, long sent, long received) {}

  private List<Worker> run(boolean encrypt, long[][] weights, float[][][] vectors, int timeoutMs) throws Exception {
    int workers = weights.length;
    int length = vectors[0][0].length;
    server = new ExchangeServer("127.0.0.1", 0, 1, 5_000, encrypt);
    long round = server.open(workers, length, ExchangeMode.PEERS);
    List<Future<Worker>> fs = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      int me = w;
      fs.add(pool.submit(() -> {
        List<float[]> got = new ArrayList<>();
        try (Averager a = Averager.open(server.endpoint(), ExchangeMode.PEERS, "127.0.0.1", round, 0, me, workers,
            length, timeoutMs)) {
          for (int step = 0; step < weights[me].length; step++) {
            got.add(a.average(step, weights[me][step], weights[me][step] > 0 ? vectors[me][step] : null));
          }
          return new Worker(got, a.bytesSent(), a.bytesReceived());
        }
      }));
    }
    List<Worker> out = new ArrayList<>();
    for (Future<Worker> f : fs) {
      out.add(f.get());
    }
    return out;
  }

  @Test
  void threeWorkersGetTheWeightedMeanOfOneJvmBitForBit() throws Exception {
    // step 1: worker 1 has no examples left; step 2: only worker 2 has
    long[][] weights = {{30, 10, 0}, {10, 0, 0}, {5, 8, 3}};
    float[][][] vectors = vectors(3, 3, 1001);

    List<Worker> got = run(false, weights, vectors, 5_000);

    for (int step = 0; step < 3; step++) {
      List<float[]> vs = new ArrayList<>();
      long[] ws = new long[3];
      for (int w = 0; w < 3; w++) {
        vs.add(vectors[w][step]);
        ws[w] = weights[w][step];
      }
      float[] oracle = step == 2 ? vectors[2][2] : WeightedAverage.average(vs, ws);
      for (Worker w : got) {
        assertThat(w.means().get(step)).as("step %d", step).containsExactly(oracle);
      }
    }
  }

  @Test
  void noExamplesAnywhereGivesNoMean() throws Exception {
    List<Worker> got = run(false, new long[][] {{0}, {0}}, vectors(2, 1, 10), 5_000);

    assertThat(got).allSatisfy(w -> assertThat(w.means().get(0)).isNull());
  }

  @Test
  void anEncryptedRoundGivesTheSameMean() throws Exception {
    long[][] weights = {{3}, {1}};
    float[][][] vectors = vectors(2, 1, 200_000);

    List<Worker> got = run(true, weights, vectors, 5_000);

    float[] oracle = WeightedAverage.average(List.of(vectors[0][0], vectors[1][0]), new long[] {3, 1});
    assertThat(got).allSatisfy(w -> assertThat(w.means().get(0)).containsExactly(oracle));
    assertThat(got.get(0).sent()).as("GCM frames and tags on top of the floats")
        .isGreaterThan(200_000L * Float.BYTES);
  }

  @Test
  void bytesPerWorkerDoNotGrowWithTheWorkers() throws Exception {
    int n = 120_000;
    long[] perWorker = new long[5];
    for (int workers : new int[] {2, 4}) {
      long[][] weights = new long[workers][];
      for (int w = 0; w < workers; w++) {
        weights[w] = new long[] {1, 1};
      }
      List<Worker> got = run(false, weights, vectors(workers, 2, n), 5_000);
      server.close();
      for (int w = 0; w < workers; w++) {
        Worker x = got.get(w);
        long floats = 2 * Slices.wireFloatsPerWorker(n, workers, w);
        // two averagings of floats, plus headers and the handshakes: under 1 KB a peer
        assertThat(x.sent()).isBetween(floats * Float.BYTES, floats * Float.BYTES + 1024L * workers);
        assertThat(x.received()).isBetween(floats * Float.BYTES, floats * Float.BYTES + 1024L * workers);
        perWorker[workers] = Math.max(perWorker[workers], x.sent() + x.received());
      }
    }
    // 2 workers: 2 x n floats each way in two steps; 4 workers: 1.5 x that
    assertThat((double) perWorker[4] / perWorker[2]).isBetween(1.49, 1.51);
  }

  @Test
  void aRetriedBarrierAttemptAbandonsTheEarlierAttemptsRound() throws Exception {
    server = new ExchangeServer("127.0.0.1", 0, 1, 5_000);
    long round = server.open(2, 2, ExchangeMode.PEERS);
    Exchange.Endpoint ep = server.endpoint();
    // worker 0 of attempt 0 registers and waits for a worker 1 that never comes
    Future<String> stale = pool.submit(() -> {
      try (Averager a = Averager.open(ep, ExchangeMode.PEERS, "127.0.0.1", round, 0, 0, 2, 2, 5_000)) {
        return "joined";
      } catch (IOException e) {
        return e.getMessage();
      }
    });
    Thread.sleep(500);

    // Spark retries the stage: attempt 1's workers take the round over
    List<Future<float[]>> retried = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      int me = w;
      retried.add(pool.submit(() -> {
        try (Averager a = Averager.open(ep, ExchangeMode.PEERS, "127.0.0.1", round, 1, me, 2, 2, 5_000)) {
          return a.average(0, 1 + me, new float[] {me, 3f * me});
        }
      }));
    }

    // (1 x {0, 0} + 2 x {1, 3}) / 3
    for (Future<float[]> f : retried) {
      assertThat(f.get()).containsExactly(2f / 3, 2f);
    }
    assertThat(stale.get()).startsWith("the driver's exchange ended the round while this worker waited for its peers");
  }

  @Test
  void oneWorkerExchangesNothing() throws Exception {
    try (Averager a = Averager.open(new Exchange.Endpoint("127.0.0.1", 1, Exchange.newSecret(), false),
        ExchangeMode.PEERS, "127.0.0.1", 1, 0, 0, 1, 2, 1_000)) {
      assertThat(a.average(0, 5, new float[] {1f, 2f})).containsExactly(1f, 2f);
      assertThat(a.average(1, 0, null)).isNull();
      assertThat(a.bytesSent() + a.bytesReceived()).isZero();
    }
  }

  @Test
  void aWorkerThatDoesNotReachAStepFailsTheOthersWithinTheTimeout() throws Exception {
    // slices of 32 MB, more than both sockets' buffers hold (4 MiB asked each, which Linux doubles):
    // worker 0's send to the lagging worker blocks too, and must not hold the failure up
    int n = 16_000_000;
    server = new ExchangeServer("127.0.0.1", 0, 1, 5_000);
    long round = server.open(2, n, ExchangeMode.PEERS);
    Future<float[]> lagging = pool.submit(() -> {
      try (Averager a = Averager.open(server.endpoint(), ExchangeMode.PEERS, "127.0.0.1", round, 0, 1, 2, n, 1_000)) {
        a.average(0, 1, new float[n]);
        Thread.sleep(4_000); // never reaches step 1 in time
        return null;
      }
    });
    try (Averager a = Averager.open(server.endpoint(), ExchangeMode.PEERS, "127.0.0.1", round, 0, 0, 2, n, 1_000)) {
      float[] ones = new float[n];
      java.util.Arrays.fill(ones, 1f);
      float[] mean = a.average(0, 1, ones);
      assertThat(mean[0]).isEqualTo(0.5f);
      assertThat(mean[n - 1]).isEqualTo(0.5f);
      long t0 = System.nanoTime();
      try {
        a.average(1, 1, ones);
        throw new AssertionError("step 1 completed without worker 1");
      } catch (IOException e) {
        assertThat(e).hasMessage("worker 0 of round " + round + " (attempt 0): a peer did not reach averaging step 1"
            + " within 1000 ms");
      }
      assertThat((System.nanoTime() - t0) / 1e6).isBetween(900.0, 3_500.0);
    }
    try {
      lagging.get();
    } catch (ExecutionException ignored) {
      // its step 1 finds the link closed: it failed too, which is what fails the barrier stage
    }
  }

  @Test
  void theDriverRefusesStepsInAPeerRoundAndRegistrationsInADriverRound() throws Exception {
    server = new ExchangeServer("127.0.0.1", 0, 1, 5_000);
    long round = server.open(1, 1, ExchangeMode.PEERS);
    try (ExchangeClient c = new ExchangeClient(server.endpoint(), round, 0, 0, 1, 1, 5_000)) {
      c.average(0, 1, new float[] {1f});
      throw new AssertionError("the driver averaged in a peer round");
    } catch (IOException e) {
      assertThat(e).isInstanceOfAny(java.io.EOFException.class, java.net.SocketException.class);
    }
    long driverRound = server.open(1, 1, ExchangeMode.DRIVER);
    try (ExchangeClient c = new ExchangeClient(server.endpoint(), driverRound, 0, 0, 1, 1, 5_000)) {
      c.register(new Exchange.Peer("127.0.0.1", 1));
      throw new AssertionError("a driver round took a registration");
    } catch (IOException e) {
      assertThat(e).hasMessageStartingWith("the driver's exchange ended the round");
    }
  }

  static float[][][] vectors(int workers, int steps, int n) {
    float[][][] v = new float[workers][steps][n];
    for (int w = 0; w < workers; w++) {
      for (int s = 0; s < steps; s++) {
        SplittableRandom r = new SplittableRandom(1000L * w + s);
        for (int i = 0; i < n; i++) {
          v[w][s][i] = (float) r.nextGaussian();
        }
      }
    }
    return v;
  }
}
