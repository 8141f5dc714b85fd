/**
 * Job events on {@code sparkgrid.events}: queued, duplicate, started, epoch, trial, succeeded,
 * failed, cancelled, timed-out, each with a time and a per-job sequence number.
 *
 * <p>Start with {@link org.sparkgrid.ingest.events.JobEvent} (the records and their JSON) and
 * {@link org.sparkgrid.ingest.events.EventPublisher}; {@link
 * org.sparkgrid.ingest.events.KafkaEventPublisher} is the implementation.
 */
package org.sparkgrid.ingest.events;
