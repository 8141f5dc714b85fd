package org.sparkgrid.jobs.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkgrid.core.request.WorkerResources;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.resources.WorkerProfiles;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * SparkGrid's synchronous parameter-averaging engine.
 *
 * <p>The training data sits in a cached RDD of one {@link ExampleShard} per worker. Each epoch is a
 * few Spark jobs run in barrier mode (all workers start together). Inside a job each worker fits
 * {@code averagingFrequency} minibatches, then averages (examples, parameters, updater state) with the
 * others, weighted by examples: by default ({@link ExchangeMode#PEERS}) by reduce-scatter then
 * all-gather between the workers ({@link PeerExchange}: each averages one slice, and sends and receives
 * about twice the vector whatever their number), the driver's {@link ExchangeServer} only telling
 * them where the others listen; or ({@link ExchangeMode#DRIVER}) through the driver, which computes
 * the mean of all the vectors on several threads and sends it back. This repeats until the job's
 * share of the epoch is done, and worker 0 returns the averaged model to the driver.
 *
 * <p>Why not one Spark job per averaging, as dl4j-spark does: a job costs 0.6-0.9 s of launch,
 * broadcast and merge on this kind of machine, more than a few minibatches take to fit; and a
 * stock {@code treeAggregate} of full parameter copies runs at 1-6% of memory bandwidth. Why not
 * {@code BarrierTaskContext.allGather}: it polls for its answer once a second. Here an averaging
 * moves raw floats over TCP connections opened once per Spark job, with no job launch, no task
 * serialization and no shuffle.
 *
 * <p>Trust: each engine's exchange has its own secret, delivered to the workers in the segment's
 * broadcast; a connection that cannot answer the exchange's challenge with it is dropped and logged.
 * When {@code spark.network.crypto.enabled} is on and the master is not local, the exchange encrypts
 * its stream as well (docs/security-cluster.md).
 *
 * <p>Limits: barrier mode needs a free task slot per worker at once (no dynamic allocation);
 * executors must reach the driver on {@code spark.sparkgrid.engine.exchangePort} (any free port by
 * default) and, with the peer exchange, each other on ephemeral ports.
 *
 * <pre>{@code
 * AveragingEngine engine = new AveragingEngine(sc, shards, counts, settings);
 * ModelState s = start;
 * for (int e = 0; e < epochs; e++) {
 *   s = engine.fitEpoch(e, 0, s, r -> System.out.println(r.stepsDone() + "/" + r.steps()));
 * }
 * }</pre>
 */
public final class AveragingEngine implements TrainingEngine {
  private static final Logger LOG = LoggerFactory.getLogger(AveragingEngine.class);
  /** Spark's own switch for encrypted RPC; when on, the exchange encrypts its stream too. */
  static final String SPARK_NETWORK_CRYPTO = "spark.network.crypto.enabled";

  /**
   * What the engine needs besides the data.
   *
   * @param networkJson        DL4J MultiLayerConfiguration JSON
   * @param normalizer         applied to each minibatch ({@code null}: none)
   * @param numClasses         label classes
   * @param batchSize          minibatch size per worker
   * @param averagingFrequency minibatches between averagings
   * @param shuffle            shuffle each worker's examples each epoch
   * @param seed               request seed
   * @param threadsPerTask     ND4J threads per worker
   * @param jobsPerEpoch       Spark jobs per epoch (progress and checkpoint granularity)
   * @param syncTimeoutMs      longest wait for the slowest worker at one averaging
   * @param exchangePort       driver port of the exchange, 0 for any free one
   * @param mergeThreads       driver threads computing each mean, 0 for one per core (driver mode)
   * @param exchangeMode       average among the workers (PEERS) or through the driver (DRIVER)
   */
  public record Settings(
      String networkJson,
      DataNormalization normalizer,
      int numClasses,
      int batchSize,
      int averagingFrequency,
      boolean shuffle,
      long seed,
      int threadsPerTask,
      int jobsPerEpoch,
      long syncTimeoutMs,
      int exchangePort,
      int mergeThreads,
      ExchangeMode exchangeMode) {

    public Settings {
      if (exchangeMode == null) {
        throw new IllegalArgumentException("exchangeMode must be set (spark.sparkgrid.engine.exchange)");
      }
    }

    /** The defaults for what {@code spark.sparkgrid.engine.*} sets. */
    public static Settings of(String networkJson, DataNormalization normalizer, int numClasses, int batchSize,
        int averagingFrequency, boolean shuffle, long seed, int jobsPerEpoch) {
      return new Settings(networkJson, normalizer, numClasses, batchSize, averagingFrequency, shuffle, seed, 1,
          jobsPerEpoch, 600_000L, 0, 0, ExchangeMode.PEERS);
    }
  }

  private final JavaSparkContext sc;
  private final JavaRDD<ExampleShard> shards;
  private final Settings settings;
  private final SyncPlan plan;
  private final ExchangeServer exchange;
  private final int vectorLength;
  private final WorkerResources resources;

  /**
   * @param sc       the Spark context
   * @param shards   one shard per partition, cached by the caller
   * @param counts   examples in each partition's shard, in partition order
   * @param settings network and schedule
   * @throws UncheckedIOException if the exchange cannot bind its port on the driver
   */
  public AveragingEngine(JavaSparkContext sc, JavaRDD<ExampleShard> shards, int[] counts, Settings settings) {
    this(sc, shards, counts, settings, null);
  }

  /**
   * An engine whose workers run on a Spark resource profile of {@code resources} (see
   * {@link WorkerProfiles}): each worker's task lands only where its cores and GPUs are free.
   *
   * @param resources what each worker needs; {@code null}: a default task slot
   * @throws UncheckedIOException if the exchange cannot bind its port on the driver
   */
  public AveragingEngine(JavaSparkContext sc, JavaRDD<ExampleShard> shards, int[] counts, Settings settings,
      WorkerResources resources) {
    this.resources = resources;
    if (shards.getNumPartitions() != counts.length) {
      throw new IllegalArgumentException(
          "the data has " + shards.getNumPartitions() + " partitions but " + counts.length + " counts");
    }
    this.sc = sc;
    this.shards = shards;
    this.settings = settings;
    this.plan = new SyncPlan(counts, settings.batchSize(), settings.averagingFrequency(), settings.jobsPerEpoch());
    MultiLayerNetwork probe = NetworkFactory.init(NetworkFactory.parse(settings.networkJson()));
    this.vectorLength = (int) (probe.numParams() + NetworkFactory.updaterState(probe).length);
    String host = sc.getConf().get("spark.driver.host");
    String bind = sc.getConf().get("spark.driver.bindAddress", host);
    int threads = settings.mergeThreads() > 0 ? settings.mergeThreads() : Runtime.getRuntime().availableProcessors();
    boolean encrypt = encryptsExchange(sc.isLocal(), sc.getConf().getBoolean(SPARK_NETWORK_CRYPTO, false));
    warnIfSparkUnauthenticated(sc);
    try {
      ExchangeServer server = new ExchangeServer(bind, settings.exchangePort(), threads, settings.syncTimeoutMs(),
          encrypt);
      this.exchange = server.withAdvertisedHost(host);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the averaging exchange on " + bind + ":"
          + settings.exchangePort() + " (spark.sparkgrid.engine.exchangePort)", e);
    }
  }

  /**
   * Whether the exchange encrypts its stream: when Spark's RPC is encrypted, except in local mode, where
   * the workers are threads of the driver's JVM and the exchange never leaves the host's loopback (whoever
   * can read that can read the JVM's memory); it still authenticates there, against other local users.
   */
  static boolean encryptsExchange(boolean localMaster, boolean sparkNetworkCrypto) {
    return sparkNetworkCrypto && !localMaster;
  }

  /**
   * The exchange's secret reaches the executors inside Spark's broadcast: on a cluster, unless Spark's
   * RPC is authenticated and encrypted, whoever can read or join that traffic learns it.
   */
  private static void warnIfSparkUnauthenticated(JavaSparkContext sc) {
    if (sc.isLocal()) {
      return;
    }
    boolean auth = sc.getConf().getBoolean("spark.authenticate", false);
    boolean crypto = sc.getConf().getBoolean(SPARK_NETWORK_CRYPTO, false);
    if (!auth || !crypto) {
      LOG.warn("Spark master {} runs with spark.authenticate={} and {}={}: the averaging exchange's per-job"
          + " secret travels to the executors in the clear; see docs/security-cluster.md", sc.master(), auth,
          SPARK_NETWORK_CRYPTO, crypto);
    }
  }

  @Override
  public void close() {
    try {
      exchange.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String name() {
    return "sparkgrid";
  }

  @Override
  public int stepsPerEpoch() {
    return plan.steps();
  }

  /** Where this engine's workers reach its exchange, with the engine's own secret. */
  Exchange.Endpoint endpoint() {
    return exchange.endpoint();
  }

  /** The epoch's schedule. */
  public SyncPlan plan() {
    return plan;
  }

  @Override
  public ModelState fitEpoch(int epoch, int fromStep, ModelState start, SegmentListener listener) {
    ModelState state = start;
    if (fromStep >= plan.steps()) {
      return state;
    }
    for (int s = plan.segmentOf(fromStep); s < plan.segments(); s++) {
      int from = Math.max(fromStep, plan.segmentStart(s));
      int to = plan.segmentStart(s + 1);
      long t0 = System.nanoTime();
      List<TaskReport> reports = runSegment(epoch, from, to, state);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long examples = 0;
      double lossSum = 0;
      ModelState next = null;
      for (TaskReport r : reports) {
        examples += r.examples();
        lossSum += r.lossSum();
        if (r.state() != null) {
          next = r.state();
        }
      }
      if (next == null) {
        throw new IllegalStateException("no worker returned the averaged model for epoch " + epoch + " steps " + from + "-" + to);
      }
      state = next;
      listener.segmentDone(new SegmentReport(
          epoch, to, plan.steps(), examples, examples == 0 ? Double.NaN : lossSum / examples, seconds, state));
    }
    return state;
  }

  private List<TaskReport> runSegment(int epoch, int from, int to, ModelState state) {
    long round = exchange.open(plan.workers(), vectorLength, settings.exchangeMode());
    SegmentSpec spec = new SegmentSpec(settings.networkJson(), state, settings.normalizer(), settings.numClasses(),
        plan, epoch, from, to, settings.shuffle(), settings.seed(), settings.threadsPerTask(), exchange.endpoint(),
        round, (int) Math.min(Integer.MAX_VALUE, settings.syncTimeoutMs()), settings.exchangeMode());
    Broadcast<SegmentSpec> b = sc.broadcast(spec);
    try {
      sc.setJobDescription("SparkGrid averaging: epoch " + (epoch + 1) + ", sync steps " + from + "-" + to
          + " of " + plan.steps());
      ClassTag<TaskReport> tag = ClassTag$.MODULE$.apply(TaskReport.class);
      RDD<TaskReport> stage = shards.rdd().barrier().mapPartitions(new BarrierFn(b), false, tag);
      return WorkerProfiles.apply(sc.sc(), stage, resources).toJavaRDD().collect();
    } finally {
      b.destroy();
    }
  }

  /** The barrier task function; a named class so Spark's closure serializer sees exactly what it carries. */
  private static final class BarrierFn extends scala.runtime.AbstractFunction1<
      scala.collection.Iterator<ExampleShard>, scala.collection.Iterator<TaskReport>>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final Broadcast<SegmentSpec> broadcast;

    BarrierFn(Broadcast<SegmentSpec> broadcast) {
      this.broadcast = broadcast;
    }

    @Override
    public scala.collection.Iterator<TaskReport> apply(scala.collection.Iterator<ExampleShard> it) {
      Iterator<ExampleShard> javaIt = JavaConverters.asJavaIterator(it);
      return JavaConverters.asScalaIterator(AveragingTask.run(javaIt, broadcast));
    }
  }
}
