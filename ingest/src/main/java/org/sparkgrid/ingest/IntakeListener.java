package org.sparkgrid.ingest;

/**
 * What the {@link RequestConsumer} tells an observer (the service's metrics) about each request
 * record it decided: a new job stored, or a refusal that reached the dead-letter topic. Called on
 * the consumer's thread after the fact (the store committed, the dead-letter topic acknowledged);
 * keep it quick. Whatever it throws is logged and ignored.
 *
 * <pre>{@code
 * RequestConsumer.builder(kafka, store, events)
 *     .intake(new IntakeListener() {
 *       public void queued(String jobId, long producedAtMs) { latency.record(now() - producedAtMs); }
 *       public void deadLettered(Refusal refusal) { refused.increment(refusal.reason().wire()); }
 *     })
 *     .build();
 * }</pre>
 */
public interface IntakeListener {

  /** Observes nothing. */
  IntakeListener NONE = new IntakeListener() {};

  /**
   * A request was stored as a new QUEUED job (not a duplicate).
   *
   * @param producedAtMs the record's timestamp (epoch milliseconds: when it was produced, or appended
   *                     on a topic with {@code LogAppendTime}); negative if the record has none
   */
  default void queued(String jobId, long producedAtMs) {}

  /** A refused record reached the dead-letter topic with this refusal's headers. */
  default void deadLettered(Refusal refusal) {}
}
