package org.sparkgrid.benchmarks;

import java.util.ArrayList;
import java.util.List;
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
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.engine.AveragingEngine;
import org.sparkgrid.jobs.engine.Dl4jSparkEngine;
import org.sparkgrid.jobs.engine.ModelState;
import org.sparkgrid.jobs.engine.TrainingEngine;
import org.sparkgrid.jobs.eval.LocalEvaluator;
import org.sparkgrid.jobs.model.NetworkFactory;

/**
 * The same model, data and epochs trained three ways in one run: single-JVM DL4J (the baseline),
 * SparkGrid's averaging engine on {@code local[2]}, and dl4j-spark's parameter averaging on
 * {@code local[2]}. Prints examples/s (all epochs, and steady state: epochs after the first), test
 * accuracy and the ratios.
 *
 * <pre>benchmarks/run training --model cnn --epochs 2</pre>
 */
public final class TrainingBenchmark {
  private static final String DATA = "/usr/share/datasets/fashion-mnist/";

  private record Outcome(String name, double examplesPerSecond, double steadyExamplesPerSecond, double accuracy) {}

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    String model = Bench.arg(args, "--model", "cnn");
    int epochs = Integer.parseInt(Bench.arg(args, "--epochs", "2"));
    String limitArg = Bench.arg(args, "--limit", null);
    Integer limit = limitArg == null ? null : Integer.valueOf(limitArg);
    int batch = 64;
    int avgFreq = Integer.parseInt(Bench.arg(args, "--averaging-frequency", "10"));
    Configuration hadoop = new Configuration();
    ExampleShard train = IdxReader.read(hadoop, DATA + "train", limit);
    ExampleShard test = IdxReader.read(hadoop, DATA + "t10k", null);
    ModelSpec spec = model.equals("mlp")
        ? new ModelSpec("bench-mlp", ModelSpec.Architecture.MLP, MlpSpec.defaults(), null, null, null)
        : new ModelSpec("bench-cnn", ModelSpec.Architecture.CNN, null, CnnSpec.defaults(), null, null);
    TrainingSpec training = new TrainingSpec(epochs, batch, 42, new UpdaterSpec("adam", 0.001, 0.9), 0.0);
    MultiLayerConfiguration conf = NetworkFactory.build(spec, training, train.shape(), 10);
    String json = conf.toJson();
    DataNormalization norm = new ImagePreProcessingScaler(0, 1);
    List<DataSet> testBatches = Minibatches.all(test, 1000, 10, norm);
    System.out.printf("Training benchmark: %s, %d epochs x %d examples, batch %d, averaging every %d, %d cores%n",
        model, epochs, train.count(), batch, avgFreq, Runtime.getRuntime().availableProcessors());

    List<Outcome> outcomes = new ArrayList<>();
    outcomes.add(singleJvm(json, train, testBatches, norm, epochs, batch));

    SparkConf sparkConf = new SparkConf().setMaster("local[2]").setAppName("TrainingBenchmark")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.rpc.message.maxSize", "512");
    try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
      sc.setLogLevel("WARN");
      // read on the executors, one block per worker, as compute jobs do
      DataSpec data = new DataSpec(DataSpec.Format.IDX, "file:" + DATA + "train", null, 0, false, 10,
          DataSpec.Normalization.SCALE, limit);
      JavaRDD<ExampleShard> shards = DataSource.train(data).shards(sc, 2).cache();
      int[] counts = shards.map(ExampleShard::count).collect().stream().mapToInt(Integer::intValue).toArray();
      AveragingEngine.Settings settings =
          AveragingEngine.Settings.of(json, norm, 10, batch, avgFreq, true, 42, 4);
      outcomes.add(onSpark("SparkGrid engine, local[2]", new AveragingEngine(sc, shards, counts, settings),
          json, testBatches, epochs));
      outcomes.add(onSpark("dl4j-spark averaging, local[2]", new Dl4jSparkEngine(sc, shards, settings),
          json, testBatches, epochs));
    }

    Outcome base = outcomes.get(0);
    System.out.println();
    System.out.printf("%-32s %12s %14s %10s %10s%n", "way", "examples/s", "steady ex/s", "accuracy", "vs 1 JVM");
    for (Outcome o : outcomes) {
      System.out.printf("%-32s %12.0f %14.0f %10.4f %9.2fx%n", o.name, o.examplesPerSecond, o.steadyExamplesPerSecond,
          o.accuracy, o.steadyExamplesPerSecond / base.steadyExamplesPerSecond);
    }
    Outcome sg = outcomes.get(1);
    Outcome dl = outcomes.get(2);
    System.out.printf("SparkGrid vs dl4j-spark: %.2fx throughput; accuracy SparkGrid - 1 JVM: %+.2f points%n",
        sg.steadyExamplesPerSecond / dl.steadyExamplesPerSecond, 100 * (sg.accuracy - base.accuracy));
  }

  private static Outcome singleJvm(String json, ExampleShard train, List<DataSet> test, DataNormalization norm,
      int epochs, int batch) {
    MultiLayerNetwork net = NetworkFactory.init(MultiLayerConfiguration.fromJson(json));
    double[] seconds = new double[epochs];
    for (int e = 0; e < epochs; e++) {
      int[] order = Minibatches.shuffledOrder(train.count(), 42L * 31 + e);
      long t0 = System.nanoTime();
      for (int from = 0; from < train.count(); from += batch) {
        net.fit(Minibatches.batch(train, order, from, Math.min(from + batch, train.count()), 10, norm));
      }
      seconds[e] = (System.nanoTime() - t0) / 1e9;
      System.out.printf("  single JVM: epoch %d in %.1f s%n", e + 1, seconds[e]);
    }
    EvaluationResult r = LocalEvaluator.evaluate(net, test, 10);
    return outcome("single-JVM DL4J (baseline)", seconds, train.count(), r.accuracy());
  }

  private static Outcome onSpark(String name, TrainingEngine engine, String json, List<DataSet> test, int epochs) {
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
    EvaluationResult r = LocalEvaluator.evaluate(net, test, 10);
    return outcome(name, seconds, examples, r.accuracy());
  }

  private static Outcome outcome(String name, double[] seconds, long examplesPerEpoch, double accuracy) {
    double all = 0;
    for (double s : seconds) {
      all += s;
    }
    double steady = seconds.length > 1 ? all - seconds[0] : all;
    int steadyEpochs = seconds.length > 1 ? seconds.length - 1 : 1;
    return new Outcome(name, examplesPerEpoch * seconds.length / all, examplesPerEpoch * steadyEpochs / steady, accuracy);
  }
}
