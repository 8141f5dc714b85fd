package org.sparkgrid.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
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
import org.sparkgrid.ingest.kafka.EmbeddedKafka;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.jobs.compute.ComputeJob;
import org.sparkgrid.jobs.resources.SparkContexts;
import org.sparkgrid.jobs.run.JobPhase;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.service.SparkGridService;
import org.sparkgrid.jobs.store.Stores;

/**
 * Request-to-first-epoch latency of the request service, warm: an embedded Kafka broker and the
 * service in this JVM on {@code local[2]}; after warm-up jobs, N tiny requests one after another,
 * each timed from {@code client.submit} to the moment its first {@code epoch} event reaches a
 * consumer of the events topic (with the {@code queued} and {@code started} events on the way).
 * Next to it, the baseline measured in the same run on the same SparkContext: the same requests
 * run by {@link ComputeJob} directly, timed from the call to its first {@code epochDone}.
 *
 * <pre>benchmarks/run latency [--requests 30] [--limit 256] [--jobs-per-epoch 4]</pre>
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
    Path dir = Files.createTempDirectory("sparkgrid-latency");
    SparkGridConfig config = SparkGridConfig.from(Map.of(
        "spark.sparkgrid.home", dir.resolve("home").toString(),
        "spark.sparkgrid.progress.enabled", "false",
        "spark.sparkgrid.engine.jobsPerEpoch", jobsPerEpoch,
        "spark.sparkgrid.auth.required", "false")); // signing clients arrive with h-signing
    System.out.printf("Latency benchmark: %d requests (MLP 784-32-10, %d training examples, 1 epoch, batch 32, "
        + "2 workers, no test set), spark.sparkgrid.engine.jobsPerEpoch=%s, local[2], %d cores%n",
        n, limit, jobsPerEpoch, Runtime.getRuntime().availableProcessors());

    SparkConf conf = SparkContexts.conf("LatencyBenchmark", "local[2]")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.scheduler.mode", "FAIR");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        JavaSparkContext sc = new JavaSparkContext(conf);
        JobStore store = JdbcJobStore.openH2(dir.resolve("jobs"))) {
      sc.setLogLevel("WARN");
      try (Admin admin = KafkaClients.plain(kafka.bootstrapServers()).admin("bench-admin")) {
        Topics.DEFAULT.createMissing(admin, 1, (short) 1);
      }

      long[] baseline = new long[n];
      long[][] phases = new long[3][n];
      long[] total = new long[n];
      long[] toQueued = new long[n];
      long[] toStarted = new long[n];
      long[] toEpoch = new long[n];
      try (EventTimes times = new EventTimes(kafka.bootstrapServers());
          SparkGridService service = new SparkGridService(sc, config, kafka.bootstrapServers(), Topics.DEFAULT, store);
          SparkGridClient client = SparkGridClient.connect(kafka.bootstrapServers())) {
        service.start();
        for (int i = 0; i < WARM_UP; i++) {
          direct(sc, config, request("warm-direct-" + i, limit));
          client.submit(request("warm-service-" + i, limit));
          times.await("warm-service-" + i, "succeeded");
        }
        // one after another, alternating, so that drift (JIT, other load) touches both alike
        for (int i = 0; i < n; i++) {
          // baseline: ComputeJob on this SparkContext, to its first epochDone
          long[] t = direct(sc, config, request("direct-" + i, limit));
          baseline[i] = t[0];
          for (int p = 0; p < 3; p++) {
            phases[p][i] = t[1 + p];
          }
          // the service: client.submit to the first epoch event seen on the events topic
          String id = "service-" + i;
          long t0 = System.nanoTime();
          client.submit(request(id, limit));
          long epoch = times.await(id, "epoch");
          long queued = times.await(id, "queued");
          long started = times.await(id, "started");
          total[i] = epoch - t0;
          toQueued[i] = queued - t0;
          toStarted[i] = started - queued;
          toEpoch[i] = epoch - started;
          times.await(id, "succeeded");
        }
      }

      System.out.println();
      System.out.printf("%-62s %9s %9s %9s%n", "request to first epoch (ms)", "p50", "p99", "mean");
      row("ComputeJob called directly, to its first epochDone (baseline)", baseline);
      row("  of which: data phase (read, shard, normalize, build)", phases[0]);
      row("  of which: train phase (Spark jobs of the epoch)", phases[1]);
      row("  of which: checkpoint phase (the epoch's checkpoint)", phases[2]);
      row("service: client.submit to the first epoch event", total);
      row("  of which: submit to the queued event (Kafka in, job store)", toQueued);
      row("  of which: queued to the started event (scheduler)", toStarted);
      row("  of which: started to the first epoch event (the job)", toEpoch);
      System.out.printf(Locale.ROOT, "service overhead at p50: %.0f ms over the baseline; target: p50 <= 250 ms%n",
          ms(percentile(total, 50)) - ms(percentile(baseline, 50)));
    } finally {
      Bench.deleteQuietly(dir);
    }
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

  private static void row(String name, long[] nanos) {
    System.out.printf(Locale.ROOT, "%-62s %9.0f %9.0f %9.0f%n", name, ms(percentile(nanos, 50)),
        ms(percentile(nanos, 99)), ms(Arrays.stream(nanos).average().orElse(0)));
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
