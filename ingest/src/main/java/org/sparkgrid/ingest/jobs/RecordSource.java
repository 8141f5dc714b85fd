package org.sparkgrid.ingest.jobs;

import java.util.Objects;

/**
 * Where a request was read: a Kafka topic, partition and offset.
 *
 * @param topic     the topic's name
 * @param partition the partition, {@code >= 0}
 * @param offset    the record's offset, {@code >= 0}
 */
public record RecordSource(String topic, int partition, long offset) {

  /** @throws IllegalArgumentException if the partition or offset is negative */
  public RecordSource {
    Objects.requireNonNull(topic, "topic");
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0, got " + partition);
    }
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, got " + offset);
    }
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}
