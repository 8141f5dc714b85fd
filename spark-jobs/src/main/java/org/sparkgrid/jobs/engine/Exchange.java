package org.sparkgrid.jobs.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * The wire format of the averaging exchange between workers and {@link ExchangeServer}, over one
 * TCP connection per worker per Spark job:
 *
 * <pre>
 * server -> worker  challenge: MAGIC int, server nonce (32 bytes)
 * worker -> server  hello:     MAGIC int, round long, attempt int, worker int, workers int, length int,
 *                              worker nonce (32 bytes), answer (32 bytes)
 * server -> worker  welcome:   proof (32 bytes), once the worker has joined its round
 * -- from here AES-256-GCM frames when the endpoint says encrypted (see {@link ExchangeCipher}) --
 * worker -> server  step:  step int (-1: goodbye), weight long, then length floats if weight > 0
 * server -> worker  mean:  total weight long, then length floats if total > 0
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
  /** Bytes of the per-job secret, of each nonce and of each MAC (HMAC-SHA256). */
  static final int SECRET_BYTES = 32;
  /** The hello after the challenge: magic, five fields, worker nonce, answer. */
  static final int HELLO_BYTES = 4 + 8 + 4 + 4 + 4 + 4 + SECRET_BYTES + SECRET_BYTES;
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

  static void writeFloats(DataOutputStream out, float[] v, ByteBuffer scratch) throws IOException {
    ByteBuffer buf = sized(scratch, v.length);
    buf.asFloatBuffer().put(v);
    out.write(buf.array(), 0, v.length * Float.BYTES);
  }

  static float[] readFloats(DataInputStream in, int n, ByteBuffer scratch) throws IOException {
    ByteBuffer buf = sized(scratch, n);
    in.readFully(buf.array(), 0, n * Float.BYTES);
    float[] v = new float[n];
    buf.asFloatBuffer().get(v);
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
