package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sparkgrid.jobs.engine.Strangers.closedByServer;
import static org.sparkgrid.jobs.engine.Strangers.connect;
import static org.sparkgrid.jobs.engine.Strangers.garbage;
import static org.sparkgrid.jobs.engine.Strangers.peer;
import static org.sparkgrid.jobs.engine.Strangers.readChallenge;
import static org.sparkgrid.jobs.engine.Strangers.replay;
import static org.sparkgrid.jobs.engine.Strangers.steps;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sparkgrid.jobs.engine.Strangers.Relay;
import org.sparkgrid.jobs.engine.Strangers.Stranger;
import org.sparkgrid.core.math.WeightedAverage;

/**
 * Strangers on the exchange's port, each a raw {@link Socket} that does not hold the job's secret:
 * garbage, an answer recorded from a real worker's connection and replayed, well-formed framing with
 * a made-up answer, and silence. Each is dropped and logged with its address while a real round runs
 * beside them, and the round's means equal the example-weighted mean computed in one JVM.
 */
class ExchangeStrangerTest {
  private static final int LENGTH = 1000;
  private static final long HANDSHAKE_MS = 1_500;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private ExchangeServer server;
  private Strangers.WarnLog log;

  @BeforeEach
  void start() throws IOException {
    server = new ExchangeServer("127.0.0.1", 0, 2, 10_000).withHandshakeTimeout(HANDSHAKE_MS);
    log = new Strangers.WarnLog(ExchangeServer.class);
  }

  @AfterEach
  void stop() throws IOException {
    log.close();
    server.close();
    pool.shutdownNow();
  }

  @Test
  void strangersAreDroppedAndLoggedAndTheRoundStillMatchesTheOracle() throws Exception {
    float[][][] vectors = {{vector(1), vector(2)}, {vector(3), vector(4)}};
    long[][] weights = {{30, 10}, {10, 30}};
    long round = server.open(2, LENGTH);
    Endpoint real = new Endpoint(server.endpoint());
    // worker 0 talks through a relay that records what it sends, as an eavesdropper on the network would
    try (Relay relay = new Relay(real.port(), pool);
        ExchangeClient w0 = new ExchangeClient(through(relay, server.endpoint()), round, 0, 0, 2, LENGTH, 10_000);
        Socket silent = connect(real.port())) {
      byte[] recordedHello = Arrays.copyOf(relay.recorded(), Exchange.HELLO_BYTES);

      Stranger garbage = garbage(real.port());
      Stranger replay = replay(real.port(), recordedHello);
      Stranger forged = forged(real, round);

      // the real round, with the silent stranger still connected
      Future<List<float[]>> f0 = pool.submit(() -> steps(w0, weights[0], vectors[0]));
      List<float[]> got1;
      try (ExchangeClient w1 = new ExchangeClient(server.endpoint(), round, 0, 1, 2, LENGTH, 10_000)) {
        got1 = steps(w1, weights[1], vectors[1]);
      }
      List<float[]> got0 = f0.get();
      assertThat(refusalsOf(silent)).as("the round did not wait for the silent stranger").isEmpty();

      for (int step = 0; step < 2; step++) {
        float[] oracle = WeightedAverage.average(List.of(vectors[0][step], vectors[1][step]),
            new long[] {weights[0][step], weights[1][step]});
        assertThat(got0.get(step)).containsExactly(oracle);
        assertThat(got1.get(step)).containsExactly(oracle);
      }
      assertThat(garbage.dropped()).isTrue();
      assertThat(replay.dropped()).isTrue();
      assertThat(forged.dropped()).isTrue();
      assertThat(silent.getInputStream().readNBytes(4 + Exchange.SECRET_BYTES)).hasSize(4 + Exchange.SECRET_BYTES);
      assertThat(silent.getInputStream().read()).as("dropped after %d ms of silence", HANDSHAKE_MS).isEqualTo(-1);

      assertThat(refusalsOf(garbage.socket())).containsExactly("not a SparkGrid exchange hello (starts with 0xdeadbeef)");
      assertThat(refusalsOf(replay.socket())).containsExactly("wrong answer to the challenge for worker 0 of round "
          + round + ": it does not hold this job's secret, or replays another connection's answer");
      assertThat(refusalsOf(forged.socket())).containsExactly("wrong answer to the challenge for worker 1 of round "
          + round + ": it does not hold this job's secret, or replays another connection's answer");
      assertThat(refusalsOf(silent)).containsExactly("no hello within " + HANDSHAKE_MS + " ms");
      for (Socket s : List.of(garbage.socket(), replay.socket(), forged.socket(), silent)) {
        assertThat(log.lines()).anyMatch(l -> l.startsWith("WARN dropped an exchange connection from " + peer(s) + ": "));
      }
      assertThat(server.refusals()).hasSize(4);
    }
  }

  @Test
  void theSecretDiffersBetweenJobsAndOneJobsWorkerCannotJoinAnother() throws Exception {
    try (ExchangeServer other = new ExchangeServer("127.0.0.1", 0, 2, 10_000)) {
      long round = other.open(1, 1);
      Exchange.Endpoint mine = server.endpoint();
      Exchange.Endpoint theirs = other.endpoint();
      Exchange.Endpoint crossed = new Exchange.Endpoint("127.0.0.1", theirs.port(), mine.secret(), false);

      assertThat(mine.secret()).isNotEqualTo(theirs.secret()).hasSize(32);
      try {
        new ExchangeClient(crossed, round, 0, 0, 1, 1, 5_000).close();
        throw new AssertionError("a worker of another job joined");
      } catch (IOException e) {
        assertThat(e).hasMessageStartingWith("the exchange at 127.0.0.1:" + theirs.port() + " refused worker 0");
      }
      assertThat(other.refusals()).singleElement().extracting(ExchangeServer.Refusal::reason).asString()
          .startsWith("wrong answer to the challenge");
      try (ExchangeClient c = new ExchangeClient(theirs, round, 0, 0, 1, 1, 5_000)) {
        assertThat(c.average(0, 2, new float[] {5f})).containsExactly(5f);
      }
    }
  }

  private List<String> refusalsOf(Socket s) {
    String peer = peer(s);
    return server.refusals().stream().filter(r -> r.peer().equals(peer)).map(ExchangeServer.Refusal::reason).toList();
  }

  private static float[] vector(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  /** The public part of an endpoint: what a stranger can learn by scanning ports. */
  private record Endpoint(int port) {
    Endpoint(Exchange.Endpoint e) {
      this(e.port());
    }
  }

  /** A hello for worker 1 of the open round, framed exactly right, with a made-up answer; then a step. */
  private static Stranger forged(Endpoint e, long round) throws IOException {
    Socket s = connect(e.port());
    readChallenge(s);
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    out.writeInt(Exchange.MAGIC);
    out.writeLong(round);
    out.writeInt(0);
    out.writeInt(1);
    out.writeInt(2);
    out.writeInt(LENGTH);
    out.write(Exchange.newSecret());
    out.write(Exchange.newSecret());
    out.writeInt(0);
    out.writeLong(1_000_000);
    out.flush();
    return new Stranger(s, closedByServer(s));
  }

  /** The endpoint a worker uses to reach the exchange through {@code relay}. */
  private static Exchange.Endpoint through(Relay relay, Exchange.Endpoint real) {
    return new Exchange.Endpoint("127.0.0.1", relay.port(), real.secret(), real.encrypted());
  }
}
