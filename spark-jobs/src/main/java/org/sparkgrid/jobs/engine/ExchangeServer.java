package org.sparkgrid.jobs.engine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.sparkgrid.core.math.WeightedAverage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver side of the averaging exchange. In a round of {@link ExchangeMode#PEERS} (the default)
 * it only coordinates: each worker of the Spark job registers where its {@link PeerExchange} listens,
 * and once all have, each gets every worker's address; the parameters then go between the workers.
 * In a round of {@link ExchangeMode#DRIVER}, each worker sends its (examples, vector) after every
 * {@code averagingFrequency} minibatches; when all have sent, the server computes the
 * example-weighted mean once (on {@code mergeThreads} threads, each summing a slice) and sends it
 * back to every worker.
 *
 * <p>Why a socket of our own rather than Spark's {@code BarrierTaskContext.allGather}: allGather
 * waits for its reply by polling once a second (Spark 3.5's {@code runBarrier} sleeps 1000 ms
 * between checks), which idles every worker for up to a second at each averaging, and it sends every
 * worker every other worker's vector, Java-serialized. Here each vector crosses the network twice
 * (up, and the mean down), as raw floats, and a worker resumes the moment the mean is ready.
 *
 * <p>Who may take part: each server draws its own secret (one per training job, never reused), which
 * reaches the workers inside the job's broadcast over Spark's RPC. A connection first gets a random
 * challenge and must answer it with an HMAC under that secret (see {@link Exchange} and {@link
 * ExchangeAuth}); one that answers wrongly, sends something that is not a hello, or stays silent for
 * {@code handshakeTimeoutMs} is dropped and logged with its address, on its own thread, so it never
 * holds up a round. With {@code encrypt} (the driver sets it from {@code spark.network.crypto.enabled})
 * everything after the handshake is AES-GCM framed ({@link ExchangeCipher}).
 *
 * <p>Each Spark job is a <em>round</em> the driver opens with {@link #open} before launching it;
 * a hello for any other round is refused. A retried barrier stage comes back with a higher attempt
 * number, which abandons the previous attempt's round. A step that not every worker reaches within
 * {@code timeoutMs} fails the round, and with it the Spark job.
 *
 * <pre>{@code
 * try (ExchangeServer server = new ExchangeServer("127.0.0.1", 0, 2, 60_000, true)) {
 *   long round = server.open(2, params);    // then run the barrier stage with server.endpoint()
 * }
 * }</pre>
 */
public final class ExchangeServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeServer.class);
  private static final int REFUSALS_KEPT = 100;

  /**
   * A connection the exchange dropped before it joined a round.
   *
   * @param peer   the remote address, as {@code /host:port}
   * @param reason why, in words
   */
  record Refusal(String peer, String reason) {}

  private final ServerSocket server;
  private Exchange.Endpoint endpoint;
  private final ExecutorService connections;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Deque<Refusal> refusals = new ArrayDeque<>();
  private final int mergeThreads;
  private final long timeoutMs;
  private long handshakeTimeoutMs = Exchange.HANDSHAKE_TIMEOUT_MS;
  private final AtomicLong nextRound = new AtomicLong(1);
  private volatile boolean closed;
  private Round current;

  /** A server whose stream after the handshake is not encrypted. */
  public ExchangeServer(String host, int port, int mergeThreads, long timeoutMs) throws IOException {
    this(host, port, mergeThreads, timeoutMs, false);
  }

  /**
   * Binds to {@code host} on an ephemeral port (or {@code port} when not 0), draws this job's
   * secret and starts accepting.
   *
   * @param host         the driver's address as executors reach it
   * @param port         port to bind, 0 for any free one
   * @param mergeThreads threads that compute the mean
   * @param timeoutMs    longest wait for the slowest worker at one averaging
   * @param encrypt      AES-GCM frames after the handshake
   * @throws IOException if the port cannot be bound
   */
  public ExchangeServer(String host, int port, int mergeThreads, long timeoutMs, boolean encrypt) throws IOException {
    this.server = new ServerSocket();
    server.setReceiveBufferSize(Exchange.SOCKET_BUFFER);
    server.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    this.endpoint = new Exchange.Endpoint(host, server.getLocalPort(), Exchange.newSecret(), encrypt);
    this.mergeThreads = mergeThreads;
    this.timeoutMs = timeoutMs;
    this.connections = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "sparkgrid-exchange");
      t.setDaemon(true);
      return t;
    });
    connections.submit(this::acceptLoop);
  }

  /**
   * Sets the address workers are told to connect to, when it differs from the bind address
   * (e.g. bound to 0.0.0.0, reached as the driver's host name).
   */
  ExchangeServer withAdvertisedHost(String host) {
    endpoint = new Exchange.Endpoint(host, endpoint.port(), endpoint.secret(), endpoint.encrypted());
    return this;
  }

  /** How long a new connection may take to send its hello (default {@value Exchange#HANDSHAKE_TIMEOUT_MS} ms). */
  ExchangeServer withHandshakeTimeout(long ms) {
    this.handshakeTimeoutMs = ms;
    return this;
  }

  /** Where workers connect, with this job's secret: give it to the job's tasks only. */
  Exchange.Endpoint endpoint() {
    return endpoint;
  }

  /** The latest connections dropped before joining a round, oldest first (at most {@value #REFUSALS_KEPT}). */
  List<Refusal> refusals() {
    synchronized (refusals) {
      return List.copyOf(refusals);
    }
  }

  /**
   * Opens the round of the next Spark job, abandoning any earlier one.
   *
   * @param workers the workers that will take part
   * @param length  the length of every vector
   * @return the round's id, for the workers' hello
   */
  synchronized long open(int workers, int length) {
    return open(workers, length, ExchangeMode.DRIVER);
  }

  /**
   * Opens the round of the next Spark job, abandoning any earlier one.
   *
   * @param workers the workers that will take part
   * @param length  the length of every vector
   * @param mode    {@link ExchangeMode#DRIVER}: the workers send their vectors here at each step;
   *                {@link ExchangeMode#PEERS}: they register their listeners here once and average among themselves
   * @return the round's id, for the workers' hello
   */
  synchronized long open(int workers, int length, ExchangeMode mode) {
    if (current != null) {
      current.retire();
    }
    current = new Round(nextRound.getAndIncrement(), workers, length, mode == ExchangeMode.PEERS);
    return current.id;
  }

  private synchronized Round join(long id, int attempt, int workers, int length) throws IOException {
    Round r = current;
    if (r == null || r.id != id) {
      throw new IOException("round " + id + " is not open (current: " + (r == null ? "none" : r.id) + ")");
    }
    if (r.workers != workers || r.length != length) {
      throw new IOException("round " + id + " expects " + r.workers + " workers of " + r.length
          + " floats, a worker says " + workers + " of " + length);
    }
    if (attempt > r.attempt) {
      // a retried barrier stage: start the round over
      r.abort("stage attempt " + attempt + " replaced attempt " + r.attempt);
      current = new Round(r.id, workers, length, r.peers);
      current.attempt = attempt;
      r = current;
    } else if (attempt < r.attempt) {
      throw new IOException("stale attempt " + attempt + " of round " + id + " (now " + r.attempt + ")");
    }
    return r;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        s.setSendBufferSize(Exchange.SOCKET_BUFFER);
        connections.submit(() -> serve(s));
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("exchange accept failed: {}", e.toString());
        }
      }
    }
  }

  /** A hello whose answer proved the secret, with the worker's nonce. */
  private record Accepted(Exchange.Hello hello, byte[] workerNonce) {}

  private void serve(Socket socket) {
    String peer = String.valueOf(socket.getRemoteSocketAddress());
    Round round = null;
    int worker = -1;
    open.add(socket);
    try (socket) {
      DataInputStream rawIn = new DataInputStream(new BufferedInputStream(socket.getInputStream(), Exchange.STREAM_BUFFER));
      DataOutputStream rawOut = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), Exchange.STREAM_BUFFER));
      Exchange.Endpoint ep = endpoint;
      byte[] secret = ep.secret();
      byte[] serverNonce = Exchange.newSecret();
      rawOut.writeInt(Exchange.MAGIC);
      rawOut.write(serverNonce);
      rawOut.flush();
      Accepted a = handshake(socket, rawIn, secret, serverNonce, ep.encrypted(), peer);
      if (a == null) {
        return;
      }
      Exchange.Hello h = a.hello();
      worker = h.worker();
      try {
        round = join(h.round(), h.attempt(), h.workers(), h.length());
      } catch (IOException e) {
        refuse(peer, "worker " + h.worker() + " (holds the secret): " + e.getMessage());
        return;
      }
      round.connected(socket);
      rawOut.write(ExchangeAuth.proof(secret, serverNonce, a.workerNonce(), h, ep.encrypted()));
      rawOut.flush();
      socket.setSoTimeout(0);
      DataInputStream in = ep.encrypted()
          ? new DataInputStream(ExchangeCipher.opening(rawIn, ExchangeAuth.upKey(secret, serverNonce, a.workerNonce())))
          : rawIn;
      DataOutputStream out = ep.encrypted()
          ? new DataOutputStream(ExchangeCipher.sealing(rawOut, ExchangeAuth.downKey(secret, serverNonce, a.workerNonce())))
          : rawOut;
      int length = h.length();
      ByteBuffer scratch = null;
      while (true) {
        int step = in.readInt();
        if (step == Exchange.GOODBYE) {
          return;
        }
        if (step == Exchange.REGISTER) {
          Exchange.Peer at = new Exchange.Peer(in.readUTF(), in.readInt());
          List<Exchange.Peer> peers = round.register(worker, at, timeoutMs);
          out.writeInt(peers.size());
          for (Exchange.Peer p : peers) {
            out.writeUTF(p.host());
            out.writeInt(p.port());
          }
          out.flush();
          continue;
        }
        long weight = in.readLong();
        float[] v = null;
        if (weight > 0) {
          scratch = Exchange.chunk(scratch);
          v = Exchange.readFloats(in, length, scratch);
        }
        Round.Mean mean = round.contribute(worker, step, weight, v, timeoutMs);
        out.writeLong(mean.total);
        if (mean.total > 0) {
          scratch = Exchange.chunk(scratch);
          Exchange.writeFloats(out, mean.vector, scratch);
        }
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      if (round != null && !closed) {
        round.abort("worker " + worker + ": " + e.getMessage());
      }
      if (!(e instanceof SocketException) || !closed) {
        LOG.debug("exchange connection of worker {} ended: {}", worker, e.toString());
      }
    } finally {
      open.remove(socket);
    }
  }

  /**
   * Reads the hello and checks its answer; null (after logging) when the connection is to be dropped.
   */
  private Accepted handshake(Socket socket, DataInputStream in, byte[] secret, byte[] serverNonce, boolean encrypted,
      String peer) throws IOException {
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, handshakeTimeoutMs));
    try {
      int magic = in.readInt();
      if (magic != Exchange.MAGIC) {
        refuse(peer, "not a SparkGrid exchange hello (starts with 0x" + Integer.toHexString(magic) + ")");
        return null;
      }
      Exchange.Hello h = new Exchange.Hello(in.readLong(), in.readInt(), in.readInt(), in.readInt(), in.readInt());
      byte[] workerNonce = new byte[Exchange.SECRET_BYTES];
      in.readFully(workerNonce);
      byte[] answer = new byte[Exchange.SECRET_BYTES];
      in.readFully(answer);
      if (!ExchangeAuth.same(ExchangeAuth.answer(secret, serverNonce, workerNonce, h, encrypted), answer)) {
        refuse(peer, "wrong answer to the challenge for worker " + h.worker() + " of round " + h.round()
            + ": it does not hold this job's secret, or replays another connection's answer");
        return null;
      }
      return new Accepted(h, workerNonce);
    } catch (SocketTimeoutException e) {
      refuse(peer, "no hello within " + handshakeTimeoutMs + " ms");
      return null;
    } catch (EOFException e) {
      refuse(peer, "closed the connection before a whole hello");
      return null;
    }
  }

  private void refuse(String peer, String reason) {
    if (closed) {
      return;
    }
    LOG.warn("dropped an exchange connection from {}: {}", peer, reason);
    synchronized (refusals) {
      if (refusals.size() == REFUSALS_KEPT) {
        refusals.removeFirst();
      }
      refusals.addLast(new Refusal(peer, reason));
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    synchronized (this) {
      if (current != null) {
        current.retire();
      }
    }
    server.close();
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing is all that is left to do
      }
    }
    connections.shutdownNow();
  }

  /** One Spark job's averagings: a rendezvous of all workers at each step. */
  private final class Round {
    final long id;
    final int workers;
    final int length;
    final boolean peers;
    int attempt;
    private final Exchange.Peer[] listeners;
    private int registered;
    private final float[][] vectors;
    private final long[] weights;
    private final boolean[] arrived;
    private final List<Socket> sockets = new ArrayList<>();
    private int arrivals;
    private int step = -1;
    private Mean result;
    private String aborted;

    record Mean(int step, long total, float[] vector) {}

    Round(long id, int workers, int length, boolean peers) {
      this.id = id;
      this.workers = workers;
      this.length = length;
      this.peers = peers;
      this.listeners = new Exchange.Peer[workers];
      this.vectors = new float[workers][];
      this.weights = new long[workers];
      this.arrived = new boolean[workers];
    }

    synchronized void connected(Socket s) {
      sockets.add(s);
    }

    /** A worker of a peer round says where it listens; waits for all, returns every worker's listener. */
    synchronized List<Exchange.Peer> register(int worker, Exchange.Peer at, long timeout)
        throws IOException, InterruptedException {
      if (aborted != null) {
        throw new IOException("averaging round " + id + " failed: " + aborted);
      }
      if (!peers) {
        throw new IOException("worker " + worker + " registered a listener in round " + id
            + ", which averages on the driver (spark.sparkgrid.engine.exchange=driver)");
      }
      if (worker < 0 || worker >= workers) {
        throw new IOException("worker " + worker + " is not one of the round's " + workers);
      }
      if (listeners[worker] != null) {
        throw new IOException("worker " + worker + " registered twice in round " + id);
      }
      listeners[worker] = at;
      if (++registered == workers) {
        LOG.debug("round {} attempt {}: peers {}", id, attempt, java.util.Arrays.toString(listeners));
        notifyAll();
      }
      long deadline = System.currentTimeMillis() + timeout;
      while (registered < workers && aborted == null) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          List<Integer> missing = new ArrayList<>();
          for (int w = 0; w < workers; w++) {
            if (listeners[w] == null) {
              missing.add(w);
            }
          }
          abort("worker(s) " + missing + " did not register with the peer exchange within " + timeout + " ms");
          break;
        }
        wait(left);
      }
      if (aborted != null) {
        throw new IOException("averaging round " + id + " failed: " + aborted);
      }
      return List.of(listeners);
    }

    synchronized Mean contribute(int worker, int s, long weight, float[] v, long timeout)
        throws IOException, InterruptedException {
      if (aborted != null) {
        throw new IOException("averaging round " + id + " failed: " + aborted);
      }
      if (peers) {
        throw new IOException("worker " + worker + " sent step " + s + " to the driver in round " + id
            + ", whose workers average among themselves (spark.sparkgrid.engine.exchange=peers)");
      }
      if (worker < 0 || worker >= workers) {
        throw new IOException("worker " + worker + " is not one of the round's " + workers);
      }
      if (arrived[worker]) {
        throw new IOException("worker " + worker + " sent step " + s + " twice");
      }
      if (arrivals == 0) {
        step = s;
      } else if (s != step) {
        throw new IOException("worker " + worker + " sent step " + s + " while the others are at " + step);
      }
      arrived[worker] = true;
      weights[worker] = weight;
      vectors[worker] = v;
      if (++arrivals == workers) {
        result = merge(s);
        arrivals = 0;
        java.util.Arrays.fill(arrived, false);
        java.util.Arrays.fill(vectors, null);
        notifyAll();
        return result;
      }
      long deadline = System.currentTimeMillis() + timeout;
      while ((result == null || result.step != s) && aborted == null) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          List<Integer> missing = new ArrayList<>();
          for (int w = 0; w < workers; w++) {
            if (!arrived[w]) {
              missing.add(w);
            }
          }
          abort("worker(s) " + missing + " did not reach averaging step " + s + " within " + timeout + " ms");
          break;
        }
        wait(left);
      }
      if (aborted != null && (result == null || result.step != s)) {
        throw new IOException("averaging round " + id + " failed: " + aborted);
      }
      return result;
    }

    private Mean merge(int s) {
      List<float[]> vs = new ArrayList<>(workers);
      long[] ws = new long[workers];
      int n = 0;
      long total = 0;
      for (int w = 0; w < workers; w++) {
        if (weights[w] > 0) {
          vs.add(vectors[w]);
          ws[n++] = weights[w];
          total += weights[w];
        }
      }
      if (n == 0) {
        return new Mean(s, 0, null);
      }
      float[] mean = n == 1 ? vs.get(0)
          : WeightedAverage.averageParallel(vs, java.util.Arrays.copyOf(ws, n), mergeThreads);
      return new Mean(s, total, mean);
    }

    synchronized void abort(String why) {
      if (aborted == null) {
        aborted = why;
        LOG.warn("averaging round {} aborted: {}", id, why);
      }
      closeAll();
    }

    /** Ends a round whose Spark job is over: nothing is waiting, nothing to report. */
    synchronized void retire() {
      if (aborted == null) {
        aborted = "the round is over";
      }
      closeAll();
    }

    private void closeAll() {
      notifyAll();
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing is all that is left to do
        }
      }
    }
  }
}
