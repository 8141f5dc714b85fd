package org.sparkgrid.jobs.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;
import org.sparkgrid.core.request.WorkerResources;
import org.sparkgrid.federation.round.Rejection;
import org.sparkgrid.federation.round.UpdateValidation;
import org.sparkgrid.federation.sites.FederationFile.SiteKey;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.jobs.data.ConfEntries;
import org.sparkgrid.jobs.resources.WorkerProfiles;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction0;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * One round's site training as one Spark job: one task per selected site, each preferring that
 * site's hosts and running with the request's worker resources ({@link WorkerProfiles}), with the
 * round's global parameters broadcast once. Each task signs its site's update with the site's key
 * ({@link SiteSigning}); the signatures are checked on the driver, by the caller. Each site's outcome is taken as
 * its task ends; at the round's deadline the job is cancelled (running tasks are interrupted) and the
 * sites that have not reported are left out. A site whose training throws on its last allowed attempt
 * ({@code spark.task.maxFailures}; 1 on {@code local[N]}) reports the failure instead of failing the
 * job, so the other sites go on (a site that cannot load its key fails so too). A task that fails in Spark itself (its executor lost on every
 * attempt) fails the job: the sites that had not reported by then are left out with that reason.
 *
 * <p>Two ways to end, one per aggregation mode:
 * <ul>
 *   <li>updates to the driver ({@code keepUpdates} false): each task returns its whole result;
 *   <li>updates kept on the executors ({@code keepUpdates} true): the trained outcomes are persisted
 *       where they were computed, each task also checks its update's shape there ({@link UpdateValidation}'s
 *       built-in checks) and returns the outcome without its delta but with the delta's hash, which the
 *       signature covers; {@link #held} then gives the deltas to {@link SparkAggregation} and to
 *       the coordinator's leave-one-out tasks ({@link RoundEvaluation}), and {@link #collect} brings
 *       chosen ones to the driver. {@link #close} unpersists them.
 * </ul>
 * A round that retries the sites that missed ({@code belowMinSites: wait}) runs one such job per
 * attempt; {@link #held} reads across them.
 */
final class SiteRound implements AutoCloseable {

  private final Broadcast<Inputs> inputs;
  private final JavaRDD<SiteOutcome> trained;
  private final boolean keepUpdates;
  private final List<SiteOutcome> outcomes;
  private final Map<String, String> missing;
  private final Map<String, Integer> partitionOf;

  private SiteRound(Broadcast<Inputs> inputs, JavaRDD<SiteOutcome> trained, boolean keepUpdates,
      List<SiteOutcome> outcomes, Map<String, String> missing, Map<String, Integer> partitionOf) {
    this.partitionOf = partitionOf;
    this.inputs = inputs;
    this.trained = trained;
    this.keepUpdates = keepUpdates;
    this.outcomes = outcomes;
    this.missing = missing;
  }

  /**
   * Trains the sites and waits for them until the deadline.
   *
   * @param jobId       the job, part of what each site signs
   * @param tasks       one per site, in selection order (their own global parameters are ignored)
   * @param keys        each site's signing key, in the same order
   * @param hosts       each site's preferred hosts, in the same order (may be empty)
   * @param resources   the request's {@code engine.resources} for each site's task, or null
   * @param global      the round's global parameters
   * @param serverControl SCAFFOLD's server control variate {@code c}, sent once per executor beside
   *     {@code global} to the tasks that carry control variates; null for every other strategy
   * @param timeoutMs   the round's deadline, from now
   * @param keepUpdates keep the updates on the executors (see the class comment)
   */
  static SiteRound run(JavaSparkContext sc, String jobId, List<SiteTask> tasks, List<SiteKey> keys,
      List<List<String>> hosts, WorkerResources resources, float[] global, float[] serverControl, SiteTrainer trainer,
      ConfEntries conf, long timeoutMs, boolean keepUpdates) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    Broadcast<Inputs> shared = sc.broadcast(new Inputs(global, serverControl, conf));
    List<Tuple2<SiteTask, scala.collection.Seq<String>>> parts = new ArrayList<>();
    HashMap<String, SiteKey> keyOf = new HashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      keyOf.put(tasks.get(i).siteId(), keys.get(i));
      parts.add(new Tuple2<>(tasks.get(i).withGlobal(null),
          JavaConverters.asScalaBuffer(new ArrayList<>(hosts.get(i))).toSeq()));
    }
    RDD<SiteTask> sites = sc.sc().makeRDD(JavaConverters.asScalaBuffer(parts).toSeq(),
        ClassTag$.MODULE$.apply(SiteTask.class));
    JavaRDD<SiteOutcome> trained = WorkerProfiles.apply(sc.sc(), sites, resources).toJavaRDD()
        .map(new Train(shared, trainer, maxAttempts(sc.master(), sc.getConf()), jobId, keyOf, keepUpdates,
            global.length));
    JavaRDD<SiteOutcome> reported = trained;
    if (keepUpdates) {
      trained.persist(StorageLevel.MEMORY_AND_DISK());
      reported = trained.map(SiteOutcome::withoutDelta);
    }

    int n = tasks.size();
    AtomicReferenceArray<SiteOutcome> arrived = new AtomicReferenceArray<>(n);
    CountDownLatch pending = new CountDownLatch(n);
    String interrupt = sc.getLocalProperty("spark.job.interruptOnCancel");
    sc.setLocalProperty("spark.job.interruptOnCancel", "true");
    SimpleFutureAction<Object> job;
    try {
      job = sc.sc().submitJob(reported.rdd(), new First(), JavaConverters.asScalaBuffer(
          Arrays.<Object>asList(java.util.stream.IntStream.range(0, n).boxed().toArray())).toSeq(),
          new AbstractFunction2<Object, SiteOutcome, BoxedUnit>() {
            @Override
            public BoxedUnit apply(Object partition, SiteOutcome outcome) {
              arrived.set((Integer) partition, outcome);
              pending.countDown();
              return BoxedUnit.UNIT;
            }
          }, new AbstractFunction0<Object>() {
            @Override
            public Object apply() {
              return null;
            }
          });
    } finally {
      sc.setLocalProperty("spark.job.interruptOnCancel", interrupt);
    }
    String jobFailure = await(job, pending, deadline);
    if (pending.getCount() > 0 && !job.isCompleted()) {
      job.cancel();
    }

    List<SiteOutcome> outcomes = new ArrayList<>();
    Map<String, String> missing = new LinkedHashMap<>();
    Map<String, Integer> partitionOf = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      SiteOutcome o = arrived.get(i);
      String id = tasks.get(i).siteId();
      partitionOf.put(id, i);
      if (o != null) {
        outcomes.add(o);
      } else {
        missing.put(id, jobFailure != null ? "site training failed: " + jobFailure
            : "missed the round deadline of " + timeoutMs + " ms");
      }
    }
    return new SiteRound(shared, trained, keepUpdates, outcomes, missing, partitionOf);
  }

  /** Waits for every result, the deadline or the job's failure; the failure's root message, or null. */
  private static String await(SimpleFutureAction<Object> job, CountDownLatch pending, long deadline) {
    try {
      while (pending.getCount() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        if (pending.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)), TimeUnit.NANOSECONDS)) {
          return null;
        }
        if (job.isCompleted() && job.value().get().isFailure()) {
          return rootMessage(job.value().get().failed().get());
        }
      }
      return null;
    } catch (InterruptedException e) {
      job.cancel();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the sites", e);
    }
  }

  /** The outcomes that arrived before the deadline, in selection order. */
  List<SiteOutcome> outcomes() {
    return outcomes;
  }

  /** The sites with no outcome, with why: the deadline, or the job's failure. */
  Map<String, String> missing() {
    return missing;
  }

  /**
   * The kept deltas of a round's jobs as one RDD (one partition per site of each job), and where the
   * given sites' deltas are in it.
   *
   * @param deltas     the deltas, persisted where they were trained
   * @param partitions the partition of each site asked for, in the order asked
   */
  record Held(JavaRDD<float[]> deltas, int[] partitions) {}

  /**
   * The kept updates of the given sites, for {@link SparkAggregation} and {@link RoundEvaluation}, across
   * the round's jobs (retries of the sites that missed).
   *
   * @param from the job holding each site's update, in the order of {@code siteIds}
   */
  static Held held(JavaSparkContext sc, List<SiteRound> from, List<String> siteIds) {
    List<SiteRound> jobs = from.stream().distinct().toList();
    Map<SiteRound, Integer> offset = new HashMap<>();
    int partitions = 0;
    for (SiteRound r : jobs) {
      offset.put(r, partitions);
      partitions += r.trained.getNumPartitions();
    }
    int[] accepted = new int[siteIds.size()];
    for (int i = 0; i < accepted.length; i++) {
      SiteRound r = from.get(i);
      accepted[i] = offset.get(r) + r.partitions(List.of(siteIds.get(i)))[0];
    }
    @SuppressWarnings("unchecked")
    JavaRDD<float[]> deltas = jobs.size() == 1 ? jobs.get(0).deltas()
        : sc.union(jobs.stream().map(SiteRound::deltas).toArray(JavaRDD[]::new));
    return new Held(deltas, accepted);
  }

  /** The kept updates of the given sites, brought to the driver, in that order. */
  List<SiteUpdate> collect(List<String> siteIds) {
    int[] wanted = partitions(siteIds);
    int[] sorted = Arrays.stream(wanted).sorted().toArray();
    List<SiteOutcome> got = SparkAggregation.only(trained, sorted).collect();
    List<SiteUpdate> out = new ArrayList<>();
    for (int p : wanted) {
      SiteOutcome o = got.get(Arrays.binarySearch(sorted, p));
      out.add(new SiteUpdate(o.siteId(), o.delta(), o.result().examples(), o.result().localSteps(),
          o.result().controlDelta()));
    }
    return out;
  }

  private JavaRDD<float[]> deltas() {
    return trained.map(SiteOutcome::delta);
  }

  /** The partitions of the sites, which are their positions in the selection. */
  private int[] partitions(List<String> siteIds) {
    if (!keepUpdates) {
      throw new IllegalStateException("this round's updates went to the driver; none are kept on the executors");
    }
    int[] out = new int[siteIds.size()];
    for (int i = 0; i < out.length; i++) {
      Integer p = partitionOf.get(siteIds.get(i));
      if (p == null) {
        throw new IllegalArgumentException("site " + siteIds.get(i) + " has no update in this round");
      }
      out[i] = p;
    }
    return out;
  }

  @Override
  public void close() {
    if (keepUpdates) {
      trained.unpersist(false);
    }
    inputs.destroy();
  }

  /** How many times Spark runs a failing task: 1 on {@code local} and {@code local[N]}, F on {@code local[N,F]}. */
  static int maxAttempts(String master, SparkConf conf) {
    Matcher m = Pattern.compile("local(?:\\[[^,\\]]+(?:,(\\d+))?])?").matcher(master);
    if (m.matches()) {
      return m.group(1) == null ? 1 : Integer.parseInt(m.group(1));
    }
    return conf.getInt("spark.task.maxFailures", 4);
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }

  /**
   * What every site's task of a round reads, broadcast once (one copy per executor): the global
   * parameters, and the Hadoop settings, turned into a {@code Configuration} once per executor and
   * shared by its tasks.
   */
  private static final class Inputs implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final float[] global;
    private final float[] serverControl;
    private final ConfEntries conf;
    private transient org.apache.hadoop.conf.Configuration hadoop;

    Inputs(float[] global, float[] serverControl, ConfEntries conf) {
      this.global = global;
      this.serverControl = serverControl;
      this.conf = conf;
    }

    synchronized org.apache.hadoop.conf.Configuration hadoop() {
      if (hadoop == null) {
        hadoop = conf.toConfiguration();
      }
      return hadoop;
    }
  }

  /**
   * One site's task: train from the broadcast parameters and sign; report a failure on the last
   * attempt. Where the update stays on the executor, also check its shape and keep its hash.
   */
  private static final class Train implements Function<SiteTask, SiteOutcome> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Inputs> inputs;
    private final SiteTrainer trainer;
    private final int maxAttempts;
    private final String jobId;
    private final HashMap<String, SiteKey> keys;
    private final boolean keepUpdates;
    private final int length;

    Train(Broadcast<Inputs> inputs, SiteTrainer trainer, int maxAttempts, String jobId, HashMap<String, SiteKey> keys,
        boolean keepUpdates, int length) {
      this.inputs = inputs;
      this.trainer = trainer;
      this.maxAttempts = maxAttempts;
      this.jobId = jobId;
      this.keys = keys;
      this.keepUpdates = keepUpdates;
      this.length = length;
    }

    @Override
    public SiteOutcome call(SiteTask task) throws Exception {
      SiteSigning.Signed signed;
      try {
        SiteIdentity.verify(task.siteId()); // before the site's data or key: refused off the site's executors
        Inputs in = inputs.value();
        signed = SiteSigning.trainSignAndHash(trainer, task.withInputs(in.global, in.serverControl), in.hadoop(), jobId,
            keys.get(task.siteId()));
      } catch (Exception e) {
        TaskContext ctx = TaskContext.get();
        if (ctx != null && ctx.attemptNumber() + 1 < maxAttempts) {
          throw e; // Spark tries again
        }
        return SiteOutcome.failed(task.siteId(), rootMessage(e));
      }
      SiteResult r = signed.result();
      if (!keepUpdates) {
        return new SiteOutcome(task.siteId(), r, null, null, null);   // the driver checks the whole update
      }
      List<Rejection> rejected = UpdateValidation.validate(List.of(new SiteUpdate(task.siteId(), r.delta(),
          r.examples(), r.localSteps(), r.controlDelta())), length, List.of()).rejected();
      return new SiteOutcome(task.siteId(), r, signed.deltaHash(), null,
          rejected.isEmpty() ? null : rejected.get(0).reason());
    }
  }

  /** The one element of a site's partition. */
  private static final class First extends AbstractFunction1<scala.collection.Iterator<SiteOutcome>, SiteOutcome>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public SiteOutcome apply(scala.collection.Iterator<SiteOutcome> it) {
      return it.next();
    }
  }
}
