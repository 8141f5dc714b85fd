package org.sparkgrid.jobs.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.run.JobResult;
import org.sparkgrid.core.store.CheckpointStore;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.ingest.ControlConsumer;
import org.sparkgrid.ingest.RequestConsumer;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.auth.Authorizer;
import org.sparkgrid.ingest.events.EventPublisher;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.events.KafkaEventPublisher;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.jobs.NotOwnerException;
import org.sparkgrid.jobs.compute.SweepRunner;
import org.sparkgrid.jobs.modes.RequestPreflight;
import org.sparkgrid.jobs.modes.RunModes;
import org.sparkgrid.jobs.run.JobRuns;
import org.sparkgrid.jobs.run.RunResult;
import org.sparkgrid.jobs.run.TrainingRun;
import org.sparkgrid.jobs.service.metrics.ServiceMetrics;
import org.sparkgrid.jobs.store.Stores;
import org.sparkgrid.jobs.tree.Federations;
import org.sparkgrid.jobs.tree.SiteExclusions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running SparkGrid service: a Spark driver that consumes training requests from Kafka,
 * keeps them in the job store (offsets committed only after that), and runs them one after another
 * (up to {@code spark.sparkgrid.service.maxConcurrentJobs} at once, each in its own FAIR pool),
 * publishing lifecycle and per-epoch/per-round events. Several instances may share one job store
 * and the topics (see {@code docs/service.md}, "Several service instances"): they split the
 * requests topic's partitions in one consumer group, and a cancel read by one instance ends the job
 * in the store, where the instance running it finds it at its next lease renewal (within a third of
 * {@code spark.sparkgrid.jobs.leaseMs}) and stops it. {@link RunModes} chooses how each request
 * runs; a request with a sweep publishes a {@code trial} event per finished trial, its leaderboard in the job's result.
 * A request whose data or federation file would make it fail ({@link RequestPreflight}) is refused
 * before it is stored: it goes to the dead-letter topic as {@code unrunnable-request}, naming the
 * field and the value; a tree request that names no registered federation or asks for more than its
 * registration grants (docs/tree-mode.md, "Registered federations") goes there as {@code unauthorized}.
 * Cancel through the control topic; a refused control command is answered
 * with a {@code command-refused} event. Requests and commands must be signed by a requester of the
 * registry ({@code spark.sparkgrid.auth.*}, {@link ServiceAuth}): others go to the dead-letter topic
 * as {@code unauthorized} (commands: {@code command-refused}), and every verdict is audited in the
 * job store; where that registry does not exist yet, {@link #start} creates it with the admin
 * {@code local} and its key under the home. Each phase
 * of a job (data, train, checkpoint) may have a time limit ({@code training.timeouts}, else
 * {@code spark.sparkgrid.service.timeout.*}); past it the job ends TIMED_OUT with the phase named
 * (see {@link RunningJob}). A service killed at any point and started again puts the jobs that were
 * running back in the queue, and those resume from their last checkpoint.
 *
 * <p>Errors. Whatever a job throws, an {@link Error} included, ends that job FAILED with the reason
 * (an exception's message; for an error its class and message, e.g. {@code
 * java.lang.NoClassDefFoundError: org/example/Gone}), publishes {@code failed} and frees the job's
 * slot for the next job. A {@link StackOverflowError}, a {@link LinkageError} (a class missing or
 * changed since the service started) or an {@link AssertionError} leave the service sound: it goes
 * on. Any other {@link VirtualMachineError} ({@link OutOfMemoryError}, {@link InternalError}) leaves
 * the JVM in doubt, since other threads (Spark's, Kafka's) may have failed too: the job is still
 * recorded FAILED (so a restart does not run it again), then the service logs one {@code FATAL}
 * line and stops, and {@link #awaitTermination} throws, so that {@code bin/sparkgrid serve} exits
 * with status 1 and a supervisor restarts it. The same holds for such an error outside a job. The
 * scheduler survives anything else the job store throws, and tries again a second later.
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
  private final KafkaClients kafka;
  private final Topics topics;
  private final JobStore store;
  private final Object wake = new Object();
  private EventPublisher events;
  private RequestConsumer requests;
  private ControlConsumer control;
  private ExecutorService schedulers;
  private ScheduledExecutorService watchdog;
  private ServiceMetrics metrics;
  private final Map<String, RunningJob> runningJobs = new ConcurrentHashMap<>();
  private volatile boolean running;
  private volatile Throwable fatal;

  public SparkGridService(JavaSparkContext sc, SparkGridConfig config, String bootstrap, Topics topics,
      JobStore store) {
    this(sc, config, KafkaClients.fromConfig(config, bootstrap), topics, store);
  }

  /** A service whose Kafka clients (brokers, security) come from {@code kafka}. */
  public SparkGridService(JavaSparkContext sc, SparkGridConfig config, KafkaClients kafka, Topics topics,
      JobStore store) {
    this.sc = sc;
    this.config = config;
    this.kafka = kafka;
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
    ServiceAuth.createLocalRequester(config).ifPresent(local -> LOG.warn("no requester registry yet: created {} with"
        + " the admin '{}' ({}), its key in {} (password in {})", ServiceAuth.registryPath(config), local.name(),
        local.account(), ServiceAuth.keystorePath(config), ServiceAuth.passwordPath(config)));
    Authorizer authorizer = ServiceAuth.authorizer(config, store);
    metrics = ServiceMetrics.start(config, store::countByState, org.apache.spark.SparkEnv.get());
    events = signedEvents();
    requests = RequestConsumer.builder(kafka, store, events).topics(topics).groupId("sparkgrid-service")
        .check(RequestPreflight.of(sc.hadoopConfiguration(), Federations.registry(config))).authorizer(authorizer)
        .onQueued(id -> wakeUp()).intake(metrics).build();
    control = ControlConsumer.create(kafka, topics, "sparkgrid-service-control",
        new ServiceControlHandler(store, events, this::stopRunning,
            new SiteExclusions(Stores.checkpoints(config, sc.hadoopConfiguration())), sc.hadoopConfiguration(),
            Federations.registry(config)),
        events, new ControlConsumer.Auth(authorizer, store));
    watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sparkgrid-watchdog");
      t.setDaemon(true);
      return t;
    });
    long renewMs = Math.max(1, store.leaseDuration().toMillis() / 3);
    watchdog.scheduleWithFixedDelay(this::renewLeases, renewMs, renewMs, TimeUnit.MILLISECONDS);
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
    LOG.info("SparkGrid service consuming {} on {} ({} job(s) at once)", topics.requests(), kafka.bootstrapServers(), n);
  }

  /** The event publisher, signing with the service's key ({@link ServiceKey}); logs the account. */
  private KafkaEventPublisher signedEvents() {
    org.sparkgrid.settlement.chain.ChainKey key;
    try {
      key = ServiceKey.load(config);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read the service's key: " + e.getMessage(), e);
    }
    LOG.info("events are signed by the service account {} (clients believe it from {})", key.address(),
        ServiceKey.accountFile(config));
    return KafkaEventPublisher.create(kafka, topics.events(), store)
        .signedBy(org.sparkgrid.settlement.signing.PersonalSignatures.signer(key));
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
      } catch (Throwable e) {
        if (isFatal(e)) {
          stopAfter(e, "claiming the next job");
          return;
        }
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
      try {
        runJob(next.get());
      } catch (Throwable e) {
        if (isFatal(e)) {
          stopAfter(e, "running job " + next.get().id());
          return;
        }
        LOG.error("job {}: {} (slot {} goes on)", next.get().id(), e.toString(), slot, e);
      }
    }
  }

  /**
   * Whether an error leaves this JVM in doubt: a {@link VirtualMachineError} other than a
   * {@link StackOverflowError} (whose stack is unwound by the time it is caught).
   */
  static boolean isFatal(Throwable e) {
    return e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
  }

  /** The reason a failed job records: an exception's message, or an error's class and message. */
  static String reason(Throwable e) {
    return e instanceof Exception && e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /** Stops the service after a fatal error; {@link #awaitTermination} then throws. */
  private void stopAfter(Throwable e, String doing) {
    LOG.error("FATAL: {} while {}: stopping the SparkGrid service (exit status 1) so that a supervisor restarts it",
        e, doing, e);
    fatal = e;
    running = false;
    wakeUp();
  }

  /**
   * Extends the leases of the jobs this instance runs (every third of {@code spark.sparkgrid.jobs.leaseMs});
   * a job whose lease was lost meanwhile (another instance sharing the store took it over) is stopped
   * here, and that instance resumes it from its checkpoint.
   */
  private void renewLeases() {
    try {
      Set<String> mine = Set.copyOf(runningJobs.keySet());
      if (mine.isEmpty()) {
        return;
      }
      Set<String> held = store.heartbeat(mine);
      for (String id : mine) {
        if (!held.contains(id) && runningJobs.containsKey(id)) {
          String why = lostBecause(store.get(id));
          LOG.warn("job {}: {}: stopping its work here", id, why);
          stopRunning(id, why);
        }
      }
    } catch (RuntimeException e) {
      // the store is unreachable: the next renewal tries again, and the lease has two more thirds to run
      LOG.warn("renewing job leases: {}", e.toString());
    }
  }

  /**
   * Why this instance no longer holds a job it runs: ended in the store (cancelled through another
   * instance's control consumer, which shares the control topic's consumer group), or taken over.
   */
  static String lostBecause(Optional<Job> now) {
    if (now.isEmpty()) {
      return "removed from the job store";
    }
    Job job = now.get();
    if (job.state().terminal()) {
      return "ended in the job store (" + job.state() + ")";
    }
    return "lost its lease to " + (job.owner() == null ? "the queue" : "service instance " + job.owner());
  }

  /** A cancelled job: its thread stops at its next progress call, its Spark jobs now. */
  private void stopRunning(String jobId) {
    stopRunning(jobId, "cancelled");
  }

  private void stopRunning(String jobId, String reason) {
    RunningJob r = runningJobs.get(jobId);
    if (r != null) {
      r.stop(reason);
    }
    sc.cancelJobGroup(jobId);
  }

  private void runJob(Job job) {
    String id = job.id();
    events.publish(id, new JobEvent.Started(job.attempts() + 1));
    sc.setJobGroup(id, "SparkGrid job " + id, true);
    RunningJob progress = null;
    try {
      TrainingRequest request = RequestCodec.parse(job.requestJson());
      progress = new RunningJob(id, new PhaseClock(PhaseClock.limits(request.training().timeouts(), config),
          System::nanoTime), store, events, watchdog, sc::cancelJobGroup, metrics);
      runningJobs.put(id, progress);
      CheckpointStore checkpoints = Stores.checkpoints(config, sc.hadoopConfiguration());
      ModelStore models = Stores.models(config, sc.hadoopConfiguration());
      // a job that ran before resumes from its checkpoint, unless it died before recording its request
      boolean resume = job.attempts() > 0 && JobRuns.started(checkpoints, id);
      RunModes.Context context = new RunModes.Context(sc, config, models, checkpoints, progress)
          .withSweep(SweepRunner.Listener.onTrial(o -> events.publish(id,
              new JobEvent.Trial(o.trial(), o.overrides(), o.metrics(), o.error()))), () -> endedMeanwhile(id));
      TrainingRun run = RunModes.forRequest(request, context);
      RunResult r = resume ? run.resume(id) : run.run(request, id);
      String model = r.version().name();
      String version = String.valueOf(r.version().version());
      if (endedMeanwhile(id)) {
        return;
      }
      JobResult result = new JobResult(model, (long) r.version().version(), r.leaderboard());
      store.succeed(id, JSON.writeValueAsString(result.toMap()));
      events.publish(id, new JobEvent.Succeeded(model, version, r.metrics()));
    } catch (Throwable e) {
      try {
        recordFailure(id, e);
      } finally {
        if (isFatal(e)) {
          throw (Error) e; // the job is FAILED (if the store could say so); the service stops
        }
      }
    } finally {
      if (progress != null) {
        progress.close();
        runningJobs.remove(id);
      }
      sc.clearJobGroup();
    }
  }

  /** A job threw: FAILED with the reason and a {@code failed} event, unless it was cancelled or timed out meanwhile. */
  private void recordFailure(String id, Throwable e) {
    if (e instanceof NotOwnerException lost) {
      LOG.warn("job {} is held by {} now: nothing recorded here ({})", id, lost.owner(), lost.getMessage());
      return;
    }
    if (endedMeanwhile(id)) {
      LOG.info("job {} stopped: {}", id, store.get(id).map(Job::state).orElse(null));
      return;
    }
    String reason = reason(e);
    if (e instanceof Error) {
      LOG.error("job {} failed: {}", id, reason, e);
    } else {
      LOG.warn("job {} failed: {}", id, reason);
    }
    store.fail(id, reason);
    events.publish(id, new JobEvent.Failed(reason));
  }

  /** Whether a job this service runs was cancelled or timed out while it ran. */
  private boolean endedMeanwhile(String id) {
    return store.get(id).map(j -> j.state().terminal()).orElse(false);
  }

  /**
   * Blocks until {@link #close()}, a fatal error or interruption.
   *
   * @throws IllegalStateException if the service stopped after a fatal error, naming it (its cause)
   */
  public void awaitTermination() throws InterruptedException {
    while (running) {
      Thread.sleep(1_000);
    }
    Throwable e = fatal;
    if (e != null) {
      throw new IllegalStateException("the SparkGrid service stopped after a fatal error: " + e + "; start it again", e);
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
    if (watchdog != null) {
      watchdog.shutdownNow();
    }
    closeQuietly(requests);
    closeQuietly(control);
    closeQuietly(events);
    closeQuietly(metrics);
  }

  /** Where the Prometheus endpoint listens, if {@code spark.sparkgrid.metrics.port} turned it on (docs/metrics.md). */
  public Optional<java.net.InetSocketAddress> metricsAddress() {
    return metrics == null ? Optional.empty() : metrics.address();
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
}
