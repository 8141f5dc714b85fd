package org.sparkgrid.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.sparkgrid.core.request.CnnSpec;
import org.sparkgrid.core.request.DataSpec;
import org.sparkgrid.core.request.MlpSpec;
import org.sparkgrid.core.request.ModelSpec;
import org.sparkgrid.core.request.TrainingSpec;
import org.sparkgrid.core.request.UpdaterSpec;
import org.sparkgrid.core.run.EvaluationResult;
import org.sparkgrid.jobs.data.DataSource;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxHeader;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.engine.AveragingEngine;
import org.sparkgrid.jobs.engine.Dl4jSparkEngine;
import org.sparkgrid.jobs.engine.ModelState;
import org.sparkgrid.jobs.engine.TrainingEngine;
import org.sparkgrid.jobs.eval.LocalEvaluator;
import org.sparkgrid.jobs.model.NetworkFactory;

/**
 * The same model, data, batch size (64), updater (Adam, learning rate 0.001), seed and epochs
 * trained every way a DL4J user on one machine would try, in one run, each model evaluated on the
 * same test set (the 10k Fashion-MNIST test images). The model is the 784-256-128-10 MLP
 * ({@code --model mlp}) or the LeNet-style CNN ({@code --model cnn}) of {@link MlpSpec#defaults()}
 * and {@link CnnSpec#defaults()}. The rows:
 *
 * <ul>
 *   <li><b>single-JVM DL4J, t threads</b>, for every t from 1 to the cores (or {@code --threads}),
 *       each in a fresh child JVM started with {@code OMP_NUM_THREADS=t}: ND4J's thread count
 *       does not reliably change inside one JVM. The best of them is the baseline.
 *   <li><b>ParallelWrapper</b>: DL4J's own single-machine data parallelism with as many workers as
 *       SparkGrid, one ND4J thread each ({@code OMP_NUM_THREADS=1}), parameter and updater
 *       averaging every {@code --averaging-frequency} minibatches per worker, a prefetch buffer
 *       of {@code --pw-prefetch} minibatches, workspaces enabled; in a child JVM.
 *   <li><b>ceiling</b>: as many independent one-thread trainings as workers, each in its own child
 *       JVM on its own block of the training set, started together and never averaged: their
 *       summed examples/s is what the machine can give that many workers. They hold no one
 *       model, so the row has no accuracy.
 *   <li><b>SparkGrid engine, local[k]</b>: SparkGrid's averaging engine in this JVM.
 *   <li><b>dl4j-spark averaging, local[k]</b>: dl4j-spark's parameter averaging in this JVM.
 * </ul>
 *
 * <p>Each row prints examples/s over all epochs, steady examples/s (the epochs after the first;
 * all of them when there is one), test accuracy and steady examples/s relative to the best single
 * JVM. Then the ratios that issue 14's targets name, each figure beside its baseline: SparkGrid
 * against the ceiling (target at least 0.9), the best single JVM (at least 1.5x for the MLP, 1.4x
 * for the CNN) and ParallelWrapper (at least 1.1x), and SparkGrid's accuracy against the best
 * single JVM's (at most 0.5 points lower).
 *
 * <p>Flags: {@code --model cnn|mlp} (cnn), {@code --epochs N} (2), {@code --limit N} (the first N
 * training examples; all 60k when absent), {@code --workers K} (2: Spark's {@code local[K]},
 * ParallelWrapper's workers and the ceiling's trainings), {@code --threads 1,2} (the single-JVM
 * thread counts; 1 to the cores when absent), {@code --averaging-frequency F} (10, SparkGrid's,
 * dl4j-spark's and ParallelWrapper's), {@code --pw-prefetch P} (K, the value ParallelWrapper's
 * documentation advises).
 *
 * <pre>
 * benchmarks/run training --model mlp --epochs 3
 * benchmarks/run training --model cnn --epochs 2 --limit 10000 --threads 1,2
 * </pre>
 */
