/**
 * Job events on {@code sparkgrid.events}: queued, duplicate, started, epoch, trial, succeeded,
 * failed, cancelled, timed-out, each with a time and a per-job sequence number.
 *
 * <p>Start with {@link org.sparkgrid.ingest.events.JobEvent} (the records and their JSON) and
 * {@link org.sparkgrid.ingest.events.EventPublisher}; {@link
 * org.sparkgrid.ingest.events.KafkaEventPublisher} is the implementation (signing each event with
 * the service's key when given one). A client believes an event only if
 * {@link org.sparkgrid.ingest.events.EventVerifier} accepts it (signed by the service account, in
 * sequence); each other record becomes a {@link org.sparkgrid.ingest.events.DroppedEvent} naming why.
 */
package org.sparkgrid.ingest.events;
