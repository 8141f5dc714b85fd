package org.sparkgrid.jobs.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.ingest.ControlConsumer;
import org.sparkgrid.ingest.RequestConsumer;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.EventPublisher;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.events.KafkaEventPublisher;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.jobs.compute.ComputeJob;
import org.sparkgrid.jobs.compute.EpochMetrics;
import org.sparkgrid.jobs.compute.ProgressListener;
import org.sparkgrid.jobs.compute.SweepRunner;
import org.sparkgrid.jobs.cli.Stores;
import org.sparkgrid.jobs.tree.FederationRunner;
import org.sparkgrid.jobs.tree.LocalSiteTrainer;
import org.sparkgrid.jobs.tree.RoundReport;
import org.sparkgrid.jobs.tree.SiteExclusions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running SparkGrid service: a Spark driver that consumes training requests from Kafka,
 * keeps them in the job store (offsets committed only after that), and runs them one after another
 * (up to {@code spark.sparkgrid.service.maxConcurrentJobs} at once, each in its own FAIR pool),
 * publishing lifecycle and per-epoch/per-round events. A request with a sweep runs its trials with
 * {@link SweepRunner}, a {@code trial} event per finished trial, its leaderboard in the job's result.
 * Cancel through the control topic. A service
 * killed at any point and started again puts the jobs that were running back in the queue, and
 * those resume from their last checkpoint.
 *
 * <pre>{@code
 * try (SparkGridService service = new SparkGridService(sc, config, bootstrap, Topics.DEFAULT, store)) {
 *   service.start();
 *   service.awaitTermination();
 * }
 * }</pre>
 */
