package org.sparkgrid.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
import org.sparkgrid.ingest.jobs.JobStoreSettings;
import org.sparkgrid.ingest.jobs.PostgresServer;
import org.sparkgrid.ingest.jobs.TestDatabase;
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
 * <pre>benchmarks/run validation [--records 20000] [--stores h2,postgresql] [--jdbc-url URL]</pre>
 *
 * <p>{@code --stores} names the job stores measured one after another in the run, each on its own
 * topics beside its own bare read: {@code h2} (the service's H2 file URL) and {@code postgresql} (a
 * throw-away local server started with ingest's {@code PostgresServer}: Debian's {@code postgresql}
 * binaries, fsync off). {@code --jdbc-url} instead measures one store at that URL, e.g. to see what
 * H2's default write delay would give; {@code {dir}} in it stands for a temporary directory.
 */
public final class IngestThroughputBenchmark {

  private IngestThroughputBenchmark() {}

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    int n = Integer.parseInt(Bench.arg(args, "--records", "20000"));
    List<byte[][]> records = ValidationThroughput.mix(n);
    long refused = java.util.stream.IntStream.range(0, n).filter(i -> i % 20 < 4).count();
    long valid = n - refused;
    Path dir = Files.createTempDirectory("sparkgrid-ingest");
    String maxPoll = Bench.arg(args, "--max-poll-records", "500"); // Kafka's default
    String custom = Bench.arg(args, "--jdbc-url", "");
    List<String> stores = custom.isEmpty() ? List.of(Bench.arg(args, "--stores", "h2,postgresql").split(","))
        : List.of("custom");
    System.out.printf(Locale.ROOT, "Ingest throughput benchmark: %,d records (%,d valid, %,d refused), 1 partition, "
        + "embedded Kafka (child JVM), job stores %s, %d cores%n", n, valid, refused, stores,
        Runtime.getRuntime().availableProcessors());
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      // the micro figure: parse+validate on one thread, no Kafka, no store
      double micro = ValidationThroughput.routeRate(records, 2.0);
      List<String> lines = new ArrayList<>();
      for (String name : stores) {
        try (StoreUnderTest store = StoreUnderTest.open(name.strip(), dir, custom)) {
          // each store on its own topics, beside its own bare read of them
          Topics topics = Topics.DEFAULT.withPrefix(store.name() + ".");
          long[] nanos = measure(kafka.bootstrapServers(), topics, store.settings(), records, valid, refused,
              Integer.parseInt(maxPoll));
          lines.add(String.format(Locale.ROOT, "%-80s %10.2f %,13.0f%n",
              "bare KafkaConsumer, counting only (baseline: Kafka's read rate)", nanos[0] / 1e9, n / (nanos[0] / 1e9)));
          lines.add(String.format(Locale.ROOT, "%-80s %10.2f %,13.0f   %.2fx of the bare read time%n",
              "RequestConsumer into " + store.description() + ", committed", nanos[1] / 1e9, n / (nanos[1] / 1e9),
              nanos[1] / (double) nanos[0]));
        }
      }
      System.out.println();
      System.out.printf(Locale.ROOT, "%-80s %10s %13s%n", "", "total (s)", "records/s");
      System.out.printf(Locale.ROOT, "%-80s %10s %,13.0f%n",
          "RequestRouter.route on 1 thread, no Kafka, no store (micro)", "", micro);
      lines.forEach(System.out::print);
      System.out.printf(Locale.ROOT, "each store: queued %,d jobs (%,d queued events), dead-lettered %,d; target >= 5,000"
          + " records/s%n", valid, valid, refused);
    } finally {
      Bench.deleteQuietly(dir);
    }
  }

  /**
   * The records on fresh topics, read by a bare consumer (warm-up, then timed) and by the
   * RequestConsumer into the store.
   *
   * @return nanoseconds of the timed bare read, then of the RequestConsumer until committed
   * @throws IllegalStateException if the queued jobs, dead letters or events do not match the mix
   */
  private static long[] measure(String bootstrap, Topics topics, JobStoreSettings settings, List<byte[][]> records,
      long valid, long refused, int maxPoll) throws Exception {
    int n = records.size();
    TopicPartition requests = new TopicPartition(topics.requests(), 0);
    try (Admin admin = KafkaClients.plain(bootstrap).admin("bench-admin")) {
      topics.createMissing(admin, 1, (short) 1);
      IngestBench.produce(bootstrap, topics.requests(), records, null);

      // baseline: Kafka's own read rate, a consumer that only counts (once to warm up, once timed)
      IngestBench.countAll(bootstrap, requests, n);
      long bareNanos = IngestBench.countAll(bootstrap, requests, n);

      long ingestNanos;
      long queued;
      try (JobStore store = JdbcJobStore.open(settings, Clock.systemUTC());
          EventPublisher events = KafkaEventPublisher.create(bootstrap, topics.events(), store);
          RequestConsumer consumer = RequestConsumer.builder(bootstrap, store, events).topics(topics)
              .groupId(IngestBench.GROUP).kafkaProperty("max.poll.records", maxPoll).build()) {
        long t0 = System.nanoTime();
        consumer.start();
        IngestBench.awaitCommitted(admin, requests, n);
        ingestNanos = System.nanoTime() - t0;
        events.flush();
        queued = store.list(JobFilter.in(JobState.QUEUED).limit(100_000)).size();
      }
      long deadLettered = IngestBench.endOffset(bootstrap, new TopicPartition(topics.deadLetters(), 0));
      long published = IngestBench.endOffset(bootstrap, new TopicPartition(topics.events(), 0));
      if (queued != valid || deadLettered != refused || published != valid) {
        throw new IllegalStateException(String.format(Locale.ROOT,
            "counts do not match the mix: %d queued (expected %d), %d dead letters (expected %d), %d events (expected %d)",
            queued, valid, deadLettered, refused, published, valid));
      }
      return new long[] {bareNanos, ingestNanos};
    }
  }

  /** A job store the benchmark writes to: H2 (the service's file URL), a throw-away PostgreSQL, or a given URL. */
  private record StoreUnderTest(String name, String description, JobStoreSettings settings, AutoCloseable server)
      implements AutoCloseable {

    /** @throws IllegalArgumentException if {@code name} is none of h2, postgresql */
    static StoreUnderTest open(String name, Path dir, String customUrl) throws Exception {
      switch (name) {
        case "custom":
          String url = customUrl.replace("{dir}", dir.toAbsolutePath().toString());
          return new StoreUnderTest(name, url.replaceAll("[?;].*", ""), JobStoreSettings.of(url), null);
        case "h2":
          String h2 = JdbcJobStore.h2Url(dir.resolve("jobs"));
          return new StoreUnderTest(name, "H2 (the service's URL: " + h2.replaceAll("^[^;]*;", "") + ")",
              JobStoreSettings.of(h2), null);
        case "postgresql":
          PostgresServer server = PostgresServer.start();
          TestDatabase.Target db = server.fresh();
          return new StoreUnderTest(name, "PostgreSQL (local server, fsync off)",
              db.settings("bench", JobStoreSettings.defaultLease()), server);
        default:
          throw new IllegalArgumentException("--stores: unknown store '" + name + "'; known: h2, postgresql");
      }
    }

    @Override
    public void close() throws Exception {
      if (server != null) {
        server.close();
      }
    }
  }
}
