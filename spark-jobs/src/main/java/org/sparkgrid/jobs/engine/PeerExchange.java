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
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker's side of the peer exchange ({@link ExchangeMode#PEERS}): reduce-scatter then
 * all-gather between the workers of a Spark job, the driver only telling each worker where the others
 * listen.
 *
 * <p>Each of W workers owns one contiguous W-th of the vector ({@link Slices}). At each averaging a
 * worker sends every other worker that one's slice of its vector with its weight (examples since the
 * last averaging), computes the example-weighted mean of its own slice from the W contributions in
 * worker order ({@link Slices#weightedMean}, bit for bit what one JVM computes), and sends the mean
 * slice to every other worker, while it receives theirs. Per averaging a worker sends and receives
 * about {@code 2 (W - 1) / W} vectors, whatever W; the driver moves nothing.
 *
 * <p>Setting up, once per Spark job: the worker opens a listening socket on its executor, connects to
 * the driver's {@link ExchangeServer} (authenticated as in {@link ExchangeClient}), registers its
 * listener's address and gets everyone's once all W have registered; then it dials each
 * lower-numbered worker and accepts each higher-numbered one: W (W - 1) / 2 connections per job.
 * Why register with the driver rather than {@code BarrierTaskContext.allGather}: the worker already
 * holds an authenticated connection to the driver for the round, which knows the round and the
 * barrier attempt, and answers as soon as the last worker registers, where allGather polls once a
 * second.
 *
 * <p>Who may take part: a peer connection starts with the listener's random challenge, which the
 * dialer answers with an HMAC under the job's secret over both nonces and its hello (round, attempt,
 * its own and the listener's number, workers, length); the listener proves the secret back
 * ({@link ExchangeAuth#peerAnswer}, {@link ExchangeAuth#peerProof}). A connection that sends garbage, a
 * wrong or replayed answer, a hello of another round or attempt, or nothing for
 * {@code handshakeTimeoutMs}, is dropped and logged with its address on its own thread: it never
 * holds up the round. When the endpoint says encrypted, each direction of each connection is AES-GCM
 * framed under its own key ({@link ExchangeCipher}). A peer that does not reach a step within the
 * sync timeout, or fails, fails this worker's task, and with it the barrier stage.
 *
 * <pre>{@code
 * try (PeerExchange p = PeerExchange.open(endpoint, "10.0.0.5", round, attempt, worker, workers, n, 600_000)) {
 *   float[] mean = p.average(0, examples, vector);
 * }
 * }</pre>
 */
final class PeerExchange implements Averager {
  private static final Logger LOG = LoggerFactory.getLogger(PeerExchange.class);
  private static final int REFUSALS_KEPT = 100;

  /**
   * A connection to this worker's listener that was dropped before it became a peer link.
   *
   * @param peer   the remote address, as {@code /host:port}
   * @param reason why, in words
   */
  record Refusal(String peer, String reason) {}

  /** An authenticated connection to another worker, with its own buffers for each direction. */
  private static final class Link {
    final int peer;
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    ByteBuffer sendScratch;
    ByteBuffer receiveScratch;
    float[] inbox;

    Link(int peer, Socket socket, DataInputStream in, DataOutputStream out) {
      this.peer = peer;
      this.socket = socket;
      this.in = in;
      this.out = out;
    }
  }

  private final byte[] secret;
  private final boolean encrypted;
  private final long round;
  private final int attempt;
  private final int worker;
  private final int workers;
  private final int length;
  private final int timeoutMs;
  private final ServerSocket listener;
  private Exchange.Peer address;
  private final ExecutorService threads;
  private final Link[] links;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Deque<Refusal> refusals = new ArrayDeque<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private long handshakeTimeoutMs = Exchange.HANDSHAKE_TIMEOUT_MS;
  private ExchangeClient driver;
  private volatile boolean closed;

  private PeerExchange(Exchange.Endpoint endpoint, String host, long round, int attempt, int worker, int workers,
      int length, int timeoutMs) throws IOException {
    if (workers < 2 || worker < 0 || worker >= workers) {
      throw new IllegalArgumentException("worker " + worker + " of " + workers + ": a peer exchange needs 2 or more");
    }
    this.secret = endpoint.secret();
    this.encrypted = endpoint.encrypted();
    this.round = round;
    this.attempt = attempt;
    this.worker = worker;
    this.workers = workers;
    this.length = length;
    this.timeoutMs = timeoutMs;
    this.links = new Link[workers];
    this.listener = new ServerSocket();
    listener.setReceiveBufferSize(Exchange.SOCKET_BUFFER);
    listener.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
    this.address = new Exchange.Peer(host, listener.getLocalPort());
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "sparkgrid-peer-exchange-" + worker);
      t.setDaemon(true);
      return t;
    });
    threads.submit(this::acceptLoop);
  }

  /**
   * Opens a listener on {@code host}, registers it with the driver's exchange at {@code endpoint} and
   * connects to every other worker of the round.
   *
   * @throws IOException if the driver or a peer cannot be reached, refuses this worker, or a peer does
   *     not connect within {@code timeoutMs}
   */
  static PeerExchange open(Exchange.Endpoint endpoint, String host, long round, int attempt, int worker, int workers,
      int length, int timeoutMs) throws IOException {
    PeerExchange p = listen(endpoint, host, round, attempt, worker, workers, length, timeoutMs);
    try {
      p.join(new ExchangeClient(endpoint, round, attempt, worker, workers, length, timeoutMs));
      return p;
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  /** The first half of {@link #open}: a listener, not yet registered with the driver. */
  static PeerExchange listen(Exchange.Endpoint endpoint, String host, long round, int attempt, int worker,
      int workers, int length, int timeoutMs) throws IOException {
    return new PeerExchange(endpoint, host, round, attempt, worker, workers, length, timeoutMs);
  }

  /** How long a new connection may take to send its hello (default {@value Exchange#HANDSHAKE_TIMEOUT_MS} ms). */
  PeerExchange withHandshakeTimeout(long ms) {
    this.handshakeTimeoutMs = ms;
    return this;
  }

  /**
   * Sets the address this worker registers when it differs from where it listens (e.g. a relay or
   * an address translated on the way); the peers' hellos must still reach this listener.
   */
  PeerExchange withAdvertisedAddress(Exchange.Peer at) {
    this.address = at;
    return this;
  }

  /** The port this worker listens on. */
  int listenPort() {
    return listener.getLocalPort();
  }

  /** Where this worker listens for its peers. */
  Exchange.Peer address() {
    return address;
  }

  /** The latest connections dropped before they became peer links, oldest first. */
  List<Refusal> refusals() {
    synchronized (refusals) {
      return List.copyOf(refusals);
    }
  }

  /**
   * The second half of {@link #open}: registers the listener through {@code driver} (which this
   * exchange then owns, and closes with itself), dials each lower-numbered worker and waits for each
   * higher-numbered one.
   */
  void join(ExchangeClient driver) throws IOException {
    this.driver = driver;
    List<Exchange.Peer> peers = driver.register(address);
    for (int to = 0; to < worker; to++) {
      dial(to, peers.get(to));
    }
    long deadline = System.currentTimeMillis() + timeoutMs;
    synchronized (links) {
      while (missing().size() > 0 && !closed) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new IOException("worker " + worker + ": worker(s) " + missing() + " did not connect within "
              + timeoutMs + " ms (round " + round + ", attempt " + attempt + ")");
        }
        try {
          links.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for peers", e);
        }
      }
    }
  }

  private List<Integer> missing() {
    List<Integer> m = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      if (w != worker && links[w] == null) {
        m.add(w);
      }
    }
    return m;
  }

  @Override
  public float[] average(int step, long weight, float[] vector) throws IOException {
    if (weight < 0) {
      throw new IllegalArgumentException("weight must be >= 0, got " + weight);
    }
    if (weight > 0 && vector.length != length) {
      throw new IllegalArgumentException("vector of " + vector.length + " floats, expected " + length);
    }
    int from = Slices.start(length, workers, worker);
    int own = Slices.length(length, workers, worker);
    long[] weights = new long[workers];
    float[][] slices = new float[workers][];
    int[] offsets = new int[workers];
    weights[worker] = weight;
    slices[worker] = vector;
    offsets[worker] = from;

    // reduce-scatter: every peer gets its slice of this vector; this worker gets its slice of theirs
    List<Callable<Void>> scatter = new ArrayList<>();
    for (Link l : peerLinks()) {
      int at = Slices.start(length, workers, l.peer);
      int n = Slices.length(length, workers, l.peer);
      scatter.add(() -> {
        l.out.writeInt(step);
        l.out.writeLong(weight);
        if (weight > 0) {
          l.sendScratch = Exchange.chunk(l.sendScratch);
          Exchange.writeFloats(l.out, vector, at, n, l.sendScratch);
        }
        l.out.flush();
        return null;
      });
      scatter.add(() -> {
        int s = l.in.readInt();
        if (s != step) {
          throw new IOException("worker " + l.peer + " sent step " + s + " while this worker is at " + step);
        }
        long w = l.in.readLong();
        if (w < 0) {
          throw new IOException("worker " + l.peer + " sent weight " + w);
        }
        weights[l.peer] = w;
        if (w > 0) {
          if (l.inbox == null || l.inbox.length != own) {
            l.inbox = new float[own];
          }
          l.receiveScratch = Exchange.chunk(l.receiveScratch);
          Exchange.readFloats(l.in, l.inbox, 0, own, l.receiveScratch);
          slices[l.peer] = l.inbox;
        }
        return null;
      });
    }
    runAll(scatter, step);
    long total = 0;
    for (long w : weights) {
      total += w;
    }
    float[] mean = Slices.weightedMean(slices, offsets, weights, own);

    // all-gather: every peer gets this worker's mean slice; this worker gets theirs
    float[] result = total > 0 ? new float[length] : null;
    if (mean != null) {
      System.arraycopy(mean, 0, result, from, own);
    }
    long sum = total;
    List<Callable<Void>> gather = new ArrayList<>();
    for (Link l : peerLinks()) {
      int at = Slices.start(length, workers, l.peer);
      int n = Slices.length(length, workers, l.peer);
      gather.add(() -> {
        l.out.writeLong(sum);
        if (sum > 0) {
          l.sendScratch = Exchange.chunk(l.sendScratch);
          Exchange.writeFloats(l.out, mean, 0, own, l.sendScratch);
        }
        l.out.flush();
        return null;
      });
      gather.add(() -> {
        long t = l.in.readLong();
        if (t != sum) {
          throw new IOException("worker " + l.peer + " counts " + t + " examples in step " + step + ", this worker "
              + sum);
        }
        if (t > 0) {
          l.receiveScratch = Exchange.chunk(l.receiveScratch);
          Exchange.readFloats(l.in, result, at, n, l.receiveScratch);
        }
        return null;
      });
    }
    runAll(gather, step);
    return result;
  }

  private List<Link> peerLinks() throws IOException {
    List<Link> out = new ArrayList<>(workers - 1);
    for (int w = 0; w < workers; w++) {
      if (w != worker) {
        if (links[w] == null) {
          throw new IOException("worker " + worker + " has no connection to worker " + w);
        }
        out.add(links[w]);
      }
    }
    return out;
  }

  /**
   * Runs the transfers concurrently, looking at each as it ends: the first failure (a read past the
   * sync timeout, a peer gone) closes every link at once, which also ends the transfers still blocked
   * (a write to a peer that stopped reading has no timeout of its own), and so the peers fail fast too.
   */
  private void runAll(List<Callable<Void>> tasks, int step) throws IOException {
    CompletionService<Void> done = new ExecutorCompletionService<>(threads);
    for (Callable<Void> t : tasks) {
      done.submit(t);
    }
    IOException failure = null;
    for (int i = 0; i < tasks.size(); i++) {
      try {
        done.take().get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = describe(e.getCause(), step);
          closeLinks();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closeLinks();
        throw new IOException("worker " + worker + " interrupted at averaging step " + step, e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private IOException describe(Throwable cause, int step) {
    String what = cause instanceof SocketTimeoutException
        ? "a peer did not reach averaging step " + step + " within " + timeoutMs + " ms"
        : "averaging step " + step + " failed: " + cause;
    return new IOException("worker " + worker + " of round " + round + " (attempt " + attempt + "): " + what, cause);
  }

  private DataInputStream input(Socket s) throws IOException {
    return new DataInputStream(new BufferedInputStream(new Exchange.CountingIn(s.getInputStream(), received),
        Exchange.STREAM_BUFFER));
  }

  private DataOutputStream output(Socket s) throws IOException {
    return new DataOutputStream(new BufferedOutputStream(new Exchange.CountingOut(s.getOutputStream(), sent),
        Exchange.STREAM_BUFFER));
  }

  /** Connects to worker {@code to}'s listener, answers its challenge and checks its proof. */
  private void dial(int to, Exchange.Peer at) throws IOException {
    Socket s = new Socket();
    open.add(s);
    try {
      s.setSendBufferSize(Exchange.SOCKET_BUFFER);
      s.setReceiveBufferSize(Exchange.SOCKET_BUFFER);
      s.connect(new InetSocketAddress(at.host(), at.port()), Math.min(timeoutMs, 60_000));
      s.setTcpNoDelay(true);
      s.setSoTimeout(timeoutMs);
      DataInputStream rawIn = input(s);
      DataOutputStream rawOut = output(s);
      Exchange.PeerHello hello = new Exchange.PeerHello(round, attempt, worker, to, workers, length);
      byte[] listenerNonce = new byte[Exchange.SECRET_BYTES];
      byte[] dialerNonce = Exchange.newSecret();
      byte[] proof = new byte[Exchange.SECRET_BYTES];
      try {
        if (rawIn.readInt() != Exchange.MAGIC) {
          throw new IOException("worker " + to + " at " + at + " is not a SparkGrid peer exchange");
        }
        rawIn.readFully(listenerNonce);
        writeHello(rawOut, hello, dialerNonce, ExchangeAuth.peerAnswer(secret, listenerNonce, dialerNonce, hello,
            encrypted));
        rawOut.flush();
        rawIn.readFully(proof);
      } catch (EOFException e) {
        throw new IOException("worker " + to + " at " + at + " refused worker " + worker + " of round " + round
            + " (attempt " + attempt + "); its executor's log says why", e);
      }
      if (!ExchangeAuth.same(ExchangeAuth.peerProof(secret, listenerNonce, dialerNonce, hello, encrypted), proof)) {
        throw new IOException("worker " + to + " at " + at + " did not prove that it holds this job's secret");
      }
      DataInputStream in = encrypted
          ? new DataInputStream(ExchangeCipher.opening(rawIn, ExchangeAuth.peerKey(secret, listenerNonce, dialerNonce,
              false)))
          : rawIn;
      DataOutputStream out = encrypted
          ? new DataOutputStream(ExchangeCipher.sealing(rawOut, ExchangeAuth.peerKey(secret, listenerNonce,
              dialerNonce, true)))
          : rawOut;
      synchronized (links) {
        links[to] = new Link(to, s, in, out);
      }
    } catch (IOException | RuntimeException e) {
      s.close();
      open.remove(s);
      throw e;
    }
  }

  /** The dialer's hello, as {@link Exchange} lays it out. */
  static void writeHello(DataOutputStream out, Exchange.PeerHello h, byte[] dialerNonce, byte[] answer)
      throws IOException {
    out.writeInt(Exchange.MAGIC);
    out.writeLong(h.round());
    out.writeInt(h.attempt());
    out.writeInt(h.from());
    out.writeInt(h.to());
    out.writeInt(h.workers());
    out.writeInt(h.length());
    out.write(dialerNonce);
    out.write(answer);
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = listener.accept();
        open.add(s);
        s.setTcpNoDelay(true);
        s.setSendBufferSize(Exchange.SOCKET_BUFFER);
        threads.submit(() -> accept(s));
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("peer exchange of worker {}: accept failed: {}", worker, e.toString());
        }
      }
    }
  }

  /** Challenges a new connection; makes it a link if it proves the secret and is an awaited peer, else drops it. */
  private void accept(Socket s) {
    String peer = String.valueOf(s.getRemoteSocketAddress());
    boolean linked = false;
    try {
      DataInputStream rawIn = input(s);
      DataOutputStream rawOut = output(s);
      byte[] listenerNonce = Exchange.newSecret();
      rawOut.writeInt(Exchange.MAGIC);
      rawOut.write(listenerNonce);
      rawOut.flush();
      s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, handshakeTimeoutMs));
      Exchange.PeerHello h;
      byte[] dialerNonce = new byte[Exchange.SECRET_BYTES];
      try {
        int magic = rawIn.readInt();
        if (magic != Exchange.MAGIC) {
          refuse(peer, "not a SparkGrid peer hello (starts with 0x" + Integer.toHexString(magic) + ")");
          return;
        }
        h = new Exchange.PeerHello(rawIn.readLong(), rawIn.readInt(), rawIn.readInt(), rawIn.readInt(),
            rawIn.readInt(), rawIn.readInt());
        rawIn.readFully(dialerNonce);
        byte[] answer = new byte[Exchange.SECRET_BYTES];
        rawIn.readFully(answer);
        if (!ExchangeAuth.same(ExchangeAuth.peerAnswer(secret, listenerNonce, dialerNonce, h, encrypted), answer)) {
          refuse(peer, "wrong answer to the challenge for worker " + h.from() + " of round " + h.round()
              + ": it does not hold this job's secret, or replays another connection's answer");
          return;
        }
      } catch (SocketTimeoutException e) {
        refuse(peer, "no hello within " + handshakeTimeoutMs + " ms");
        return;
      } catch (EOFException e) {
        refuse(peer, "closed the connection before a whole hello");
        return;
      }
      String unexpected = unexpected(h);
      if (unexpected != null) {
        refuse(peer, "worker " + h.from() + " (holds the secret): " + unexpected);
        return;
      }
      rawOut.write(ExchangeAuth.peerProof(secret, listenerNonce, dialerNonce, h, encrypted));
      rawOut.flush();
      s.setSoTimeout(timeoutMs);
      DataInputStream in = encrypted
          ? new DataInputStream(ExchangeCipher.opening(rawIn, ExchangeAuth.peerKey(secret, listenerNonce, dialerNonce,
              true)))
          : rawIn;
      DataOutputStream out = encrypted
          ? new DataOutputStream(ExchangeCipher.sealing(rawOut, ExchangeAuth.peerKey(secret, listenerNonce,
              dialerNonce, false)))
          : rawOut;
      synchronized (links) {
        if (links[h.from()] != null) {
          refuse(peer, "worker " + h.from() + " (holds the secret) is already connected");
          return;
        }
        links[h.from()] = new Link(h.from(), s, in, out);
        linked = true;
        links.notifyAll();
      }
    } catch (IOException e) {
      if (!closed) {
        LOG.debug("peer connection from {} to worker {} ended during its handshake: {}", peer, worker, e.toString());
      }
    } finally {
      if (!linked) {
        try {
          s.close();
        } catch (IOException ignored) {
          // dropping it is all that is left to do
        }
        open.remove(s);
      }
    }
  }

  /** Why an authenticated hello is not one this worker awaits, or null if it is. */
  private String unexpected(Exchange.PeerHello h) {
    if (h.round() != round || h.attempt() != attempt) {
      return "round " + h.round() + " attempt " + h.attempt() + " is not this worker's round " + round
          + " attempt " + attempt;
    }
    if (h.to() != worker || h.workers() != workers || h.length() != length) {
      return "it means worker " + h.to() + " of " + h.workers() + " with " + h.length() + " floats, this is worker "
          + worker + " of " + workers + " with " + length;
    }
    if (h.from() <= worker || h.from() >= workers) {
      return "worker " + h.from() + " does not dial worker " + worker + " (higher-numbered workers dial lower ones)";
    }
    return null;
  }

  private void refuse(String peer, String reason) {
    if (closed) {
      return;
    }
    LOG.warn("worker {} dropped a peer exchange connection from {}: {}", worker, peer, reason);
    synchronized (refusals) {
      if (refusals.size() == REFUSALS_KEPT) {
        refusals.removeFirst();
      }
      refusals.addLast(new Refusal(peer, reason));
    }
  }

  /** Bytes sent and received on this worker's connection to the driver: the registration, once per job. */
  long driverBytes() {
    return driver == null ? 0 : driver.bytesSent() + driver.bytesReceived();
  }

  @Override
  public long bytesSent() {
    return sent.get();
  }

  @Override
  public long bytesReceived() {
    return received.get();
  }

  private void closeLinks() {
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing is all that is left to do
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    synchronized (links) {
      links.notifyAll();
    }
    try {
      listener.close();
      closeLinks();
      threads.shutdownNow();
    } finally {
      if (driver != null) {
        driver.close();
      }
    }
  }
}
