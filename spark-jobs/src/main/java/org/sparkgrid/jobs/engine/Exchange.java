package org.sparkgrid.jobs.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The wire format of the averaging exchange between workers and {@link ExchangeServer}, over one
 * TCP connection per worker per Spark job:
 *
 * <pre>
 * worker -> server  hello: MAGIC int, token long, round long, attempt int, worker int, workers int, length int
 * worker -> server  step:  step int (-1: goodbye), weight long, then length floats if weight > 0
 * server -> worker  mean:  total weight long, then length floats if total > 0
 * </pre>
 *
 * Integers big-endian (DataOutput), floats little-endian in bulk.
 */
final class Exchange {
  static final int MAGIC = 0x53475831; // "SGX1"
  static final int GOODBYE = -1;
  /** Socket send/receive buffers: a whole averaging of a mid-size model in flight without stalls. */
  static final int SOCKET_BUFFER = 4 << 20;
  /** Stream buffers; bulk float arrays bypass them. */
  static final int STREAM_BUFFER = 1 << 16;

  private Exchange() {}

  /**
   * Where workers reach the driver's exchange, and the secret that proves they belong to this
   * engine.
   *
   * @param host  the driver's address as executors reach it
   * @param port  the exchange's port
   * @param token a random number the server checks in every hello
   */
  record Endpoint(String host, int port, long token) implements Serializable {}

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
