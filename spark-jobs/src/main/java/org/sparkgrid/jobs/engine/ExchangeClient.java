package org.sparkgrid.jobs.engine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

/** The worker side of the averaging exchange (see {@link ExchangeServer} and {@link Exchange}). */
final class ExchangeClient implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final int length;
  private ByteBuffer scratch;

  /**
   * Connects and says hello.
   *
   * @throws IOException if the driver cannot be reached
   */
  ExchangeClient(Exchange.Endpoint endpoint, long round, int attempt, int worker, int workers, int length,
      int timeoutMs) throws IOException {
    this.length = length;
    this.socket = new Socket();
    socket.setSendBufferSize(Exchange.SOCKET_BUFFER);
    socket.setReceiveBufferSize(Exchange.SOCKET_BUFFER);
    socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), Math.min(timeoutMs, 60_000));
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(timeoutMs);
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), Exchange.STREAM_BUFFER));
    this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), Exchange.STREAM_BUFFER));
    out.writeInt(Exchange.MAGIC);
    out.writeLong(endpoint.token());
    out.writeLong(round);
    out.writeInt(attempt);
    out.writeInt(worker);
    out.writeInt(workers);
    out.writeInt(length);
  }

  /**
   * Sends this worker's contribution to averaging step {@code step} and waits for the mean.
   *
   * @param weight examples behind {@code vector}; 0 sends no vector
   * @return the example-weighted mean over all workers, or {@code null} if no worker had examples
   * @throws IOException if the exchange fails (another worker failed, timeout, driver gone)
   */
  float[] average(int step, long weight, float[] vector) throws IOException {
    out.writeInt(step);
    out.writeLong(weight);
    if (weight > 0) {
      if (vector.length != length) {
        throw new IllegalArgumentException("vector of " + vector.length + " floats, expected " + length);
      }
      scratch = Exchange.sized(scratch, length);
      Exchange.writeFloats(out, vector, scratch);
    }
    out.flush();
    long total = in.readLong();
    if (total == 0) {
      return null;
    }
    scratch = Exchange.sized(scratch, length);
    return Exchange.readFloats(in, length, scratch);
  }

  @Override
  public void close() throws IOException {
    try {
      out.writeInt(Exchange.GOODBYE);
      out.flush();
    } finally {
      socket.close();
    }
  }
}
