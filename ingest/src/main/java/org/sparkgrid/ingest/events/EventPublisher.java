package org.sparkgrid.ingest.events;

/**
 * Publishes job events. The publisher stamps each one with the time and the job's next sequence
 * number. Publishing is asynchronous and best effort: events report, the job store decides;
 * a lost event never loses a job.
 *
 * <pre>{@code
 * events.publish(job.id(), new JobEvent.Started(job.attempts() + 1));
 * events.publish(job.id(), new JobEvent.Epoch(1, Map.of("loss", 0.52, "accuracy", 0.81)));
 * events.publish(job.id(), new JobEvent.Succeeded("fmnist-mlp", "3", Map.of("accuracy", 0.88)));
 * }</pre>
 */
public interface EventPublisher extends AutoCloseable {

  /**
   * Publishes an event about a job the job store holds.
   *
   * @return the published event, with its sequence number and time
   * @throws java.util.NoSuchElementException if the job store has no such job
   */
  JobEvent publish(String jobId, JobEvent.Payload payload);

  /**
   * Publishes an event with a sequence number the caller already took from the job store, e.g.
   * from {@link org.sparkgrid.ingest.jobs.JobStore#enqueueAll}, without asking the store again.
   *
   * @return the published event, with {@code seq} and its time
   */
  JobEvent publish(String jobId, long seq, JobEvent.Payload payload);

  /** Waits until every event published so far was sent or failed. */
  void flush();

  @Override
  void close();
}
