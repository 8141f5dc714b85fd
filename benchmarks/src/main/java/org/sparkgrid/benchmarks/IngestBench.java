package org.sparkgrid.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.sparkgrid.ingest.kafka.KafkaClients;

/** What the two ingest benchmarks share: producing the records, Kafka's own read rate, waiting for the commit. */
final class IngestBench {
  /** The service's consumer group, whose committed offset marks the end of a timed run. */
  static final String GROUP = "sparkgrid-service";
  static final long TIMEOUT_MINUTES = 10;

  private IngestBench() {}

  static void produce(String bootstrap, String topic, List<byte[][]> records, List<Headers> headers) {
    Map<String, Object> tuning = Map.of(ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.plain(bootstrap).producer("bench-producer", tuning)) {
      for (int i = 0; i < records.size(); i++) {
        byte[][] r = records.get(i);
        producer.send(new ProducerRecord<>(topic, null, r[0], r[1], headers == null ? null : headers.get(i)));
      }
      producer.flush();
    }
  }

  /** Nanoseconds a fresh consumer takes to read {@code n} records of {@code tp} from the start. */
  static long countAll(String bootstrap, TopicPartition tp, int n) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
      long t0 = System.nanoTime();
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long count = 0;
      long deadline = t0 + TimeUnit.MINUTES.toNanos(TIMEOUT_MINUTES);
      while (count < n) {
        count += consumer.poll(Duration.ofMillis(200)).count();
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("bare consumer read only " + count + " of " + n + " records");
        }
      }
      return System.nanoTime() - t0;
    }
  }

  static long endOffset(String bootstrap, TopicPartition tp) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
      return consumer.endOffsets(List.of(tp)).get(tp);
    }
  }

  /** The machine's load averages (1, 5, 15 min) from {@code /proc/loadavg}, or "unknown" where there is none. */
  static String loadAverage() {
    try {
      String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    return KafkaClients.plain(bootstrap).consumer("bench-consumer", null, Map.of());
  }

  /** Waits until the service's group committed offset {@code n} on {@code tp}, checking every 50 ms. */
  static void awaitCommitted(Admin admin, TopicPartition tp, long n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(TIMEOUT_MINUTES);
    long at = -1;
    while (at < n) {
      OffsetAndMetadata o = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().get(tp);
      at = o == null ? -1 : o.offset();
      if (at < n) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("RequestConsumer committed only offset " + at + " of " + n);
        }
        Thread.sleep(50);
      }
    }
  }
}
