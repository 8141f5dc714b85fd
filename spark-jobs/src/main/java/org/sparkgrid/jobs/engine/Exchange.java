package org.sparkgrid.jobs.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * The wire format of the averaging exchange: between workers and the driver's {@link ExchangeServer},
 * over one TCP connection per worker per Spark job; and, with the peer exchange (the default), between
 * the workers themselves ({@link PeerExchange}), over one connection per pair of workers per Spark job.
 *
 * <p>Driver connection:
 *
 * <pre>
 * server -> worker  challenge: MAGIC int, server nonce (32 bytes)
 * worker -> server  hello:     MAGIC int, round long, attempt int, worker int, workers int, length int,
 *                              worker nonce (32 bytes), answer (32 bytes)
 * server -> worker  welcome:   proof (32 bytes), once the worker has joined its round
 * -- from here AES-256-GCM frames when the endpoint says encrypted (see {@link ExchangeCipher}) --
 * worker -> server  step:  step int (-1: goodbye), weight long, then length floats if weight > 0
 * server -> worker  mean:  total weight long, then length floats if total > 0
 * (peer rounds instead of steps:)
 * worker -> server  register: REGISTER int, listener host (UTF), listener port int
 * server -> worker  peers:    workers int, then per worker host (UTF), port int; once all have registered
 * worker -> server  goodbye:  GOODBYE int, when the Spark job's steps are done
 * </pre>
 *
 * <p>Peer connection, worker {@code from} dialing the listener of worker {@code to} (from > to):
 *
 * <pre>
 * listener -> dialer  challenge: MAGIC int, listener nonce (32 bytes)
 * dialer -> listener  hello:     MAGIC int, round long, attempt int, from int, to int, workers int,
 *                                length int, dialer nonce (32 bytes), answer (32 bytes)
 * listener -> dialer  welcome:   proof (32 bytes)
 * -- from here AES-256-GCM frames when the endpoint says encrypted, each direction its own key --
 * each -> other  slice: step int, weight long, then the receiver's slice of the sender's vector if weight > 0
 * each -> other  mean:  total weight long, then the sender's mean slice if total > 0
 * </pre>
 *
 * The answer is HMAC-SHA256 under the job's secret of the server nonce, the worker nonce and every
 * field of the hello (see {@link ExchangeAuth}); the proof is the same under another label, so each
 * side shows the other that it holds the secret, and a recorded answer is worthless on a new
 * connection (its server nonce differs). Integers big-endian (DataOutput), floats little-endian in
 * bulk.
 */
final class Exchange {
  static final int MAGIC = 0x53475832; // "SGX2"
  static final int GOODBYE = -1;
  /** A worker of a peer round registering its listener, in place of a step. */
  static final int REGISTER = -2;
  /** Bytes of the per-job secret, of each nonce and of each MAC (HMAC-SHA256). */
  static final int SECRET_BYTES = 32;
  /** The hello after the challenge: magic, five fields, worker nonce, answer. */
  static final int HELLO_BYTES = 4 + 8 + 4 + 4 + 4 + 4 + SECRET_BYTES + SECRET_BYTES;
  /** The peer hello after the challenge: magic, six fields, dialer nonce, answer. */
  static final int PEER_HELLO_BYTES = 4 + 8 + 4 + 4 + 4 + 4 + 4 + SECRET_BYTES + SECRET_BYTES;
  /** How long a new connection may take to answer the challenge before it is dropped. */
  static final long HANDSHAKE_TIMEOUT_MS = 10_000;
  /** Socket send/receive buffers: a whole averaging of a mid-size model in flight without stalls. */
  static final int SOCKET_BUFFER = 4 << 20;
  /** Stream buffers; bulk float arrays bypass them. */
  static final int STREAM_BUFFER = 1 << 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private Exchange() {}

  /**
   * Where workers reach the driver's exchange, and the secret that proves they belong to this job.
   * It travels to the executors inside the job's broadcast or task closure, that is over Spark's own
   * RPC, which {@code spark.authenticate} and {@code spark.network.crypto.enabled} protect.
   *
   * @param host      the driver's address as executors reach it
   * @param port      the exchange's port
   * @param secret    the job's {@value #SECRET_BYTES}-byte secret, drawn by {@link #newSecret()}
   * @param encrypted whether the stream after the handshake is AES-GCM framed
   */
  record Endpoint(String host, int port, byte[] secret, boolean encrypted) implements Serializable {
    Endpoint {
      if (secret == null || secret.length != SECRET_BYTES) {
        throw new IllegalArgumentException("the exchange secret must be " + SECRET_BYTES + " bytes, got "
            + (secret == null ? "none" : secret.length));
      }
      secret = secret.clone();
    }

