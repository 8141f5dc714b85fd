package org.sparkgrid.jobs.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkgrid.core.store.ArtifactWriter;
import org.sparkgrid.core.store.CheckpointStore;

/**
 * Writes checkpoints on one background thread, so that a job's next round trains while the last
 * one's checkpoint is written. At most one write is in flight: {@link #submit} first waits for the
 * previous one (and fails if it failed). Visibility is the store's: {@link CheckpointStore#save}
 * makes a checkpoint appear whole or not at all (the Hadoop store writes a {@code _tmp-} directory
 * and renames it), so a write that fails or is killed half-way leaves the previous checkpoint the
 * latest. {@link #await} waits for the write in flight (a job's end, or before something that must
 * follow a durable checkpoint, such as a round's settlement); {@link #close} does too, so a failing
 * job still finishes the checkpoint of its last completed round.
 *
 * <p>Each write's own duration and size are logged ({@code checkpoint <job>/<step> written in the
 * background: N bytes in M ms}) and kept as {@link #lastWrite()}: what the caller waits for is
 * usually far less than what the write costs.
 *
 * <pre>{@code
 * try (CheckpointWriter writer = new CheckpointWriter(checkpoints)) {
 *   for (int round = 0; round < rounds; round++) {
 *     float[] model = train(round);
 *     double waitedMs = writer.submit(jobId, round + 1, Map.of("state.bin", out -> out.write(bytes(model))), 3);
 *   }
 *   writer.await(); // the last checkpoint is durable
 * }
 * }</pre>
 */
public final class CheckpointWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

  /**
   * One finished write.
   *
   * @param jobId   the job
   * @param step    the checkpoint's step
   * @param bytes   the bytes written, all files together
   * @param writeMs how long the write took on the background thread (from its start to the rename and prune)
   */
  public record Write(String jobId, long step, long bytes, double writeMs) {}

  private final CheckpointStore store;
  private final ExecutorService thread;
  private Future<Write> inFlight;
  private volatile Write last;

  /** @param store where checkpoints go */
  public CheckpointWriter(CheckpointStore store) {
    this.store = Objects.requireNonNull(store, "store");
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sparkgrid-checkpoint-writer");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Waits for the write in flight, then starts writing {@code files} as checkpoint {@code step}
   * and pruning the job's checkpoints to {@code keep}, and returns at once. The writers run on the
   * background thread: what they read must not change afterwards.
   *
   * @return the milliseconds spent waiting for the previous write
   * @throws IllegalStateException if the previous write failed (naming its checkpoint and why), or
   *     this writer is closed
   */
  public synchronized double submit(String jobId, long step, Map<String, ArtifactWriter> files, int keep) {
    long t0 = System.nanoTime();
    await();
    Map<String, ArtifactWriter> copy = new LinkedHashMap<>(files);
    inFlight = thread.submit(() -> write(jobId, step, copy, keep));
    return (System.nanoTime() - t0) / 1e6;
  }

  /**
   * Waits until the write in flight, if any, is durable.
   *
   * @return the milliseconds waited
   * @throws IllegalStateException if that write failed, naming its checkpoint and why
   */
  public synchronized double await() {
    long t0 = System.nanoTime();
    if (inFlight == null) {
      return 0;
    }
    Future<Write> f = inFlight;
    inFlight = null;
    try {
      last = f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a checkpoint to be written", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new IllegalStateException(cause.getMessage(), cause);
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  /** The last write that finished and was awaited; null before the first. */
  public Write lastWrite() {
    return last;
  }

  /** Waits for the write in flight ({@link #await}), then stops the thread. */
  @Override
  public void close() {
    try {
      await();
    } finally {
      thread.shutdown();
    }
  }

  private Write write(String jobId, long step, Map<String, ArtifactWriter> files, int keep) {
    long t0 = System.nanoTime();
    AtomicLong bytes = new AtomicLong();
    Map<String, ArtifactWriter> counted = new LinkedHashMap<>();
    files.forEach((name, w) -> counted.put(name, out -> w.writeTo(new Counting(out, bytes))));
    try {
      store.save(jobId, step, counted);
      store.prune(jobId, keep);
    } catch (RuntimeException e) {
      throw new IllegalStateException("checkpoint " + jobId + "/" + step + " could not be written: "
          + e.getMessage(), e);
    }
    Write w = new Write(jobId, step, bytes.get(), (System.nanoTime() - t0) / 1e6);
    LOG.info("checkpoint {}/{} written in the background: {} bytes in {} ms", jobId, step, w.bytes(),
        String.format("%.1f", w.writeMs()));
    return w;
  }

  /** Passes bytes through, counting them. */
  private static final class Counting extends FilterOutputStream {
    private final AtomicLong count;

    Counting(OutputStream out, AtomicLong count) {
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
}
