/**
 * A real Kafka broker on one machine: {@link org.sparkgrid.ingest.kafka.EmbeddedKafka} runs the
 * broker's own main as a child JVM, for {@code bin/sparkgrid serve --embedded-kafka}.
 */
package org.sparkgrid.ingest.kafka;
