package org.sparkgrid.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.run.EpochMetrics;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.jobs.JobStoreSettings;
import org.sparkgrid.ingest.kafka.EmbeddedKafka;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.jobs.compute.ComputeJob;
import org.sparkgrid.jobs.resources.SparkContexts;
import org.sparkgrid.jobs.run.JobPhase;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.service.ClientKeys;
import org.sparkgrid.jobs.service.ServiceAuth;
import org.sparkgrid.jobs.service.ServiceKey;
import org.sparkgrid.jobs.service.SparkGridService;
import org.sparkgrid.jobs.store.Stores;

/**
 * Request-to-first-epoch latency of the request service, warm: an embedded Kafka broker and the
 * service in this JVM on {@code local[2]}; after warm-up jobs, N tiny requests one after another,
 * each timed from {@code client.submit} to the moment its first {@code epoch} event reaches a
 * consumer of the events topic (with the {@code queued} and {@code started} events on the way).
 * As the product runs by default: the requests signed by the operator's admin {@code local}, the
 * service checking each signature and signing its events, the client believing only those.
 * Next to it, the baseline measured in the same run on the same SparkContext: the same requests
 * run by {@link ComputeJob} directly, timed from the call to its first {@code epochDone}.
 *
 * <p>{@code --instances 1,2} measures each count of service instances in turn in the same run
 * (SparkGrid's several-instances setup: one consumer group on a requests topic of 3 partitions,
 * each instance with its own handle and owner on one job store, here an H2 file; in this benchmark
 * the instances share the JVM and its SparkContext), each with its own warm-up and its own rows of
 * the direct baseline.
 *
 * <pre>benchmarks/run latency [--requests 30] [--limit 256] [--jobs-per-epoch 4] [--instances 1,2]</pre>
 */
public final class LatencyBenchmark {
  private static final String DATA = "/usr/share/datasets/fashion-mnist/";
  private static final int WARM_UP = 3;

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    int n = Integer.parseInt(Bench.arg(args, "--requests", "30"));
    int limit = Integer.parseInt(Bench.arg(args, "--limit", "256"));
    String jobsPerEpoch = Bench.arg(args, "--jobs-per-epoch", "4");
    int[] instanceCounts = java.util.Arrays.stream(Bench.arg(args, "--instances", "1,2").split(","))
        .mapToInt(x -> Integer.parseInt(x.strip())).toArray();
    Path dir = Files.createTempDirectory("sparkgrid-latency");
    SparkGridConfig config = SparkGridConfig.from(Map.of(
        "spark.sparkgrid.home", dir.resolve("home").toString(),
        "spark.sparkgrid.progress.enabled", "false",
        "spark.sparkgrid.engine.jobsPerEpoch", jobsPerEpoch)); // signed requests only, the default
    // what the first serve on this home makes: the operator's admin 'local' (its key signs the requests) and the
    // service's key (the client believes only its events), so the measured path is the product's
    ServiceAuth.createLocalRequester(config);
    ServiceKey.load(config);
    System.out.printf("Latency benchmark: %d requests (MLP 784-32-10, %d training examples, 1 epoch, batch 32, "
        + "2 workers, no test set), spark.sparkgrid.engine.jobsPerEpoch=%s, local[2], %d cores; service instances %s"
        + " on one H2 job store and a 3-partition requests topic%n",
        n, limit, jobsPerEpoch, Runtime.getRuntime().availableProcessors(), Arrays.toString(instanceCounts));