public final class TrainingBenchmark {
  static final String DATA = "/usr/share/datasets/fashion-mnist/";
  /** Heap of each child JVM: the training set (188 MB of floats) and a network fit easily. */
  private static final String CHILD_HEAP = "3g";
  /** Issue 14's targets for SparkGrid local[K]. */
  private static final double CEILING_TARGET = 0.9;
  private static final double MLP_SINGLE_TARGET = 1.5;
  private static final double CNN_SINGLE_TARGET = 1.4;
  private static final double PARALLEL_WRAPPER_TARGET = 1.1;
  private static final double ACCURACY_POINTS_TARGET = -0.5;

  private TrainingBenchmark() {}

  /**
   * What every trainer shares, parsed from the benchmark's flags and passed on to the child JVMs.
   *
   * @param model              {@code mlp} or {@code cnn}
   * @param epochs             passes over the training set
   * @param limit              the first this many training examples, or null for all
   * @param averagingFrequency minibatches per worker between two averagings
   * @param workers            SparkGrid's and ParallelWrapper's workers, the ceiling's trainings
   * @param prefetch           ParallelWrapper's prefetch buffer, in minibatches
   */
  record Setup(String model, int epochs, Integer limit, int averagingFrequency, int workers, int prefetch) {
    /** Every trainer's minibatch size. */
    static final int BATCH_SIZE = 64;
    static final long SEED = 42;

    /** @throws IllegalArgumentException naming the flag and its value when one is out of range */
    Setup {
      if (!model.equals("mlp") && !model.equals("cnn")) {
        throw new IllegalArgumentException("--model must be mlp or cnn. Current value is " + model);
      }
      atLeast("--epochs", epochs, 1);
      if (limit != null) {
        atLeast("--limit", limit, 1);
      }
      atLeast("--averaging-frequency", averagingFrequency, 1);
      atLeast("--workers", workers, 2); // ParallelWrapper's minimum
      atLeast("--pw-prefetch", prefetch, 0);
    }

    static Setup parse(String[] args) {
      String limit = Bench.arg(args, "--limit", null);
      int workers = Bench.intArg(args, "--workers", 2);
      return new Setup(Bench.arg(args, "--model", "cnn"), Bench.intArg(args, "--epochs", 2),
          limit == null ? null : Bench.intArg(args, "--limit", 0), Bench.intArg(args, "--averaging-frequency", 10),
          workers, Bench.intArg(args, "--pw-prefetch", workers));
    }

    /** The flags that {@link #parse} reads back into this setup. */
    List<String> args() {
      List<String> out = new ArrayList<>(List.of("--model", model, "--epochs", "" + epochs,
          "--averaging-frequency", "" + averagingFrequency, "--workers", "" + workers, "--pw-prefetch", "" + prefetch));
      if (limit != null) {
        out.addAll(List.of("--limit", "" + limit));
      }
      return out;
    }

    /** The network every trainer starts from, as DL4J JSON: the same seed, so the same initial weights. */
    String networkJson(int[] inputShape) {
      ModelSpec spec = model.equals("mlp")
          ? new ModelSpec("bench-mlp", ModelSpec.Architecture.MLP, MlpSpec.defaults(), null, null, null)
          : new ModelSpec("bench-cnn", ModelSpec.Architecture.CNN, null, CnnSpec.defaults(), null, null);
      TrainingSpec training = new TrainingSpec(epochs, BATCH_SIZE, SEED, new UpdaterSpec("adam", 0.001, 0.9), 0.0);
      return NetworkFactory.build(spec, training, inputShape, 10).toJson();
    }

