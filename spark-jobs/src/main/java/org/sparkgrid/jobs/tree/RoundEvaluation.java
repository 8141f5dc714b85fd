package org.sparkgrid.jobs.tree;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.Dependency;
import org.apache.spark.NarrowDependency;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.resource.ResourceProfile;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.sparkgrid.core.run.EvaluationResult;
import org.sparkgrid.federation.scoring.LeaveOneOut;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.eval.EvaluationCounts;
import org.sparkgrid.jobs.eval.LocalEvaluator;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * The coordinator's work after a round's merge, as one Spark stage instead of serial work on the
 * driver: leave-one-out contribution scoring where the sites' updates are cached, and the test
 * evaluation of the new global model. Its tasks:
 * <ul>
 *   <li>one per accepted site, on the executor that holds the site's update: FedAvg of all updates
 *       but this one, {@code global + (S - n_i d_i) / (W - n_i)} ({@link LeaveOneOut}, from the
 *       round's weighted sum {@code S}, broadcast), and its loss on the validation set;
 *       The first of them also evaluates the FedAvg of every update ({@code global + S / W}), the
 *       baseline of the scores;
 *   <li>one per {@value #TEST_EXAMPLES_PER_TASK} test examples: the new global model's confusion
 *       matrix and loss sum on them ({@link EvaluationCounts}), summed on the driver.
 * </ul>
 * The validation and test sets are broadcast once per federation (each executor builds its
 * minibatches once, the same 1,000-example batches as the driver's), the round's parameters once per
 * round; the driver gets back {@code n + 1} losses and the test counts. Tasks of similar size (2,000
 * examples each) keep every core busy to the end of the stage. The test tasks take the resource
 * profile of the sites' tasks, where they have one ({@code engine.resources}): a stage runs with one.
 *
 * <pre>{@code
 * try (RoundEvaluation coordinator = RoundEvaluation.start(sc, networkJson, validation, test, normalizer, 10)) {
 *   RoundEvaluation.Outcome o = coordinator.run(round, next, new RoundEvaluation.LeaveOneOutInputs(deltas,
 *       partitions, examples, global, LeaveOneOut.weightedSum(ranges, examples)));
 *   double[] scores = o.scores();
 * }
 * }</pre>
 */
final class RoundEvaluation implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoundEvaluation.class);
  /** Examples per test task: a multiple of the batches, so that they are the batches the driver evaluates. */
  static final int TEST_EXAMPLES_PER_TASK = 2_000;
  /** Examples per minibatch, as the driver's evaluation ({@code FederationRunner}). */
  static final int BATCH = 1_000;

  private final JavaSparkContext sc;
  private final Broadcast<Data> data;
  private final int testTasks;

  private RoundEvaluation(JavaSparkContext sc, Broadcast<Data> data, int testTasks) {
    this.sc = sc;
    this.data = data;
    this.testTasks = testTasks;
  }

  /**
   * Broadcasts the coordinator's data for a federation.
   *
   * @param test the test set, or null without one
   */
  static RoundEvaluation start(JavaSparkContext sc, String networkJson, ExampleShard validation, ExampleShard test,
      DataNormalization normalizer, int numClasses) {
    int tasks = test == null ? 0 : (test.count() + TEST_EXAMPLES_PER_TASK - 1) / TEST_EXAMPLES_PER_TASK;
    return new RoundEvaluation(sc, sc.broadcast(new Data(networkJson, validation, test, normalizer, numClasses)),
        tasks);
  }

  /** Whether there is a test set to evaluate on. */
  boolean hasTest() {
    return testTasks > 0;
  }

  /**
   * What the leave-one-out tasks read.
   *
   * @param deltas      the sites' deltas, one per partition, persisted where they were trained
   * @param partitions  the accepted sites' partitions, in the round's order
   * @param examples    their example counts, in the same order
   * @param global      the round's input parameters
   * @param weightedSum {@code S = sum_k n_k d_k} over the accepted updates ({@link LeaveOneOut#weightedSum})
   */
  record LeaveOneOutInputs(JavaRDD<float[]> deltas, int[] partitions, long[] examples, float[] global,
      double[] weightedSum) {}

  /**
   * What the stage computed.
   *
   * @param withoutLoss  the validation loss of the FedAvg of all updates but each one, in the round's
   *     order; null without leave-one-out scoring
   * @param allLoss      the validation loss of the FedAvg of all updates; NaN without
   * @param test         the new global model on the test set; null without one
   * @param scoringMs    the stage's wall time, the share of its leave-one-out tasks' run time
   * @param evaluationMs the stage's wall time, the share of its test tasks' run time
   */
  record Outcome(double[] withoutLoss, double allLoss, EvaluationResult test, double scoringMs, double evaluationMs) {

    /** Each site's leave-one-out loss improvement, as {@code ContributionScores.leaveOneOut}. */
    double[] scores() {
      return LeaveOneOut.scores(allLoss, withoutLoss);
    }
  }

  /**
   * Runs the stage.
   *
   * @param round the round, for the job's description
   * @param next  the new global parameters to test, or null for no test evaluation
   * @param loo   the leave-one-out inputs, or null for no scoring
   * @return the losses and the test result; all empty if there was nothing to do
   */
  Outcome run(int round, float[] next, LeaveOneOutInputs loo) {
    boolean testing = next != null && testTasks > 0;
    if (!testing && loo == null) {
      return new Outcome(null, Double.NaN, null, 0, 0);
    }
    long total = loo == null ? 0 : Arrays.stream(loo.examples()).sum();
    Broadcast<Params> params = sc.broadcast(new Params(loo == null ? null : loo.global(),
        loo == null ? null : loo.weightedSum(), total, testing ? next : null));
    long t0 = System.nanoTime();
    List<Part> parts;
    try {
      sc.setJobDescription("SparkGrid federation round " + (round + 1) + ": "
          + (loo == null ? "" : "leave-one-out scoring" + (testing ? " and " : "")) + (testing ? "test evaluation" : ""));
      Broadcast<Data> d = data; // the tasks capture the broadcasts, not this object
      List<JavaRDD<Part>> stage = new ArrayList<>();
      ResourceProfile profile = null;
      if (loo != null) {
        stage.add(without(loo, d, params));
        profile = profileOf(loo.deltas().rdd());
      }
      if (testing) {
        JavaRDD<Part> tests = sc.parallelize(IntStream.range(0, testTasks).boxed().toList(), testTasks)
            .mapPartitions(it -> test(d.value(), params.value(), it.next()));
        // one stage has one profile: the test tasks run where the sites' profile puts the scoring tasks
        stage.add(profile == null ? tests : tests.withResources(profile));
      }
      @SuppressWarnings("unchecked")
      JavaRDD<Part>[] rdds = stage.toArray(JavaRDD[]::new);
      parts = (rdds.length == 1 ? rdds[0] : sc.union(rdds)).collect();
    } finally {
      sc.setJobDescription(null);
      params.destroy();
    }
    double wallMs = (System.nanoTime() - t0) / 1e6;
    return outcome(parts, loo == null ? 0 : loo.partitions().length, testing, data.value().numClasses, wallMs);
  }

  /** Sorts the tasks' parts into the outcome and splits the wall time by their run times. */
  private static Outcome outcome(List<Part> parts, int sites, boolean testing, int numClasses, double wallMs) {
    double[] without = sites == 0 ? null : new double[sites];
    double all = Double.NaN;
    EvaluationCounts counts = testing ? new EvaluationCounts(numClasses) : null;
    long scoringNanos = 0;
    long testNanos = 0;
    for (Part p : parts) {
      switch (p.kind) {
        case Part.WITHOUT -> without[p.index] = p.loss;
        case Part.ALL -> all = p.loss;
        default -> counts.merge(p.counts);
      }
      if (p.kind == Part.TEST) {
        testNanos += p.nanos;
      } else {
        scoringNanos += p.nanos;
      }
    }
    double busy = Math.max(1, scoringNanos + testNanos);
    LOG.debug("coordinator stage: {} tasks in {} ms; scoring tasks ran {} ms, test tasks {} ms in all", parts.size(),
        Math.round(wallMs), scoringNanos / 1_000_000, testNanos / 1_000_000);
    return new Outcome(without, all, counts == null ? null : counts.toResult(), wallMs * scoringNanos / busy,
        wallMs * testNanos / busy);
  }

  /** One task per accepted site, where its update is cached: the loss of the merge without it. */
  private static JavaRDD<Part> without(LeaveOneOutInputs loo, Broadcast<Data> data, Broadcast<Params> params) {
    int[] sorted = Arrays.stream(loo.partitions()).sorted().toArray();
    int[] siteOf = new int[sorted.length]; // the pruned RDD's partition j is sorted[j]
    long[] examples = new long[sorted.length];
    for (int j = 0; j < sorted.length; j++) {
      for (int k = 0; k < loo.partitions().length; k++) {
        if (loo.partitions()[k] == sorted[j]) {
          siteOf[j] = k;
          examples[j] = loo.examples()[k];
        }
      }
    }
    return SparkAggregation.only(loo.deltas(), sorted).mapPartitionsWithIndex((j, it) -> {
      Params p = params.value();
      Data d = data.value();
      List<Part> out = new ArrayList<>(2);
      long t0 = System.nanoTime();
      if (j == 0) { // the first task, started first, also evaluates the merge of all: the scores' baseline
        out.add(new Part(Part.ALL, 0, d.validationLoss(LeaveOneOut.all(p.global, p.weightedSum, p.total)), null,
            System.nanoTime() - t0));
      }
      long t1 = System.nanoTime();
      float[] merged = LeaveOneOut.without(p.global, p.weightedSum, p.total, it.next(), examples[j]);
      out.add(new Part(Part.WITHOUT, siteOf[j], d.validationLoss(merged), null, System.nanoTime() - t1));
      return out.iterator();
    }, false);
  }

  /** The resource profile the RDD's stage runs with (the sites' worker resources), or null for the default. */
  private static ResourceProfile profileOf(RDD<?> rdd) {
    if (rdd.getResourceProfile() != null) {
      return rdd.getResourceProfile();
    }
    for (Dependency<?> dep : JavaConverters.seqAsJavaList(rdd.dependencies())) {
      if (dep instanceof NarrowDependency<?>) {
        ResourceProfile p = profileOf(dep.rdd());
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  private static Iterator<Part> test(Data d, Params p, int task) {
    long t0 = System.nanoTime();
    MultiLayerNetwork net = Networks.with(d.networkJson, p.next);
    EvaluationCounts counts = new EvaluationCounts(d.numClasses);
    d.testBatches(task).forEach(b -> counts.add(net, b));
    return List.of(new Part(Part.TEST, task, Double.NaN, counts, System.nanoTime() - t0)).iterator();
  }

  /** Releases the broadcast data. */
  @Override
  public void close() {
    data.destroy();
  }

  /**
   * The coordinator's data, broadcast once per federation; each JVM builds its minibatches once, on
   * first use (the batches are only read: shared by the JVM's tasks).
   */
  private static final class Data implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String networkJson;
    private final ExampleShard validation;
    private final ExampleShard test;
    private final DataNormalization normalizer;
    private final int numClasses;
    private transient List<DataSet> validationBatches;
    private transient List<DataSet>[] testBatches;

    Data(String networkJson, ExampleShard validation, ExampleShard test, DataNormalization normalizer,
        int numClasses) {
      this.networkJson = networkJson;
      this.validation = validation;
      this.test = test;
      this.normalizer = normalizer;
      this.numClasses = numClasses;
    }

    double validationLoss(float[] params) {
      return LocalEvaluator.evaluate(Networks.with(networkJson, params), validationBatches(), numClasses).loss();
    }

    private synchronized List<DataSet> validationBatches() {
      if (validationBatches == null) {
        validationBatches = Minibatches.all(validation, BATCH, numClasses, normalizer);
      }
      return validationBatches;
    }

    @SuppressWarnings("unchecked")
    synchronized List<DataSet> testBatches(int task) {
      if (testBatches == null) {
        testBatches = new List[(test.count() + TEST_EXAMPLES_PER_TASK - 1) / TEST_EXAMPLES_PER_TASK];
      }
      if (testBatches[task] == null) {
        int from = task * TEST_EXAMPLES_PER_TASK;
        testBatches[task] = Minibatches.all(test.slice(from, Math.min(test.count(), from + TEST_EXAMPLES_PER_TASK)),
            BATCH, numClasses, normalizer);
      }
      return testBatches[task];
    }
  }

  /** A round's parameters, broadcast once per round: what the tasks merge and test. */
  private static final class Params implements Serializable {
    private static final long serialVersionUID = 1L;
    private final float[] global;
    private final double[] weightedSum;
    private final long total;
    private final float[] next;

    Params(float[] global, double[] weightedSum, long total, float[] next) {
      this.global = global;
      this.weightedSum = weightedSum;
      this.total = total;
      this.next = next;
    }
  }

  /** One task's result (a class, not a record, for any serializer). */
  private static final class Part implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int WITHOUT = 0;
    static final int ALL = 1;
    static final int TEST = 2;
    private final int kind;
    private final int index;
    private final double loss;
    private final EvaluationCounts counts;
    private final long nanos;

    Part(int kind, int index, double loss, EvaluationCounts counts, long nanos) {
      this.kind = kind;
      this.index = index;
      this.loss = loss;
      this.counts = counts;
      this.nanos = nanos;
    }
  }

  /**
   * One network per task thread, built once per configuration and given each task's parameters: a
   * network is not safe to share between threads, and building one costs more than setting its
   * parameters.
   */
  private static final class Networks {
    private record Held(String json, MultiLayerNetwork net) {}

    private static final ThreadLocal<Held> HELD = new ThreadLocal<>();

    static MultiLayerNetwork with(String json, float[] params) {
      Held h = HELD.get();
      if (h == null || !h.json().equals(json)) {
        NetworkFactory.limitThreads(1);
        h = new Held(json, NetworkFactory.fromParams(json, params, null));
        HELD.set(h);
      } else {
        NetworkFactory.setState(h.net(), params, null);
      }
      return h.net();
    }
  }
}