    SparkConf conf = SparkContexts.conf("LatencyBenchmark", "local[2]")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.scheduler.mode", "FAIR");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      try (Admin admin = KafkaClients.plain(kafka.bootstrapServers()).admin("bench-admin")) {
        Topics.DEFAULT.createForService(admin, 3, (short) 1);
      }
      List<String> table = new ArrayList<>();
      try (EventTimes times = new EventTimes(kafka.bootstrapServers());
          SparkGridClient client = ClientKeys.builder(config, () -> KafkaClients.plain(kafka.bootstrapServers()),
              ClientKeys.requireRequester(config, name -> null)).build()) {
        for (int k : instanceCounts) {
          table.addAll(measure(k, n, limit, sc, config, dir, kafka.bootstrapServers(), times, client));
        }
      }
      System.out.println();
      System.out.printf("%-66s %9s %9s %9s %9s%n", "request to first epoch (ms)", "p50", "p95", "p99", "mean");
      table.forEach(System.out::print);
    } finally {
      Bench.deleteQuietly(dir);
    }
  }

  /**
   * {@code k} service instances on this SparkContext (each with its own handle, under its own owner,
   * of one H2 job store file; one consumer group), after warm-up, and {@code n} requests one after
   * another, alternating with the direct baseline.
   *
   * @return the table's rows for this instance count
   */
  private static List<String> measure(int k, int n, int limit, JavaSparkContext sc, SparkGridConfig config, Path dir,
      String bootstrap, EventTimes times, SparkGridClient client) throws Exception {
    long[] baseline = new long[n];
    long[][] phases = new long[3][n];
    long[] total = new long[n];
    long[] toQueued = new long[n];
    long[] toStarted = new long[n];
    long[] toEpoch = new long[n];
    long[] submitToStarted = new long[n];
    String url = JdbcJobStore.h2Url(dir.resolve("jobs-" + k));
    List<AutoCloseable> open = new ArrayList<>();
    try {
      for (int i = 0; i < k; i++) {
        JobStore store = JdbcJobStore.open(JobStoreSettings.of(url).withOwner("instance-" + i), Clock.systemUTC());
        open.add(store);
        SparkGridService service = new SparkGridService(sc, config, bootstrap, Topics.DEFAULT, store);
        open.add(service);
        service.start();
      }
      String p = k + "i-";
      for (int i = 0; i < WARM_UP; i++) {
        direct(sc, config, request(p + "warm-direct-" + i, limit));
        String warm = client.submit(request(p + "warm-service-" + i, limit)).jobId(); // local.<id>
        times.await(warm, "succeeded");
      }
      // one after another, alternating, so that drift (JIT, other load) touches both alike
      for (int i = 0; i < n; i++) {
        // baseline: ComputeJob on this SparkContext, to its first epochDone
        long[] t = direct(sc, config, request(p + "direct-" + i, limit));
        baseline[i] = t[0];
        for (int ph = 0; ph < 3; ph++) {
          phases[ph][i] = t[1 + ph];
        }
        // the service: client.submit to the first epoch event seen on the events topic
        long t0 = System.nanoTime();
        String id = client.submit(request(p + "service-" + i, limit)).jobId(); // signed: local.<id>
        long epoch = times.await(id, "epoch");
        long queued = times.await(id, "queued");
        long started = times.await(id, "started");
        total[i] = epoch - t0;
        toQueued[i] = queued - t0;
        toStarted[i] = started - queued;
        toEpoch[i] = epoch - started;
        submitToStarted[i] = started - t0;
        times.await(id, "succeeded");
      }
    } finally {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
    }
    String s = k == 1 ? "1 service instance" : k + " service instances";
    List<String> rows = new ArrayList<>();
    rows.add(row("ComputeJob called directly, to its first epochDone (baseline)", baseline));
    rows.add(row("  of which: data phase (read, shard, normalize, build)", phases[0]));
    rows.add(row("  of which: train phase (Spark jobs of the epoch)", phases[1]));
    rows.add(row("  of which: checkpoint phase (the epoch's checkpoint)", phases[2]));
    rows.add(row(s + ": client.submit to the first epoch event", total));
    rows.add(row("  of which: submit to the queued event (Kafka in, job store)", toQueued));
    rows.add(row("  of which: queued to the started event (scheduler, claim)", toStarted));
    rows.add(row("  of which: started to the first epoch event (the job)", toEpoch));
    rows.add(row("  submit to the started event (produced -> queued -> started)", submitToStarted));
    rows.add(String.format(Locale.ROOT, "%s: service overhead at p50 %.0f ms over the baseline; target: p50 <= 250 ms%n",
        s, ms(percentile(total, 50)) - ms(percentile(baseline, 50))));
    return rows;
  }

  private static TrainingRequest request(String id, int limit) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s",
         "model": {"name": "latency", "architecture": "mlp", "mlp": {"hidden": [32]}},
         "data": {"format": "idx", "train": "file:%strain", "limit": %d},
         "training": {"epochs": 1, "batchSize": 32, "seed": 1},
         "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(id, DATA, limit));
  }

  /**
   * Runs a request with ComputeJob.
   *
   * @return nanoseconds from the call to its first epochDone, then of that spent in the data,
   *     train and checkpoint phases
   */
  private static long[] direct(JavaSparkContext sc, SparkGridConfig config, TrainingRequest r) throws Exception {
    long[] times = new long[4];
    ProgressListener timer = new ProgressListener() {
      private JobPhase phase;
      private long since;

      @Override
      public void enter(JobPhase next) {
        tally();
        phase = next;
      }

      private void tally() {
        long now = System.nanoTime();
        if (times[0] == 0 && phase != null && phase.ordinal() < 3) {
          times[1 + phase.ordinal()] += now - since;
        }
        since = now;
      }

      @Override
      public void epochDone(EpochMetrics m, int epochs) {
        tally();
        if (times[0] == 0) {
          times[0] = System.nanoTime();
        }
      }
    };
    ComputeJob job = new ComputeJob(sc, config, Stores.models(config, sc.hadoopConfiguration()),
        Stores.checkpoints(config, sc.hadoopConfiguration()), timer);
    long t0 = System.nanoTime();
    job.run(r, r.id());
    times[0] -= t0;
    return times;
  }

  private static String row(String name, long[] nanos) {
    return String.format(Locale.ROOT, "%-66s %9.0f %9.0f %9.0f %9.0f%n", name, ms(percentile(nanos, 50)),
        ms(percentile(nanos, 95)), ms(percentile(nanos, 99)), ms(Arrays.stream(nanos).average().orElse(0)));
  }

  /** Nearest-rank percentile. */
  private static double percentile(long[] values, int p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static double ms(double nanos) {
    return nanos / 1e6;
  }

  /** Tails the events topic and notes when each job's first event of each type arrived. */
  private static final class EventTimes implements AutoCloseable {
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean closing;

    EventTimes(String bootstrap) {
      consumer = KafkaClients.plain(bootstrap).consumer("latency-events", null, Map.of());
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(Topics.DEFAULT.events()).forEach(i -> partitions.add(new TopicPartition(i.topic(),
          i.partition())));
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // resolve the end now, before any request is sent
      thread = new Thread(this::loop, "latency-events");
      thread.start();
    }

    private void loop() {
      try {
        while (!closing) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            long now = System.nanoTime();
            JobEvent e = JobEvent.fromJson(r.value());
            seen.putIfAbsent(e.jobId() + "/" + e.payload().type(), now);
          }
          synchronized (this) {
            notifyAll();
          }
        }
      } catch (WakeupException e) {
        // closing
      } finally {
        consumer.close();
      }
    }

    /** When the job's first event of that type arrived (System.nanoTime), waiting up to 5 minutes for it. */
    synchronized long await(String jobId, String type) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      Long t;
      while ((t = seen.get(jobId + "/" + type)) == null) {
        if (seen.containsKey(jobId + "/failed") || System.nanoTime() > deadline) {
          throw new IllegalStateException("job " + jobId + ": no " + type + " event (events so far: "
              + seen.keySet().stream().filter(k -> k.startsWith(jobId + "/")).toList() + ")");
        }
        wait(100);
      }
      return t;
    }

    @Override
    public void close() throws InterruptedException {
      closing = true;
      consumer.wakeup();
      thread.join(10_000);
    }
  }
}