    @Override
    public byte[] secret() {
      return secret.clone();
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
      return host + ":" + port + (encrypted ? " (encrypted)" : "");
    }
  }

  /** A fresh per-job secret (or nonce) from a {@link SecureRandom}. */
  static byte[] newSecret() {
    byte[] b = new byte[SECRET_BYTES];
    RANDOM.nextBytes(b);
    return b;
  }

  /**
   * What a worker says in its hello, besides its nonce and answer.
   *
   * @param round   the exchange round of its Spark job
   * @param attempt the barrier stage's attempt number
   * @param worker  its partition
   * @param workers the workers of the round
   * @param length  floats in every vector
   */
  record Hello(long round, int attempt, int worker, int workers, int length) {}

  /**
   * What a worker dialing a peer says in its hello, besides its nonce and answer.
   *
   * @param round   the exchange round of its Spark job
   * @param attempt the barrier stage's attempt number
   * @param from    the dialing worker
   * @param to      the worker it means to reach
   * @param workers the workers of the round
   * @param length  floats in every vector
   */
  record PeerHello(long round, int attempt, int from, int to, int workers, int length) {}

  /**
   * Where a worker of a peer round listens for the others, as it registered with the driver.
   *
   * @param host the executor's address as other executors reach it
   * @param port the listener's port
   */
  record Peer(String host, int port) implements Serializable {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** Counts the bytes that pass through it: what a connection put on the wire. */
  static final class CountingOut extends java.io.FilterOutputStream {
    final java.util.concurrent.atomic.AtomicLong count;

    CountingOut(java.io.OutputStream out, java.util.concurrent.atomic.AtomicLong count) {
      super(out);
      this.count = count;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count.incrementAndGet();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count.addAndGet(len);
    }
  }

  /** Counts the bytes read through it: what a connection took off the wire. */
  static final class CountingIn extends java.io.FilterInputStream {
    final java.util.concurrent.atomic.AtomicLong count;

    CountingIn(java.io.InputStream in, java.util.concurrent.atomic.AtomicLong count) {
      super(in);
      this.count = count;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count.incrementAndGet();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count.addAndGet(n);
      }
      return n;
    }
  }

  /**
   * Floats converted and sent per write: small enough that the conversion buffer and the socket's own
   * copy of it stay in the CPU's cache however big the vector (a vector-sized buffer would go through
   * memory twice more), big enough that a write is one system call per 256 KiB.
   */
  static final int CHUNK_FLOATS = 1 << 16;

  /** A conversion buffer of {@value #CHUNK_FLOATS} floats, reusing {@code scratch} when it is one. */
  static ByteBuffer chunk(ByteBuffer scratch) {
    return sized(scratch, CHUNK_FLOATS);
  }

  static void writeFloats(DataOutputStream out, float[] v, ByteBuffer scratch) throws IOException {
    writeFloats(out, v, 0, v.length, scratch);
  }

  /** Writes {@code n} floats of {@code v} from {@code from}, little-endian, a chunk at a time through {@code scratch}. */
  static void writeFloats(DataOutputStream out, float[] v, int from, int n, ByteBuffer scratch) throws IOException {
    ByteBuffer buf = sized(scratch, Math.min(n, CHUNK_FLOATS));
    int chunk = buf.capacity() / Float.BYTES;
    for (int done = 0; done < n; ) {
      int k = Math.min(chunk, n - done);
      buf.clear();
      buf.asFloatBuffer().put(v, from + done, k);
      out.write(buf.array(), 0, k * Float.BYTES);
      done += k;
    }
  }

  /** Reads {@code n} floats into {@code v} from {@code from}, a chunk at a time through {@code scratch}. */
  static void readFloats(DataInputStream in, float[] v, int from, int n, ByteBuffer scratch) throws IOException {
    ByteBuffer buf = sized(scratch, Math.min(n, CHUNK_FLOATS));
    int chunk = buf.capacity() / Float.BYTES;
    for (int done = 0; done < n; ) {
      int k = Math.min(chunk, n - done);
      buf.clear();
      in.readFully(buf.array(), 0, k * Float.BYTES);
      buf.asFloatBuffer().get(v, from + done, k);
      done += k;
    }
  }

  static float[] readFloats(DataInputStream in, int n, ByteBuffer scratch) throws IOException {
    float[] v = new float[n];
    readFloats(in, v, 0, n, scratch);
    return v;
  }

  /** A little-endian buffer of at least n floats, reusing {@code scratch} when it is big enough. */
  static ByteBuffer sized(ByteBuffer scratch, int n) {
    ByteBuffer b = scratch != null && scratch.capacity() >= n * Float.BYTES
        ? scratch : ByteBuffer.allocate(n * Float.BYTES);
    b.clear();
    return b.order(ByteOrder.LITTLE_ENDIAN);
  }
}