    private static void atLeast(String flag, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(flag + " must be at least " + min + ". Current value is " + value);
      }
    }
  }

  /**
   * Examples/s over all epochs and over the epochs after the first (all of them when there is one).
   */
  record Rates(double all, double steady) {
    static Rates of(double[] seconds, long examplesPerEpoch) {
      double total = 0;
      for (double s : seconds) {
        total += s;
      }
      double steadySeconds = seconds.length > 1 ? total - seconds[0] : total;
      int steadyEpochs = seconds.length > 1 ? seconds.length - 1 : 1;
      return new Rates(examplesPerEpoch * seconds.length / total, examplesPerEpoch * steadyEpochs / steadySeconds);
    }

    Rates plus(Rates o) {
      return new Rates(all + o.all, steady + o.steady);
    }
  }

  /** One row: accuracy is NaN where no single model was trained. */
  private record Outcome(String name, Rates rates, double accuracy) {}

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    Setup setup = Setup.parse(args);
    int cores = Runtime.getRuntime().availableProcessors();
    List<Integer> threads = threadCounts(Bench.arg(args, "--threads", null), cores);
    int k = setup.workers();
    Configuration hadoop = new Configuration();
    IdxHeader header = IdxReader.header(hadoop, DATA + "train");
    int examples = setup.limit() == null ? header.count() : Math.min(setup.limit(), header.count());
    System.out.printf("Training benchmark: %s, %d epochs x %d examples, batch %d, Adam, %d workers averaging every %d,"
        + " single JVM at %s threads, %d cores%n",
        setup.model(), setup.epochs(), examples, Setup.BATCH_SIZE, k, setup.averagingFrequency(), threads, cores);

    List<Outcome> singles = new ArrayList<>();
    for (int t : threads) {
      String name = "single-JVM DL4J, " + t + (t == 1 ? " thread" : " threads");
      singles.add(together(name, List.of(childArgs(setup, "single", null)), t).get(0));
    }
    Outcome best = singles.stream().max(Comparator.comparingDouble(o -> o.rates().steady())).orElseThrow();
    Outcome wrapper = together("ParallelWrapper, " + k + " workers x 1 thread",
        List.of(childArgs(setup, "parallel-wrapper", null)), 1).get(0);
    Outcome ceiling = ceiling(setup);

    List<Outcome> spark = onSpark(setup, header.shape());
    Outcome sparkGrid = spark.get(0);
    Outcome dl4jSpark = spark.get(1);

    List<Outcome> rows = new ArrayList<>(singles);
    rows.addAll(List.of(wrapper, ceiling, sparkGrid, dl4jSpark));
    System.out.println();
    System.out.printf("%-44s %12s %14s %10s %13s%n", "way", "examples/s", "steady ex/s", "accuracy", "vs best 1 JVM");
    for (Outcome o : rows) {
      System.out.printf("%-44s %12.0f %14.0f %10s %12.2fx%s%n", o.name(), o.rates().all(), o.rates().steady(),
          Double.isNaN(o.accuracy()) ? "-" : String.format("%.4f", o.accuracy()),
          o.rates().steady() / best.rates().steady(), o == best ? "  (baseline)" : "");
    }

    System.out.printf("%nSparkGrid local[%d] beside each baseline (steady examples/s; issue 14's targets):%n", k);
    ratio("ceiling", sparkGrid, ceiling, CEILING_TARGET);
    ratio("best single JVM", sparkGrid, best, setup.model().equals("mlp") ? MLP_SINGLE_TARGET : CNN_SINGLE_TARGET);
    ratio("ParallelWrapper", sparkGrid, wrapper, PARALLEL_WRAPPER_TARGET);
    ratio("dl4j-spark", sparkGrid, dl4jSpark, Double.NaN);
    accuracy("accuracy", sparkGrid, best, ACCURACY_POINTS_TARGET);
    accuracy("accuracy", sparkGrid, wrapper, Double.NaN);
  }

  /** A line: {@code of}'s steady examples/s over {@code baseline}'s, and whether it meets {@code target} (NaN: none). */
  private static void ratio(String role, Outcome of, Outcome baseline, double target) {
    double r = of.rates().steady() / baseline.rates().steady();
    System.out.printf("  %-16s %-44s %8.0f / %8.0f = %5.2fx%s%n", role, baseline.name(), of.rates().steady(),
        baseline.rates().steady(), r, verdict(r, target, "x"));
  }

  /** A line: {@code of}'s test accuracy minus {@code baseline}'s in points, and whether it meets {@code target}. */
  private static void accuracy(String role, Outcome of, Outcome baseline, double target) {
    double points = 100 * (of.accuracy() - baseline.accuracy());
    System.out.printf("  %-16s %-44s %8.4f - %8.4f = %+5.2f points%s%n", role, baseline.name(), of.accuracy(),
        baseline.accuracy(), points, verdict(points, target, " points"));
  }

  private static String verdict(double value, double target, String unit) {
    return Double.isNaN(target) ? ""
        : String.format("   target >= %.2f%s: %s", target, unit, value >= target ? "met" : "not met");
  }

  /** {@code 1..cores}, or the comma-separated list given with {@code --threads}. */
  static List<Integer> threadCounts(String flag, int cores) {
    List<Integer> out = new ArrayList<>();
    if (flag == null) {
      for (int t = 1; t <= cores; t++) {
        out.add(t);
      }
      return out;
    }
    for (String part : flag.split(",")) {
      try {
        int t = Integer.parseInt(part.trim());
        if (t < 1) {
          throw new NumberFormatException();
        }
        out.add(t);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--threads must be a comma-separated list of positive whole numbers. Current value is " + flag, e);
      }
    }
    return out;
  }

  private static List<String> childArgs(Setup setup, String trainer, String part) {
    List<String> args = new ArrayList<>(setup.args());
    args.addAll(List.of("--trainer", trainer));
    if (part != null) {
      args.addAll(List.of("--part", part));
    }
    return args;
  }

  /** {@code workers} one-thread trainings on their own blocks, at once: their examples/s summed. */
  private static Outcome ceiling(Setup setup) throws Exception {
    int k = setup.workers();
    List<List<String>> each = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      each.add(childArgs(setup, "single", i + "/" + k));
    }
    Rates sum = new Rates(0, 0);
    for (Outcome o : together("ceiling: " + k + " x 1-thread JVM, no averaging", each, 1)) {
      sum = sum.plus(o.rates());
    }
    return new Outcome("ceiling: " + k + " independent 1-thread JVMs, summed", sum, Double.NaN);
  }

  /**
   * Runs one {@link TrainingChild} per argument list with {@code OMP_NUM_THREADS=threads}, lets
   * them all start training at once when every one has loaded its data, relays their progress
   * and returns their outcomes in order.
   *
   * @throws IllegalStateException if a child fails or ends without an outcome
   */
  private static List<Outcome> together(String name, List<List<String>> argsEach, int threads) throws Exception {
    int n = argsEach.size();
    CountDownLatch ready = new CountDownLatch(n);
    Outcome[] outcomes = new Outcome[n];
    List<Process> processes = new ArrayList<>();
    List<Thread> readers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String label = n == 1 ? name : name + " #" + (i + 1);
      ProcessBuilder pb = Bench.childJvm(TrainingChild.class, argsEach.get(i),
          Map.of("OMP_NUM_THREADS", Integer.toString(threads)), CHILD_HEAP);
      pb.redirectError(ProcessBuilder.Redirect.INHERIT);
      Process p = pb.start();
      processes.add(p);
      int at = i;
      Thread reader = new Thread(() -> outcomes[at] = relay(label, p, ready), "child-" + i);
      reader.start();
      readers.add(reader);
    }
    ready.await();
    for (Process p : processes) {
      try {
        Writer w = p.outputWriter();
        w.write("go\n");
        w.flush();
      } catch (IOException e) {
        // that child has ended already; its exit status says why
      }
    }
    for (int i = 0; i < n; i++) {
      readers.get(i).join();
      int status = processes.get(i).waitFor();
      if (status != 0 || outcomes[i] == null) {
        throw new IllegalStateException(name + ": child " + (i + 1) + " of " + n + " ended with status " + status
            + (outcomes[i] == null ? " and no outcome" : ""));
      }
    }
    return List.of(outcomes);
  }

  /** Prints a child's lines under its name until it ends; counts down {@code ready} once; returns its outcome. */
  private static Outcome relay(String name, Process p, CountDownLatch ready) {
    boolean counted = false;
    Outcome outcome = null;
    try (BufferedReader lines = p.inputReader()) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.equals(TrainingChild.READY)) {
          ready.countDown();
          counted = true;
        } else if (line.startsWith(TrainingChild.OUTCOME + " ")) {
          String[] f = line.split(" ");
          outcome = new Outcome(name, new Rates(Double.parseDouble(f[1]), Double.parseDouble(f[2])),
              Double.parseDouble(f[3]));
        } else {
          System.out.println("  " + name + ": " + line);
        }
      }
    } catch (IOException e) {
      System.err.println(name + ": could not read the child's output: " + e.getMessage());
    } finally {
      if (!counted) {
        ready.countDown();
      }
    }
    return outcome;
  }

  /** SparkGrid's engine, then dl4j-spark's, on {@code local[workers]} in this JVM. */
  private static List<Outcome> onSpark(Setup setup, int[] shape) throws Exception {
    int k = setup.workers();
    Configuration hadoop = new Configuration();
    DataNormalization norm = new ImagePreProcessingScaler(0, 1);
    List<DataSet> testBatches = Minibatches.all(IdxReader.read(hadoop, DATA + "t10k", null), 1000, 10, norm);
    SparkConf sparkConf = new SparkConf().setMaster("local[" + k + "]").setAppName("TrainingBenchmark")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.rpc.message.maxSize", "512");
    List<Outcome> out = new ArrayList<>();
    try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
      sc.setLogLevel("WARN");
      // read on the executors, one block per worker, as compute jobs do
      DataSpec data = new DataSpec(DataSpec.Format.IDX, "file:" + DATA + "train", null, 0, false, 10,
          DataSpec.Normalization.SCALE, setup.limit());
      JavaRDD<ExampleShard> shards = DataSource.train(data).shards(sc, k).cache();
      int[] counts = shards.map(ExampleShard::count).collect().stream().mapToInt(Integer::intValue).toArray();
      String json = setup.networkJson(shape);
      AveragingEngine.Settings settings = AveragingEngine.Settings.of(
          json, norm, 10, Setup.BATCH_SIZE, setup.averagingFrequency(), true, Setup.SEED, 4);
      out.add(trainOnSpark("SparkGrid engine, local[" + k + "]", new AveragingEngine(sc, shards, counts, settings),
          json, testBatches, setup.epochs()));
      out.add(trainOnSpark("dl4j-spark averaging, local[" + k + "]", new Dl4jSparkEngine(sc, shards, settings),
          json, testBatches, setup.epochs()));
    }
    return out;
  }

  private static Outcome trainOnSpark(String name, TrainingEngine engine, String json, List<DataSet> test, int epochs) {
    MultiLayerNetwork init = NetworkFactory.init(MultiLayerConfiguration.fromJson(json));
    ModelState s = new ModelState(NetworkFactory.params(init), NetworkFactory.updaterState(init), 0);
    double[] seconds = new double[epochs];
    long examples = 0;
    for (int e = 0; e < epochs; e++) {
      long[] ex = {0};
      long t0 = System.nanoTime();
      s = engine.fitEpoch(e, 0, s, r -> ex[0] += r.examples());
      seconds[e] = (System.nanoTime() - t0) / 1e9;
      examples = ex[0];
      System.out.printf("  %s: epoch %d in %.1f s%n", name, e + 1, seconds[e]);
    }
    MultiLayerNetwork net = NetworkFactory.fromParams(json, s.params(), s.updaterState());
    return new Outcome(name, Rates.of(seconds, examples), LocalEvaluator.evaluate(net, test, 10).accuracy());
  }
}
