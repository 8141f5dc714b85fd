/**
 * SparkGrid's Kafka side: requests in, refusals to the dead-letter topic, jobs into the job
 * store, events and control commands.
 *
 * <p>Where to start:
 * <ul>
 *   <li>Applications and notebooks: {@link org.sparkgrid.ingest.SparkGridClient} (submit, follow
 *       events, cancel).
 *   <li>The service: {@link org.sparkgrid.ingest.RequestConsumer} (requests into the
 *       {@link org.sparkgrid.ingest.jobs.JobStore}), {@link org.sparkgrid.ingest.ControlConsumer}
 *       with a {@link org.sparkgrid.ingest.ControlHandler}, and
 *       {@link org.sparkgrid.ingest.events.EventPublisher} for job events.
 *   <li>Topic names: {@link org.sparkgrid.ingest.Topics}; dead-letter headers:
 *       {@link org.sparkgrid.ingest.DeadLetter}; the refusal rules:
 *       {@link org.sparkgrid.ingest.RequestRouter}, then the service's
 *       {@link org.sparkgrid.ingest.RequestCheck} (data and federation file, before a job is stored).
 *   <li>Signed records: {@link org.sparkgrid.ingest.SignatureHeaders}, the four signature headers
 *       of core's {@code SignedMessage} on a Kafka record.
 *   <li>A broker on one machine: {@link org.sparkgrid.ingest.kafka.EmbeddedKafka}.
 * </ul>
 *
 * <p>Implementation, package-private: {@code PollLoop}, the poll thread with manual commits that
 * both consumers share.
 */
package org.sparkgrid.ingest;
