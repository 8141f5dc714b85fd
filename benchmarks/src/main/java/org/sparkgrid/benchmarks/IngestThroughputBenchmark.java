package org.sparkgrid.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.sparkgrid.ingest.RequestConsumer;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.bench.ValidationThroughput;
import org.sparkgrid.ingest.events.EventPublisher;
import org.sparkgrid.ingest.events.KafkaEventPublisher;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.kafka.EmbeddedKafka;
import org.sparkgrid.ingest.kafka.KafkaClients;

/**
 * End-to-end ingest throughput: N request records already on the requests topic of an embedded
 * Kafka broker (a child JVM), read by the real {@link RequestConsumer} into a real H2 job store
 * (the file URL the service uses, {@link JdbcJobStore#h2Url}) with {@code queued} events on the
 * events topic and refusals on the dead-letter topic, as {@code SparkGridService} wires it. Timed
 * from {@code start()} until the consumer group's committed offset reaches the end of the topic
 * (the consumer commits a record only after the store holds it or the dead-letter topic
 * acknowledged it); then the QUEUED jobs and dead letters are counted and must match the mix.
 * Next to it, measured in the same run: a bare KafkaConsumer that only counts the same records
 * (Kafka's own read rate) and {@link ValidationThroughput}'s parse+validate rate on one thread.
 *
 * <p>The mix is {@link ValidationThroughput#mix}: per 20 records, 10 compute requests, 6 with a
 * sweep, 4 refused (not JSON, bad UTF-8, unknown schema, a field out of range); ids distinct.
 *
 * <pre>benchmarks/run validation [--records 20000] [--jdbc-url URL]</pre>
 *
 * <p>{@code --jdbc-url} replaces the service's H2 URL, e.g. to see what H2's default write delay
 * would give; {@code {dir}} in it stands for a temporary directory.
 */
public final class IngestThroughputBenchmark {
  private static final String GROUP = "sparkgrid-service";
  private static final long TIMEOUT_MINUTES = 10;

  private IngestThroughputBenchmark() {}

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    int n = Integer.parseInt(Bench.arg(args, "--records", "20000"));
    List<byte[][]> records = ValidationThroughput.mix(n);
    long refused = java.util.stream.IntStream.range(0, n).filter(i -> i % 20 < 4).count();
    long valid = n - refused;
    Topics topics = Topics.DEFAULT;
    Path dir = Files.createTempDirectory("sparkgrid-ingest");
    String maxPoll = Bench.arg(args, "--max-poll-records", "500"); // Kafka's default
    String url = Bench.arg(args, "--jdbc-url", JdbcJobStore.h2Url(dir.resolve("jobs")))
        .replace("{dir}", dir.toAbsolutePath().toString());
    System.out.printf(Locale.ROOT, "Ingest throughput benchmark: %,d records (%,d valid, %,d refused), 1 partition, "
        + "embedded Kafka (child JVM), job store %s, %d cores%n", n, valid, refused,
        url.equals(JdbcJobStore.h2Url(dir.resolve("jobs"))) ? "(H2, the service's URL: " + url.replaceAll("^[^;]*;", "") + ")"
            : url, Runtime.getRuntime().availableProcessors());
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      String bootstrap = kafka.bootstrapServers();
      TopicPartition requests = new TopicPartition(topics.requests(), 0);
      try (Admin admin = KafkaClients.plain(bootstrap).admin("bench-admin")) {
        topics.createMissing(admin, 1, (short) 1);
        produce(bootstrap, topics.requests(), records);

        // baseline: Kafka's own read rate, a consumer that only counts (once to warm up, once timed)
        countAll(bootstrap, requests, n);
        long bareNanos = countAll(bootstrap, requests, n);

        // the micro figure: parse+validate on one thread, no Kafka, no store
        double micro = ValidationThroughput.routeRate(records, 2.0);

        long ingestNanos;
        long queued;
        try (JobStore store = JdbcJobStore.open(url);
            EventPublisher events = KafkaEventPublisher.create(bootstrap, topics.events(), store);
            RequestConsumer consumer = RequestConsumer.builder(bootstrap, store, events).topics(topics)
                .groupId(GROUP).kafkaProperty("max.poll.records", Integer.parseInt(maxPoll)).build()) {
          long t0 = System.nanoTime();
          consumer.start();
          awaitCommitted(admin, requests, n);
          ingestNanos = System.nanoTime() - t0;
          events.flush();
          queued = store.list(JobFilter.in(JobState.QUEUED).limit(100_000)).size();
        }
        long deadLettered = endOffset(bootstrap, new TopicPartition(topics.deadLetters(), 0));
        long published = endOffset(bootstrap, new TopicPartition(topics.events(), 0));
        if (queued != valid || deadLettered != refused || published != valid) {
          throw new IllegalStateException(String.format(Locale.ROOT,
              "counts do not match the mix: %d queued (expected %d), %d dead letters (expected %d), %d events (expected %d)",
              queued, valid, deadLettered, refused, published, valid));
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "%-66s %10s %13s%n", "", "total (s)", "records/s");
        System.out.printf(Locale.ROOT, "%-66s %10.2f %,13.0f%n",
            "bare KafkaConsumer, counting only (baseline: Kafka's read rate)", bareNanos / 1e9, n / (bareNanos / 1e9));
        System.out.printf(Locale.ROOT, "%-66s %10s %,13.0f%n",
            "RequestRouter.route on 1 thread, no Kafka, no store (micro)", "", micro);
        System.out.printf(Locale.ROOT, "%-66s %10.2f %,13.0f%n",
            "RequestConsumer: topic to QUEUED job or dead letter, committed", ingestNanos / 1e9, n / (ingestNanos / 1e9));
        System.out.printf(Locale.ROOT, "queued %,d jobs (%,d queued events), dead-lettered %,d; %.2fx of the bare read "
            + "time; target >= 5,000 records/s%n", queued, published, deadLettered, ingestNanos / (double) bareNanos);
      }
    } finally {
      Bench.deleteQuietly(dir);
    }
  }

  private static void produce(String bootstrap, String topic, List<byte[][]> records) {
    Map<String, Object> tuning = Map.of(ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.plain(bootstrap).producer("bench-producer", tuning)) {
      for (byte[][] r : records) {
        producer.send(new ProducerRecord<>(topic, r[0], r[1]));
      }
      producer.flush();
    }
  }

  /** Nanoseconds a fresh consumer takes to read {@code n} records of {@code tp} from the start. */
  private static long countAll(String bootstrap, TopicPartition tp, int n) {
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

  private static long endOffset(String bootstrap, TopicPartition tp) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
      return consumer.endOffsets(List.of(tp)).get(tp);
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    return KafkaClients.plain(bootstrap).consumer("bench-consumer", null, Map.of());
  }

  /** Waits until the service's group committed offset {@code n} on {@code tp}, checking every 50 ms. */
  private static void awaitCommitted(Admin admin, TopicPartition tp, long n) throws Exception {
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