public final class SparkGridService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SparkGridService.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JavaSparkContext sc;
  private final SparkGridConfig config;
  private final String bootstrap;
  private final Topics topics;
  private final JobStore store;
  private final Object wake = new Object();
  private EventPublisher events;
  private RequestConsumer requests;
  private ControlConsumer control;
  private ExecutorService schedulers;
  private volatile boolean running;

  public SparkGridService(JavaSparkContext sc, SparkGridConfig config, String bootstrap, Topics topics,
      JobStore store) {
    this.sc = sc;
    this.config = config;
    this.bootstrap = bootstrap;
    this.topics = topics;
    this.store = store;
  }

  /** Recovers interrupted jobs, starts consuming and scheduling. */
  public void start() {
    int recovered = store.recoverAfterRestart();
    if (recovered > 0) {
      LOG.info("{} job(s) were running when the service stopped: queued again, to resume from their checkpoints",
          recovered);
    }
    events = KafkaEventPublisher.create(bootstrap, topics.events(), store);
    requests = RequestConsumer.builder(bootstrap, store, events).topics(topics).groupId("sparkgrid-service")
        .onQueued(id -> wakeUp()).build();
    control = ControlConsumer.create(bootstrap, topics, "sparkgrid-service-control",
        new ServiceControlHandler(store, events, sc::cancelJobGroup,
            new SiteExclusions(Stores.checkpoints(config, sc.hadoopConfiguration())), sc.hadoopConfiguration()));
    requests.start();
    control.start();
    running = true;
    int n = config.get(SparkGridConfig.SERVICE_MAX_CONCURRENT_JOBS);
    schedulers = Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "sparkgrid-scheduler");
      t.setDaemon(true);
      return t;
    });
    for (int i = 0; i < n; i++) {
      int slot = i;
      schedulers.submit(() -> schedule(slot));
    }
    LOG.info("SparkGrid service consuming {} on {} ({} job(s) at once)", topics.requests(), bootstrap, n);
  }

  private void wakeUp() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  private void schedule(int slot) {
    sc.setLocalProperty("spark.scheduler.pool", "sparkgrid-" + slot);
    while (running) {
      Optional<Job> next;
      try {
        next = store.claimNext();
      } catch (RuntimeException e) {
        LOG.warn("job store unavailable: {}", e.toString());
        next = Optional.empty();
      }
      if (next.isEmpty()) {
        synchronized (wake) {
          try {
            wake.wait(1_000);
          } catch (InterruptedException e) {
            return;
          }
        }
        continue;
      }
      runJob(next.get());
    }
  }

  private void runJob(Job job) {
    String id = job.id();
    events.publish(id, new JobEvent.Started(job.attempts() + 1));
    sc.setJobGroup(id, "SparkGrid job " + id, true);
    try {
      TrainingRequest request = RequestCodec.parse(job.requestJson());
      ProgressListener progress = new EventProgress(id);
      Map<String, Double> metrics = new LinkedHashMap<>();
      String model;
      String version;
      store.setPhase(id, "train");
      Map<String, Object> result = new LinkedHashMap<>();
      if (request.federation() != null) {
        FederationRunner runner = new FederationRunner(sc, config, Stores.models(config, sc.hadoopConfiguration()),
            Stores.checkpoints(config, sc.hadoopConfiguration()), progress, new LocalSiteTrainer());
        FederationRunner.Result r = job.attempts() > 0 ? runner.resume(id) : runner.run(request, id);
        model = r.version().name();
        version = String.valueOf(r.version().version());
        if (r.evaluation() != null) {
          metrics.put("accuracy", r.evaluation().accuracy());
        }
      } else if (request.sweep() != null) {
        SweepRunner sweep = new SweepRunner(sc, config, Stores.models(config, sc.hadoopConfiguration()),
            Stores.checkpoints(config, sc.hadoopConfiguration()), SweepRunner.Listener.onTrial(o -> events.publish(id,
                new JobEvent.Trial(o.trial(), o.overrides(), o.metrics(), o.error()))), () -> isCancelled(id));
        SweepRunner.Result r = job.attempts() > 0 ? sweep.resume(id) : sweep.run(request, id);
        model = r.version().name();
        version = String.valueOf(r.version().version());
        metrics.putAll(r.winner().metrics());
        result.put("sweep", r.leaderboard().toMap());
      } else {
        ComputeJob compute = new ComputeJob(sc, config, Stores.models(config, sc.hadoopConfiguration()),
            Stores.checkpoints(config, sc.hadoopConfiguration()), progress);
        ComputeJob.Result r = job.attempts() > 0 ? compute.resume(id) : compute.run(request, id);
        model = r.version().name();
        version = String.valueOf(r.version().version());
        if (r.evaluation() != null) {
          metrics.put("accuracy", r.evaluation().accuracy());
          metrics.put("loss", r.evaluation().loss());
        }
      }
      if (isCancelled(id)) {
        return;
      }
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("model", model);
      summary.put("version", Long.parseLong(version));
      summary.putAll(result);
      store.succeed(id, JSON.writeValueAsString(summary));
      events.publish(id, new JobEvent.Succeeded(model, version, metrics));
    } catch (Exception e) {
      if (isCancelled(id)) {
        LOG.info("job {} stopped: cancelled", id);
        return;
      }
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.warn("job {} failed: {}", id, reason);
      store.fail(id, reason);
      events.publish(id, new JobEvent.Failed(reason));
    } finally {
      sc.clearJobGroup();
    }
  }

  private boolean isCancelled(String id) {
    return store.get(id).map(j -> j.state() == JobState.CANCELLED).orElse(false);
  }

  /** Blocks until {@link #close()} or interruption. */
  public void awaitTermination() throws InterruptedException {
    while (running) {
      Thread.sleep(1_000);
    }
  }

  @Override
  public void close() {
    running = false;
    wakeUp();
    if (schedulers != null) {
      schedulers.shutdownNow();
      try {
        schedulers.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeQuietly(requests);
    closeQuietly(control);
    closeQuietly(events);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("closing {}: {}", c, e.toString());
    }
  }

  /** Turns training progress into events. */
  private final class EventProgress implements ProgressListener {
    private final String jobId;

    EventProgress(String jobId) {
      this.jobId = jobId;
    }

    @Override
    public void waiting(String reason) {
      events.publish(jobId, new JobEvent.Waiting(reason));
    }

    @Override
    public boolean cancelled() {
      return store.get(jobId).map(j -> j.state() == JobState.CANCELLED).orElse(false);
    }

    @Override
    public void epochDone(EpochMetrics m, int epochs) {
      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("trainLoss", m.trainLoss());
      if (!Double.isNaN(m.testAccuracy())) {
        metrics.put("testAccuracy", m.testAccuracy());
        metrics.put("testLoss", m.testLoss());
      }
      metrics.put("examplesPerSecond", m.examplesPerSecond());
      events.publish(jobId, new JobEvent.Epoch(m.epoch(), metrics));
    }

    @Override
    public void roundDone(RoundReport r) {
      events.publish(jobId, TreeEvents.round(r));
    }
  }
}
