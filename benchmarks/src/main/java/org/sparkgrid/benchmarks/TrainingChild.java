package org.sparkgrid.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.eval.LocalEvaluator;
import org.sparkgrid.jobs.model.NetworkFactory;

/**
 * One trainer of {@link TrainingBenchmark} in its own JVM, started by the benchmark with
 * {@code OMP_NUM_THREADS} set (ND4J's thread count only holds when it is set before the JVM
 * starts): plain DL4J on one network ({@code --trainer single}), or DL4J's {@link ParallelWrapper}
 * ({@code --trainer parallel-wrapper}). With {@code --part i/k} it trains on block {@code i} of
 * {@code k} of the training set only: one of the ceiling's independent trainings.
 *
 * <p>It loads the data and builds the network, prints {@value #READY}, waits for a line on stdin
 * (so that the ceiling's trainings start together), trains, evaluates on the whole test set and
 * prints {@value #OUTCOME} followed by examples/s over all epochs, examples/s over the epochs
 * after the first, and test accuracy. Every other line it prints is progress.
 */
final class TrainingChild {
  /** Printed once the child is ready to train. */
  static final String READY = "READY";
  /** Prefix of the child's last line: {@code OUTCOME <examples/s> <steady examples/s> <accuracy>}. */
  static final String OUTCOME = "OUTCOME";

  private TrainingChild() {}

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    TrainingBenchmark.Setup setup = TrainingBenchmark.Setup.parse(args);
    String trainer = Bench.arg(args, "--trainer", "single");
    String part = Bench.arg(args, "--part", null);
    Configuration hadoop = new Configuration();
    ExampleShard train = block(IdxReader.read(hadoop, TrainingBenchmark.DATA + "train", setup.limit()), part);
    DataNormalization norm = new ImagePreProcessingScaler(0, 1);
    List<DataSet> test = Minibatches.all(IdxReader.read(hadoop, TrainingBenchmark.DATA + "t10k", null), 1000, 10, norm);
    MultiLayerNetwork net = NetworkFactory.init(MultiLayerConfiguration.fromJson(setup.networkJson(train.shape())));
    System.out.printf("%s on %d examples, ND4J threads %d (BLAS %d)%n", trainer, train.count(),
        Nd4j.getEnvironment().maxThreads(), Nd4j.factory().blas().getMaxThreads());

    System.out.println(READY);
    System.out.flush();
    String go = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    if (go == null) {
      throw new IllegalStateException("the benchmark closed stdin before saying go");
    }

    double[] seconds = switch (trainer) {
      case "single" -> single(net, train, norm, setup);
      case "parallel-wrapper" -> parallelWrapper(net, train, norm, setup);
      default -> throw new IllegalArgumentException(
          "--trainer must be single or parallel-wrapper. Current value is " + trainer);
    };
    TrainingBenchmark.Rates rates = TrainingBenchmark.Rates.of(seconds, train.count());
    double accuracy = LocalEvaluator.evaluate(net, test, 10).accuracy();
    System.out.printf("%s %s %s %s%n", OUTCOME, rates.all(), rates.steady(), accuracy);
    System.out.flush();
  }

  /** The whole set, or block {@code i} of {@code k} for {@code part = "i/k"}. */
  private static ExampleShard block(ExampleShard all, String part) {
    if (part == null) {
      return all;
    }
    String[] ik = part.split("/");
    int[] bounds = ExampleShard.blockBounds(all.count(), Integer.parseInt(ik[0]), Integer.parseInt(ik[1]));
    return all.slice(bounds[0], bounds[1]);
  }

  /** The shuffle of epoch {@code e}: the same for every trainer in this process's data. */
  private static int[] order(ExampleShard train, int epoch) {
    return Minibatches.shuffledOrder(train.count(), TrainingBenchmark.Setup.SEED * 31 + epoch);
  }

  private static double[] single(MultiLayerNetwork net, ExampleShard train, DataNormalization norm,
      TrainingBenchmark.Setup setup) {
    double[] seconds = new double[setup.epochs()];
    int batch = TrainingBenchmark.Setup.BATCH_SIZE;
    for (int e = 0; e < setup.epochs(); e++) {
      int[] order = order(train, e);
      long t0 = System.nanoTime();
      for (int from = 0; from < train.count(); from += batch) {
        net.fit(Minibatches.batch(train, order, from, Math.min(from + batch, train.count()), 10, norm));
      }
      seconds[e] = (System.nanoTime() - t0) / 1e9;
      System.out.printf("epoch %d in %.1f s%n", e + 1, seconds[e]);
    }
    return seconds;
  }

  /**
   * DL4J's ParallelWrapper as its documentation sets it up for parameter averaging: one worker per
   * SparkGrid worker (one ND4J thread each, from the environment), averaging parameters and updater
   * state every {@code averagingFrequency} minibatches per worker like SparkGrid, a prefetch
   * buffer of {@code --pw-prefetch} minibatches, workspaces enabled. After each epoch {@code net}
   * holds worker 0's parameters, which are the average when the epoch ended on an averaging step.
   */
  private static double[] parallelWrapper(MultiLayerNetwork net, ExampleShard train, DataNormalization norm,
      TrainingBenchmark.Setup setup) throws Exception {
    double[] seconds = new double[setup.epochs()];
    try (ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net)
        .workers(setup.workers())
        .averagingFrequency(setup.averagingFrequency())
        .averageUpdaters(true)
        .prefetchBuffer(setup.prefetch())
        .workspaceMode(WorkspaceMode.ENABLED)
        .trainingMode(ParallelWrapper.TrainingMode.AVERAGING)
        .reportScoreAfterAveraging(false)
        .build()) {
      for (int e = 0; e < setup.epochs(); e++) {
        ShardIterator batches = new ShardIterator(train, order(train, e), TrainingBenchmark.Setup.BATCH_SIZE, norm);
        long t0 = System.nanoTime();
        wrapper.fit(batches);
        seconds[e] = (System.nanoTime() - t0) / 1e9;
        System.out.printf("epoch %d in %.1f s%n", e + 1, seconds[e]);
      }
    }
    return seconds;
  }

  /** One epoch's shuffled minibatches, cut when asked for (ParallelWrapper prefetches them on its own thread). */
  private static final class ShardIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;
    private final transient ExampleShard shard;
    private final int[] order;
    private final int batchSize;
    private final transient DataNormalization norm;
    private int from;
    private transient DataSetPreProcessor preProcessor;

    ShardIterator(ExampleShard shard, int[] order, int batchSize, DataNormalization norm) {
      this.shard = shard;
      this.order = order;
      this.batchSize = batchSize;
      this.norm = norm;
    }

    @Override
    public boolean hasNext() {
      return from < shard.count();
    }

    @Override
    public DataSet next() {
      return next(batchSize);
    }

    @Override
    public DataSet next(int num) {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException("the epoch's " + shard.count() + " examples are used up");
      }
      int to = Math.min(from + num, shard.count());
      DataSet ds = Minibatches.batch(shard, order, from, to, 10, norm);
      from = to;
      if (preProcessor != null) {
        preProcessor.preProcess(ds);
      }
      return ds;
    }

    @Override
    public int inputColumns() {
      return shard.numFeatures();
    }

    @Override
    public int totalOutcomes() {
      return 10;
    }

    @Override
    public boolean resetSupported() {
      return true;
    }

    @Override
    public boolean asyncSupported() {
      return true;
    }

    @Override
    public void reset() {
      from = 0;
    }

    @Override
    public int batch() {
      return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
      this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
      return preProcessor;
    }

    @Override
    public List<String> getLabels() {
      return null;
    }
  }
}
