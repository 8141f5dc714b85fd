package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The averaging exchange over real loopback sockets, with workers on threads. */
class ExchangeServerTest {
  private ExchangeServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach
  void start() throws IOException {
    server = new ExchangeServer("127.0.0.1", 0, 2, 2_000);
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    pool.shutdownNow();
  }

  private ExchangeClient client(long round, int worker, int workers, int length) throws IOException {
    return new ExchangeClient(server.endpoint(), round, 0, worker, workers, length, 5_000);
  }

  /** Each worker sends one vector per step; returns what each got back, per step. */
  private List<List<float[]>> run(long round, long[][] weights, float[][][] vectors) throws Exception {
    int workers = weights.length;
    List<Future<List<float[]>>> futures = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      int worker = w;
      futures.add(pool.submit(() -> {
        List<float[]> got = new ArrayList<>();
        try (ExchangeClient c = client(round, worker, workers, vectors[worker][0].length)) {
          for (int step = 0; step < weights[worker].length; step++) {
            got.add(c.average(step, weights[worker][step], vectors[worker][step]));
          }
        }
        return got;
      }));
    }
    List<List<float[]>> out = new ArrayList<>();
    for (Future<List<float[]>> f : futures) {
      out.add(f.get());
    }
    return out;
  }

  @Test
  void everyWorkerGetsTheExampleWeightedMean() throws Exception {
    long round = server.open(3, 1);
    // (1 x 2.0 + 2 x 1.0 + 1 x 2.0) / 4 = 1.5
    List<List<float[]>> got = run(round,
        new long[][] {{1}, {2}, {1}},
        new float[][][] {{{2f}}, {{1f}}, {{2f}}});

    for (List<float[]> perWorker : got) {
      assertThat(perWorker.get(0)).containsExactly(1.5f);
    }
  }

  @Test
  void aWorkerWithoutExamplesTakesNoPartButGetsTheMean() throws Exception {
    long round = server.open(2, 2);
    List<List<float[]>> got = run(round,
        new long[][] {{30, 10}, {10, 0}},
        new float[][][] {{{1f, 4f}, {7f, 7f}}, {{5f, 0f}, {9f, 9f}}});

    assertThat(got.get(0).get(0)).containsExactly(2f, 3f);
    assertThat(got.get(1).get(0)).containsExactly(2f, 3f);
    assertThat(got.get(0).get(1)).containsExactly(7f, 7f);
    assertThat(got.get(1).get(1)).containsExactly(7f, 7f);
  }

  @Test
  void noExamplesAnywhereGivesNull() throws Exception {
    long round = server.open(2, 1);
    List<List<float[]>> got = run(round, new long[][] {{0}, {0}}, new float[][][] {{{1f}}, {{1f}}});

    assertThat(got.get(0).get(0)).isNull();
  }

  @Test
  void aMissingWorkerTimesOutWithItsIndexNamed() throws Exception {
    long round = server.open(2, 1);
    try (ExchangeClient alone = client(round, 0, 2, 1)) {
      assertThatThrownBy(() -> alone.average(0, 5, new float[] {1f})).isInstanceOf(IOException.class);
    }
    // the round is failed for everyone: a late worker is told so
    try (ExchangeClient late = client(round, 1, 2, 1)) {
      assertThatThrownBy(() -> late.average(0, 5, new float[] {1f})).isInstanceOf(IOException.class);
    }
  }

  @Test
  void aWorkerOfAnotherRoundIsRefused() throws Exception {
    long round = server.open(1, 1);

    assertThatThrownBy(() -> client(round + 7, 0, 1, 1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("refused worker 0 of round " + (round + 7) + " (attempt 0)");
    try (ExchangeClient good = client(round, 0, 1, 1)) {
      assertThat(good.average(0, 1, new float[] {3f})).containsExactly(3f);
    }
    assertThat(server.refusals()).singleElement().extracting(ExchangeServer.Refusal::reason)
        .isEqualTo("worker 0 (holds the secret): round " + (round + 7) + " is not open (current: " + round + ")");
  }

  @Test
  void aWrongSecretIsRefusedAndTheServerIsNotTakenForTheDriver() throws Exception {
    long round = server.open(1, 1);
    byte[] other = server.endpoint().secret();
    other[0] ^= 1;
    Exchange.Endpoint forged = new Exchange.Endpoint("127.0.0.1", server.endpoint().port(), other, false);

    assertThatThrownBy(() -> new ExchangeClient(forged, round, 0, 0, 1, 1, 5_000))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("the exchange at 127.0.0.1:" + forged.port() + " refused worker 0 of round " + round);
    assertThat(server.refusals()).singleElement().extracting(ExchangeServer.Refusal::reason).asString()
        .startsWith("wrong answer to the challenge for worker 0 of round " + round);
  }

  @Test
  void theEncryptedStreamGivesTheSameMeans() throws Exception {
    server.close();
    server = new ExchangeServer("127.0.0.1", 0, 2, 2_000, true);
    long round = server.open(2, 3);
    // (3 x [1, 2, 3] + 1 x [5, 6, 7]) / 4 = [2, 3, 4]; 2 MiB vectors would span frames, see ExchangeCipherTest
    List<List<float[]>> got = run(round,
        new long[][] {{3}, {1}},
        new float[][][] {{{1f, 2f, 3f}}, {{5f, 6f, 7f}}});

    assertThat(server.endpoint().encrypted()).isTrue();
    assertThat(got.get(0).get(0)).containsExactly(2f, 3f, 4f);
    assertThat(got.get(1).get(0)).containsExactly(2f, 3f, 4f);
  }

  @Test
  void theEndpointNeverPrintsItsSecret() {
    assertThat(server.endpoint().toString()).isEqualTo("127.0.0.1:" + server.endpoint().port());
  }
}
