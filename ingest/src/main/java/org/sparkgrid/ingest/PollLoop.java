package org.sparkgrid.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's poll loop on its own thread, with manual commits: the subclass handles each batch
 * and commits what it finished. {@link #close()} wakes the loop and waits for it to end; the
 * consumer is closed on the loop's thread, since a KafkaConsumer is not thread-safe.
 */
abstract class PollLoop implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);

  /** How long {@link #close()} waits for the loop to finish its batch. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  protected final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final Duration pollTimeout;
  private final Duration retryBackoff;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean started;

  PollLoop(Consumer<byte[], byte[]> consumer, String topic, Duration pollTimeout, Duration retryBackoff, String threadName) {
    this.consumer = consumer;
    this.topic = topic;
    this.pollTimeout = pollTimeout;
    this.retryBackoff = retryBackoff;
    this.thread = new Thread(this::loop, threadName);
  }

  /**
   * Subscribes and starts polling on the loop's thread.
   *
   * @throws IllegalStateException if already started or closed
   */
  public synchronized void start() {
    if (started || closing.getCount() == 0) {
      throw new IllegalStateException(thread.getName() + " was already started or closed");
    }
    started = true;
    thread.start();
  }

  /** Whether the loop's thread is running. */
  public boolean isRunning() {
    return thread.isAlive();
  }

  /** Stops polling after the current batch and closes the consumer; waits up to 30 s. */
  @Override
  public synchronized void close() {
    closing.countDown();
    if (!started) {
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      thread.join(CLOSE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("{} did not stop within {}", thread.getName(), CLOSE_TIMEOUT);
    }
  }

  /** Handles one batch; commits what it finished. Runs on the loop's thread. */
  protected abstract void handle(ConsumerRecords<byte[], byte[]> records);

  /** Called on the loop's thread once, after the consumer is closed. */
  protected void closed() {}

  /** Whether {@link #close()} was called. */
  protected boolean closing() {
    return closing.getCount() == 0;
  }

  /** Waits the retry backoff, or less if closing. */
  protected void backoff() {
    try {
      closing.await(retryBackoff.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Commits {@code next} (per partition, the first offset not yet done) where it moved past the
   * batch's first record, and rewinds the consumer to it where the batch was not finished.
   *
   * @param first per partition, the batch's first offset
   * @param end   per partition, one past the batch's last offset
   * @return whether any partition was rewound
   */
  protected boolean commitAndRewind(Map<TopicPartition, Long> first, Map<TopicPartition, Long> next,
      Map<TopicPartition, Long> end) {
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    boolean rewound = false;
    for (Map.Entry<TopicPartition, Long> e : next.entrySet()) {
      if (e.getValue() > first.get(e.getKey())) {
        commit.put(e.getKey(), new OffsetAndMetadata(e.getValue()));
      }
      if (e.getValue() < end.get(e.getKey())) {
        consumer.seek(e.getKey(), e.getValue());
        rewound = true;
      }
    }
    if (!commit.isEmpty()) {
      try {
        consumer.commitSync(commit);
      } catch (WakeupException e) {
        consumer.commitSync(commit); // close() woke us mid-commit: finish it (a wakeup is thrown once)
        throw e;
      }
    }
    return rewound;
  }

  private void loop() {
    try {
      consumer.subscribe(List.of(topic));
      while (!closing()) {
        try {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
          if (!records.isEmpty()) {
            handle(records);
          }
        } catch (WakeupException e) {
          // close() woke us: the loop condition ends it; otherwise a stray wakeup, poll again
        } catch (RuntimeException e) {
          // e.g. a commit refused after a rebalance: read again from the last commit (the job
          // store de-duplicates what was already stored)
          LOG.error("{}: batch failed, reading again from the last commit: {}", thread.getName(), e.toString(), e);
          rewindToCommitted();
          backoff();
        }
      }
    } catch (RuntimeException e) {
      LOG.error("{} stopped: {}", thread.getName(), e.toString(), e);
    } finally {
      try {
        consumer.close();
      } catch (RuntimeException e) {
        LOG.warn("{}: closing the consumer failed: {}", thread.getName(), e.toString());
      }
      closed();
    }
  }

  private void rewindToCommitted() {
    try {
      Set<TopicPartition> assigned = consumer.assignment();
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
      for (TopicPartition tp : assigned) {
        OffsetAndMetadata o = committed.get(tp);
        if (o == null) {
          consumer.seekToBeginning(List.of(tp));
        } else {
          consumer.seek(tp, o.offset());
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.warn("{}: cannot rewind to the committed offsets: {}", thread.getName(), e.toString());
    }
  }
}
