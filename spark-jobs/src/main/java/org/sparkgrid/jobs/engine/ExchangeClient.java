package org.sparkgrid.jobs.engine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The worker side of the averaging exchange (see {@link ExchangeServer} and {@link Exchange}): answers
 * the server's challenge with the job's secret, checks the server's proof, then averages.
 */
final class ExchangeClient implements Averager {
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final int length;
  private final int workers;
  private final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
  private ByteBuffer scratch;

  /**
   * Connects, answers the challenge and waits to be welcomed into the round.
   *
   * @throws IOException if the driver cannot be reached, refuses the hello (a round that is not open,
   *     a stale attempt, a wrong secret) or does not prove that it holds the job's secret
   */
  ExchangeClient(Exchange.Endpoint endpoint, long round, int attempt, int worker, int workers, int length,
      int timeoutMs) throws IOException {
    this.length = length;
    this.workers = workers;
    this.socket = new Socket();
    try {
      socket.setSendBufferSize(Exchange.SOCKET_BUFFER);
      socket.setReceiveBufferSize(Exchange.SOCKET_BUFFER);
      socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), Math.min(timeoutMs, 60_000));
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(timeoutMs);
      DataInputStream rawIn = new DataInputStream(new BufferedInputStream(new Exchange.CountingIn(socket.getInputStream(), received), Exchange.STREAM_BUFFER));
      DataOutputStream rawOut = new DataOutputStream(new BufferedOutputStream(new Exchange.CountingOut(socket.getOutputStream(), sent), Exchange.STREAM_BUFFER));
      byte[] secret = endpoint.secret();
      byte[] serverNonce = new byte[Exchange.SECRET_BYTES];
      byte[] proof = new byte[Exchange.SECRET_BYTES];
      Exchange.Hello hello = new Exchange.Hello(round, attempt, worker, workers, length);
      byte[] workerNonce = Exchange.newSecret();
      try {
        if (rawIn.readInt() != Exchange.MAGIC) {
          throw new IOException("the exchange at " + endpoint + " is not a SparkGrid exchange");
        }
        rawIn.readFully(serverNonce);
        rawOut.writeInt(Exchange.MAGIC);
        rawOut.writeLong(round);
        rawOut.writeInt(attempt);
        rawOut.writeInt(worker);
        rawOut.writeInt(workers);
        rawOut.writeInt(length);
        rawOut.write(workerNonce);
        rawOut.write(ExchangeAuth.answer(secret, serverNonce, workerNonce, hello, endpoint.encrypted()));
        rawOut.flush();
        rawIn.readFully(proof);
      } catch (EOFException e) {
        throw new IOException("the exchange at " + endpoint + " refused worker " + worker + " of round " + round
            + " (attempt " + attempt + "); the driver's log says why", e);
      }
      if (!ExchangeAuth.same(ExchangeAuth.proof(secret, serverNonce, workerNonce, hello, endpoint.encrypted()), proof)) {
        throw new IOException("the exchange at " + endpoint + " did not prove that it holds this job's secret");
      }
      this.in = endpoint.encrypted()
          ? new DataInputStream(ExchangeCipher.opening(rawIn, ExchangeAuth.downKey(secret, serverNonce, workerNonce)))
          : rawIn;
      this.out = endpoint.encrypted()
          ? new DataOutputStream(ExchangeCipher.sealing(rawOut, ExchangeAuth.upKey(secret, serverNonce, workerNonce)))
          : rawOut;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * Sends this worker's contribution to averaging step {@code step} and waits for the mean.
   *
   * @param weight examples behind {@code vector}; 0 sends no vector
   * @return the example-weighted mean over all workers, or {@code null} if no worker had examples
   * @throws IOException if the exchange fails (another worker failed, timeout, driver gone)
   */
  @Override
  public float[] average(int step, long weight, float[] vector) throws IOException {
    out.writeInt(step);
    out.writeLong(weight);
    if (weight > 0) {
      if (vector.length != length) {
        throw new IllegalArgumentException("vector of " + vector.length + " floats, expected " + length);
      }
      scratch = Exchange.chunk(scratch);
      Exchange.writeFloats(out, vector, scratch);
    }
    out.flush();
    long total = in.readLong();
    if (total == 0) {
      return null;
    }
    scratch = Exchange.chunk(scratch);
    return Exchange.readFloats(in, length, scratch);
  }

  /**
   * Registers where this worker listens for its peers (a peer round) and waits until every worker of
   * the round has: returns each worker's listener, in worker order.
   *
   * @throws IOException if the round is not a peer round, fails or times out, naming the workers missing
   */
  List<Exchange.Peer> register(Exchange.Peer me) throws IOException {
    out.writeInt(Exchange.REGISTER);
    out.writeUTF(me.host());
    out.writeInt(me.port());
    out.flush();
    int n;
    try {
      n = in.readInt();
    } catch (EOFException e) {
      throw new IOException("the driver's exchange ended the round while this worker waited for its peers;"
          + " the driver's log says why", e);
    }
    if (n != workers) {
      throw new IOException("the driver's exchange names " + n + " peers, expected " + workers);
    }
    List<Exchange.Peer> peers = new ArrayList<>(n);
    for (int w = 0; w < n; w++) {
      peers.add(new Exchange.Peer(in.readUTF(), in.readInt()));
    }
    return peers;
  }

  /** Bytes this connection put on the wire so far (handshake, framing and tags included). */
  @Override
  public long bytesSent() {
    return sent.get();
  }

  /** Bytes this connection took off the wire so far. */
  @Override
  public long bytesReceived() {
    return received.get();
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
