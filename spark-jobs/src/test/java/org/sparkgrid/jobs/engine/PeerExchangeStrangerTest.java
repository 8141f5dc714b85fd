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
 * Strangers on a worker's peer-exchange listener, each a raw {@link Socket} without the job's secret:
 * garbage, the hello another worker sent (recorded by a relay on its way, as an eavesdropper would)
 * replayed on a new connection, well-formed framing with a made-up answer, and silence. Each is
 * dropped and logged with its address while the real round runs beside them, and the round's means
 * equal the example-weighted mean computed in one JVM.
 */
class PeerExchangeStrangerTest {
  private static final int LENGTH = 1000;
  private static final long HANDSHAKE_MS = 1_500;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private ExchangeServer server;
  private Strangers.WarnLog log;

  @BeforeEach
  void start() throws IOException {
    server = new ExchangeServer("127.0.0.1", 0, 1, 10_000);
    log = new Strangers.WarnLog(PeerExchange.class);
  }

  @AfterEach
  void stop() throws IOException {
    log.close();
    server.close();
    pool.shutdownNow();
  }

  @Test
  void strangersAreDroppedAndLoggedAndTheRoundStillMatchesTheOracle() throws Exception {
    float[][][] vectors = PeerExchangeTest.vectors(2, 2, LENGTH);
    long[][] weights = {{30, 10}, {10, 30}};
    long round = server.open(2, LENGTH, ExchangeMode.PEERS);
    Exchange.Endpoint ep = server.endpoint();
    try (PeerExchange w0 = PeerExchange.listen(ep, "127.0.0.1", round, 0, 0, 2, LENGTH, 10_000)
            .withHandshakeTimeout(HANDSHAKE_MS);
        // worker 1 reaches worker 0 through a relay that records what it sends
        Relay relay = new Relay(w0.listenPort(), pool);
        Socket silent = connect(w0.listenPort())) {
      w0.withAdvertisedAddress(new Exchange.Peer("127.0.0.1", relay.port()));
      Stranger garbage = garbage(w0.listenPort());
      Stranger forged = forged(w0.listenPort(), round);

      Future<List<float[]>> f0 = pool.submit(() -> {
        w0.join(new ExchangeClient(ep, round, 0, 0, 2, LENGTH, 10_000));
        return steps(w0, weights[0], vectors[0]);
      });
      List<float[]> got1;
      try (PeerExchange w1 = PeerExchange.open(ep, "127.0.0.1", round, 0, 1, 2, LENGTH, 10_000)) {
        got1 = steps(w1, weights[1], vectors[1]);
      }
      List<float[]> got0 = f0.get();
      assertThat(refusalsOf(w0, silent)).as("the round did not wait for the silent stranger").isEmpty();
      byte[] recordedHello = Arrays.copyOf(relay.recorded(), Exchange.PEER_HELLO_BYTES);
      Stranger replay = replay(w0.listenPort(), recordedHello);

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

      String wrong = ": it does not hold this job's secret, or replays another connection's answer";
      assertThat(refusalsOf(w0, garbage.socket())).containsExactly("not a SparkGrid peer hello (starts with 0xdeadbeef)");
      assertThat(refusalsOf(w0, replay.socket()))
          .containsExactly("wrong answer to the challenge for worker 1 of round " + round + wrong);
      assertThat(refusalsOf(w0, forged.socket()))
          .containsExactly("wrong answer to the challenge for worker 1 of round " + round + wrong);
      assertThat(refusalsOf(w0, silent)).containsExactly("no hello within " + HANDSHAKE_MS + " ms");
      for (Socket s : List.of(garbage.socket(), replay.socket(), forged.socket(), silent)) {
        assertThat(log.lines()).anyMatch(l -> l.startsWith("WARN worker 0 dropped a peer exchange connection from "
            + peer(s) + ": "));
      }
      assertThat(w0.refusals()).hasSize(4);
    }
  }

  private static List<String> refusalsOf(PeerExchange p, Socket s) {
    String peer = peer(s);
    return p.refusals().stream().filter(r -> r.peer().equals(peer)).map(PeerExchange.Refusal::reason).toList();
  }

  /** A hello of worker 1 for the open round, framed exactly right, with a made-up answer; then a slice. */
  private static Stranger forged(int port, long round) throws IOException {
    Socket s = connect(port);
    readChallenge(s);
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    PeerExchange.writeHello(out, new Exchange.PeerHello(round, 0, 1, 0, 2, LENGTH), Exchange.newSecret(),
        Exchange.newSecret());
    out.writeInt(0);
    out.writeLong(1_000_000);
    out.flush();
    return new Stranger(s, closedByServer(s));
  }
}
