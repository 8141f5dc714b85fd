package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * What the exchange's stranger tests share: raw sockets that speak to a challenge-first listener
 * (the driver's {@link ExchangeServer} or a worker's {@link PeerExchange}) without the job's secret,
 * a relay that records what a real party sends (as an eavesdropper would), and the listener's WARN
 * log lines captured.
 */
final class Strangers {
  private Strangers() {}

  /** A stranger's connection and whether the listener closed it after the stranger spoke. */
  record Stranger(Socket socket, boolean dropped) {}

  static Socket connect(int port) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Reads the listener's challenge: its magic and nonce. */
  static void readChallenge(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    assertThat(in.readInt()).isEqualTo(Exchange.MAGIC);
    in.readFully(new byte[Exchange.SECRET_BYTES]);
  }

  /** Whether the listener closes the connection (true) rather than talking on. */
  static boolean closedByServer(Socket s) throws IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketException e) {
      return true; // reset: the listener closed with our unread bytes pending
    }
  }

  /** How the listener names a client socket's address. */
  static String peer(Socket s) {
    return "/127.0.0.1:" + s.getLocalPort();
  }

  /** 200 random bytes starting with 0xdeadbeef where the hello should be. */
  static Stranger garbage(int port) throws IOException {
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

  /** A hello recorded on another connection, sent again on a new one. */
  static Stranger replay(int port, byte[] recordedHello) throws IOException {
    Socket s = connect(port);
    readChallenge(s);
    s.getOutputStream().write(recordedHello);
    s.getOutputStream().flush();
    return new Stranger(s, closedByServer(s));
  }

  /** One averaging step after another: what each averaging returned. */
  static List<float[]> steps(Averager a, long[] weights, float[][] vectors) throws IOException {
    List<float[]> got = new ArrayList<>();
    for (int step = 0; step < weights.length; step++) {
      got.add(a.average(step, weights[step], vectors[step]));
    }
    return got;
  }

  /** A TCP relay to a listener that records the bytes its one client sends. */
  static final class Relay implements AutoCloseable {
    private final ServerSocket listen = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final ByteArrayOutputStream up = new ByteArrayOutputStream();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    Relay(int target, ExecutorService pool) throws IOException {
      pool.submit(() -> {
        try {
          Socket client = listen.accept();
          Socket listener = new Socket(InetAddress.getLoopbackAddress(), target);
          sockets.add(client);
          sockets.add(listener);
          pool.submit(() -> pump(listener.getInputStream(), client.getOutputStream(), null));
          pump(client.getInputStream(), listener.getOutputStream(), up);
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

    private static Void pump(InputStream in, OutputStream out, ByteArrayOutputStream copy) throws IOException {
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

  /**
   * One class's logger at WARN with an appender that keeps its lines, whatever earlier tests in this
   * JVM did to log4j (a context stopped or reconfigured by another component, a level raised).
   */
  static final class WarnLog implements AutoCloseable {
    private final String logger;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;

    WarnLog(Class<?> of) {
      logger = of.getName();
      appender = new AbstractAppender("stranger-test", null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent e) {
          lines.add(e.getLevel() + " " + e.getMessage().getFormattedMessage());
        }
      };
      appender.start();
      LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
      if (!ctx.isStarted()) {
        ctx.start();
      }
      LoggerConfig config = new LoggerConfig(logger, Level.WARN, true);
      config.addAppender(appender, Level.WARN, null);
      ctx.getConfiguration().addLogger(logger, config);
      ctx.updateLoggers();
    }

    /** The lines logged so far, as {@code LEVEL message}. */
    List<String> lines() {
      return lines;
    }

    @Override
    public void close() {
      LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
      ctx.getConfiguration().removeLogger(logger);
      ctx.updateLoggers();
      appender.stop();
    }
  }
}
