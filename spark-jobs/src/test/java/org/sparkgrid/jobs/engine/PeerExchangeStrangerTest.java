package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
  private final List<String> log = new CopyOnWriteArrayList<>();
  private ExchangeServer server;
  private AbstractAppender appender;

  @BeforeEach
  void start() throws IOException {
    server = new ExchangeServer("127.0.0.1", 0, 1, 10_000);
    appender = new AbstractAppender("peer-exchange-test", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent e) {
        log.add(e.getLevel() + " " + e.getMessage().getFormattedMessage());
      }
    };
    appender.start();
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    if (!ctx.isStarted()) {
      ctx.start();
    }
    LoggerConfig config = new LoggerConfig(PeerExchange.class.getName(), Level.WARN, true);
    config.addAppender(appender, Level.WARN, null);
    ctx.getConfiguration().addLogger(PeerExchange.class.getName(), config);
    ctx.updateLoggers();
  }

  @AfterEach
  void stop() throws IOException {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().removeLogger(PeerExchange.class.getName());
    ctx.updateLoggers();
    appender.stop();
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
        Relay relay = new Relay(w0.listenPort());
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
        assertThat(log).anyMatch(l -> l.startsWith("WARN worker 0 dropped a peer exchange connection from "
            + peer(s) + ": "));
      }
      assertThat(w0.refusals()).hasSize(4);
    }
  }

  private static List<String> refusalsOf(PeerExchange p, Socket s) {
    String peer = peer(s);
    return p.refusals().stream().filter(r -> r.peer().equals(peer)).map(PeerExchange.Refusal::reason).toList();
  }

  private static String peer(Socket s) {
    return "/127.0.0.1:" + s.getLocalPort();
  }

  private static List<float[]> steps(Averager a, long[] weights, float[][] vectors) throws IOException {
    List<float[]> got = new ArrayList<>();
    for (int step = 0; step < weights.length; step++) {
      got.add(a.average(step, weights[step], vectors[step]));
    }
    return got;
  }

  private record Stranger(Socket socket, boolean dropped) {}

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(10_000);
    return s;
  }

  private static void readChallenge(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    assertThat(in.readInt()).isEqualTo(Exchange.MAGIC);
    in.readFully(new byte[Exchange.SECRET_BYTES]);
  }

  private static boolean closedByServer(Socket s) throws IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketException e) {
      return true; // reset: closed with our unread bytes pending
    }
  }

  private static Stranger garbage(int port) throws IOException {
    Socket s = connect(port);
    readChallenge(s);
    byte[] junk = new byte[200];
    new SplittableRandom(9).nextBytes(junk);
    junk[0] = (byte) 0xde;
    junk[1] = (byte) 0xad;
    junk[2] = (byte) 0xbe;
    junk[3] = (byte) 0xef;
    s.getOutputStream().write(junk);
    s.getOutputStream().flush();
    return new Stranger(s, closedByServer(s));
  }

  private static Stranger replay(int port, byte[] recordedHello) throws IOException {
    Socket s = connect(port);
    readChallenge(s);
    s.getOutputStream().write(recordedHello);
    s.getOutputStream().flush();
    return new Stranger(s, closedByServer(s));
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

  /** A TCP relay to a listener that records the bytes its one client sends. */
  private final class Relay implements AutoCloseable {
    private final ServerSocket listen = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final ByteArrayOutputStream up = new ByteArrayOutputStream();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    Relay(int target) throws IOException {
      pool.submit(() -> {
        try {
          Socket client = listen.accept();
          Socket target2 = new Socket(InetAddress.getLoopbackAddress(), target);
          sockets.add(client);
          sockets.add(target2);
          pool.submit(() -> pump(target2.getInputStream(), client.getOutputStream(), null));
          pump(client.getInputStream(), target2.getOutputStream(), up);
        } catch (IOException ignored) {
          // the relay is closed
        }
        return null;
      });
    }

    int port() {
      return listen.getLocalPort();
    }

    byte[] recorded() {
      synchronized (up) {
        return up.toByteArray();
      }
    }

    private Void pump(InputStream in, OutputStream out, ByteArrayOutputStream copy) throws IOException {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        if (copy != null) {
          synchronized (copy) {
            copy.write(buf, 0, n);
          }
        }
        out.write(buf, 0, n);
        out.flush();
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      listen.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
