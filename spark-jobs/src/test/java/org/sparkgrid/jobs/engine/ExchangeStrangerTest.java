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
 * Strangers on the exchange's port, each a raw {@link Socket} that does not hold the job's secret:
 * garbage, an answer recorded from a real worker's connection and replayed, well-formed framing with
 * a made-up answer, and silence. Each is dropped and logged with its address while a real round runs
 * beside them, and the round's means equal the example-weighted mean computed in one JVM.
 */
class ExchangeStrangerTest {
  private static final int LENGTH = 1000;
  private static final long HANDSHAKE_MS = 1_500;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private ExchangeServer server;
  private AbstractAppender appender;

  @BeforeEach
  void start() throws IOException {
    server = new ExchangeServer("127.0.0.1", 0, 2, 10_000).withHandshakeTimeout(HANDSHAKE_MS);
    appender = new AbstractAppender("exchange-test", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent e) {
        log.add(e.getLevel() + " " + e.getMessage().getFormattedMessage());
      }
    };
    appender.start();
    // the exchange's own logger at WARN with this appender, whatever earlier tests in this JVM did to
    // log4j (a context stopped or reconfigured by another component, a level raised)
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    if (!ctx.isStarted()) {
      ctx.start();
    }
    LoggerConfig config = new LoggerConfig(ExchangeServer.class.getName(), Level.WARN, true);
    config.addAppender(appender, Level.WARN, null);
    ctx.getConfiguration().addLogger(ExchangeServer.class.getName(), config);
    ctx.updateLoggers();
  }

  @AfterEach
  void stop() throws IOException {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().removeLogger(ExchangeServer.class.getName());
    ctx.updateLoggers();
    appender.stop();
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
    try (Relay relay = new Relay(real.port());
        ExchangeClient w0 = new ExchangeClient(relay.endpoint(server.endpoint()), round, 0, 0, 2, LENGTH, 10_000);
        Socket silent = connect(real)) {
      byte[] recordedHello = Arrays.copyOf(relay.recorded(), Exchange.HELLO_BYTES);

      Stranger garbage = garbage(real);
      Stranger replay = replay(real, recordedHello);
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
        assertThat(log).anyMatch(l -> l.startsWith("WARN dropped an exchange connection from " + peer(s) + ": "));
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

  /** How the server names a client socket's address. */
  private static String peer(Socket s) {
    return "/127.0.0.1:" + s.getLocalPort();
  }

  private static List<float[]> steps(ExchangeClient c, long[] weights, float[][] vectors) throws IOException {
    List<float[]> got = new ArrayList<>();
    for (int step = 0; step < weights.length; step++) {
      got.add(c.average(step, weights[step], vectors[step]));
    }
    return got;
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

  /** A stranger's connection and whether the server closed it after the stranger spoke. */
  private record Stranger(Socket socket, boolean dropped) {}

  private static Socket connect(Endpoint e) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), e.port());
    s.setSoTimeout(10_000);
    return s;
  }

  /** Reads the server's challenge: its magic and nonce. */
  private static void readChallenge(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    assertThat(in.readInt()).isEqualTo(Exchange.MAGIC);
    in.readFully(new byte[Exchange.SECRET_BYTES]);
  }

  /** Whether the server closes the connection (true) rather than talking on. */
  private static boolean closedByServer(Socket s) throws IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketException e) {
      return true; // reset: the server closed with our unread bytes pending
    }
  }

  private static Stranger garbage(Endpoint e) throws IOException {
    Socket s = connect(e);
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

  private static Stranger replay(Endpoint e, byte[] recordedHello) throws IOException {
    Socket s = connect(e);
    readChallenge(s);
    s.getOutputStream().write(recordedHello);
    s.getOutputStream().flush();
    return new Stranger(s, closedByServer(s));
  }

  /** A hello for worker 1 of the open round, framed exactly right, with a made-up answer; then a step. */
  private static Stranger forged(Endpoint e, long round) throws IOException {
    Socket s = connect(e);
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

  /** A TCP relay to the exchange that records the bytes its one client sends. */
  private final class Relay implements AutoCloseable {
    private final ServerSocket listen = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final ByteArrayOutputStream up = new ByteArrayOutputStream();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    Relay(int target) throws IOException {
      pool.submit(() -> {
        try {
          Socket client = listen.accept();
          Socket exchange = new Socket(InetAddress.getLoopbackAddress(), target);
          sockets.add(client);
          sockets.add(exchange);
          pool.submit(() -> pump(exchange.getInputStream(), client.getOutputStream(), null));
          pump(client.getInputStream(), exchange.getOutputStream(), up);
        } catch (IOException ignored) {
          // the relay is closed
        }
        return null;
      });
    }

    Exchange.Endpoint endpoint(Exchange.Endpoint real) {
      return new Exchange.Endpoint("127.0.0.1", listen.getLocalPort(), real.secret(), real.encrypted());
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
