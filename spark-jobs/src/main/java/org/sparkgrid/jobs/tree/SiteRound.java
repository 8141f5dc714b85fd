package org.sparkgrid.jobs.tree;

import java.util.ArrayList;
import java.util.Arrays;
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
import org.apache.spark.storage.StorageLevel;
import org.sparkgrid.federation.round.Rejection;
import org.sparkgrid.federation.round.UpdateCheck;
import org.sparkgrid.federation.round.UpdateValidation;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.jobs.data.ConfEntries;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction0;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * One round's site training as one Spark job: one task per selected site, each preferring that
 * site's hosts, with the round's global parameters broadcast once. Each site's outcome is taken as
 * its task ends; at the round's deadline the job is cancelled (running tasks are interrupted) and the
 * sites that have not reported are left out. A site whose training throws on its last allowed attempt
 * ({@code spark.task.maxFailures}; 1 on {@code local[N]}) reports the failure instead of failing the
 * job, so the other sites go on. A task that fails in Spark itself (its executor lost on every
 * attempt) fails the job: the sites that had not reported by then are left out with that reason.
 *
 * <p>Two ways to end, one per aggregation mode:
 * <ul>
 *   <li>updates to the driver ({@code keepUpdates} false): each task returns its whole result;
 *   <li>updates kept on the executors ({@code keepUpdates} true): the trained outcomes are persisted
 *       where they were computed, each task also runs the update checks there and returns the outcome
 *       without its delta; {@link #updates} then gives the deltas to {@link SparkAggregation} and
 *       {@link #collect} brings chosen ones to the driver. {@link #close} unpersists them.
 * </ul>
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
   * @param tasks       one per site, in selection order (their own global parameters are ignored)
   * @param hosts       each site's preferred hosts, in the same order (may be empty)
   * @param global      the round's global parameters
   * @param timeoutMs   the round's deadline, from now
   * @param keepUpdates keep the updates on the executors (see the class comment)
   * @param checks      with {@code keepUpdates}: the extra checks run in each task beside the built-in
   *     ones of {@link UpdateValidation}; ignored otherwise
   */
  static SiteRound run(JavaSparkContext sc, List<SiteTask> tasks, List<List<String>> hosts, float[] global,
      SiteTrainer trainer, ConfEntries conf, long timeoutMs, boolean keepUpdates, List<UpdateCheck> checks) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    Broadcast<Inputs> shared = sc.broadcast(new Inputs(global, conf));
    List<Tuple2<SiteTask, scala.collection.Seq<String>>> parts = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      parts.add(new Tuple2<>(tasks.get(i).withGlobal(null),
          JavaConverters.asScalaBuffer(new ArrayList<>(hosts.get(i))).toSeq()));
    }
    JavaRDD<SiteTask> sites = sc.sc().makeRDD(JavaConverters.asScalaBuffer(parts).toSeq(),
        ClassTag$.MODULE$.apply(SiteTask.class)).toJavaRDD();
    JavaRDD<SiteOutcome> trained = sites.map(new Train(shared, trainer, maxAttempts(sc.master(), sc.getConf()),
        keepUpdates ? List.copyOf(checks) : null, global.length));
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

  /** The kept updates of the given sites, in that order, for {@link SparkAggregation}. */
  SparkAggregation updates(List<String> siteIds, int length, int shards, SparkAggregation.Exchange exchange) {
    return SparkAggregation.over(deltas(), partitions(siteIds), length, shards, exchange);
  }

  /** The kept updates of the given sites, brought to the driver, in that order. */
  List<SiteUpdate> collect(List<String> siteIds) {
    int[] wanted = partitions(siteIds);
    int[] sorted = Arrays.stream(wanted).sorted().toArray();
    List<SiteOutcome> got = SparkAggregation.only(trained, sorted).collect();
    List<SiteUpdate> out = new ArrayList<>();
    for (int p : wanted) {
      SiteOutcome o = got.get(Arrays.binarySearch(sorted, p));
      out.add(new SiteUpdate(o.siteId(), o.delta(), o.result().examples()));
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
    private final ConfEntries conf;
    private transient org.apache.hadoop.conf.Configuration hadoop;

    Inputs(float[] global, ConfEntries conf) {
      this.global = global;
      this.conf = conf;
    }

    synchronized org.apache.hadoop.conf.Configuration hadoop() {
      if (hadoop == null) {
        hadoop = conf.toConfiguration();
      }
      return hadoop;
    }
  }

  /** One site's task: train from the broadcast parameters; report a failure on the last attempt. */
  private static final class Train implements Function<SiteTask, SiteOutcome> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<Inputs> inputs;
    private final SiteTrainer trainer;
    private final int maxAttempts;
    private final List<UpdateCheck> checks;
    private final int length;

    Train(Broadcast<Inputs> inputs, SiteTrainer trainer, int maxAttempts, List<UpdateCheck> checks, int length) {
      this.inputs = inputs;
      this.trainer = trainer;
      this.maxAttempts = maxAttempts;
      this.checks = checks;
      this.length = length;
    }

    @Override
    public SiteOutcome call(SiteTask task) throws Exception {
      SiteResult r;
      try {
        Inputs in = inputs.value();
        r = trainer.train(task.withGlobal(in.global), in.hadoop());
      } catch (Exception e) {
        TaskContext ctx = TaskContext.get();
        if (ctx != null && ctx.attemptNumber() + 1 < maxAttempts) {
          throw e; // Spark tries again
        }
        return new SiteOutcome(task.siteId(), null, rootMessage(e), null);
      }
      String problem = null;
      if (checks != null) {
        List<Rejection> rejected = UpdateValidation.validate(List.of(new SiteUpdate(task.siteId(), r.delta(),
            r.examples())), length, checks).rejected();
        problem = rejected.isEmpty() ? null : rejected.get(0).reason();
      }
      return new SiteOutcome(task.siteId(), r, null, problem);
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
