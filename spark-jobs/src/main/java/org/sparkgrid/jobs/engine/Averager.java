package org.sparkgrid.jobs.engine;

import java.io.IOException;

/**
 * One worker's side of the averagings of one Spark job, whichever {@link ExchangeMode}: at each step
 * it gives its (examples, vector) and gets the example-weighted mean over all workers.
 */
interface Averager extends AutoCloseable {

  /**
   * Contributes this worker's vector to averaging step {@code step} and waits for the mean.
   *
   * @param weight examples behind {@code vector} since the last averaging; 0 sends no vector
   * @param vector the worker's vector ({@code null} allowed when {@code weight} is 0)
   * @return the example-weighted mean over all workers, or {@code null} if no worker had examples
   * @throws IOException if the exchange fails (a worker failed or did not reach the step in time)
   */
  float[] average(int step, long weight, float[] vector) throws IOException;

  /** Bytes this worker put on the wire for averaging so far, headers and tags included. */
  long bytesSent();

  /** Bytes this worker took off the wire for averaging so far. */
  long bytesReceived();

  @Override
  void close() throws IOException;

  /**
   * A worker's averager for a round of the driver's exchange at {@code endpoint}: for
   * {@link ExchangeMode#PEERS} with one worker, one that exchanges nothing (the mean of one vector is
   * itself); for PEERS with more, a {@link PeerExchange} listening on {@code host}; for
   * {@link ExchangeMode#DRIVER}, an {@link ExchangeClient}.
   *
   * @param host this executor's address as the other executors reach it
   * @throws IOException if the driver or a peer cannot be reached, or refuses this worker
   */
  static Averager open(Exchange.Endpoint endpoint, ExchangeMode mode, String host, long round, int attempt,
      int worker, int workers, int length, int timeoutMs) throws IOException {
    if (mode == ExchangeMode.DRIVER) {
      return new ExchangeClient(endpoint, round, attempt, worker, workers, length, timeoutMs);
    }
    if (workers == 1) {
      return new Alone();
    }
    return PeerExchange.open(endpoint, host, round, attempt, worker, workers, length, timeoutMs);
  }

  /** The only worker of a peer round: its vector is the mean, nothing crosses the network. */
  final class Alone implements Averager {
    @Override
    public float[] average(int step, long weight, float[] vector) {
      return weight > 0 ? vector : null;
    }

    @Override
    public long bytesSent() {
      return 0;
    }

    @Override
    public long bytesReceived() {
      return 0;
    }

    @Override
    public void close() {}
  }
}
