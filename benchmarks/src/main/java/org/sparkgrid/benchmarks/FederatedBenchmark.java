package org.sparkgrid.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.eval.LocalEvaluator;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;
import org.sparkgrid.jobs.tree.FederationRunner;
import org.sparkgrid.jobs.tree.LocalSiteTrainer;

/**
 * Tree mode against the centralized run, on Fashion-MNIST: the training set cut into N sites by
 * Dirichlet(alpha) over labels, R rounds of each strategy named (FedAvg unless told) on that same
 * split, with one local epoch per site unless told, test accuracy after every round; beside them one
 * network trained on all the data in one JVM, test accuracy after every epoch (a round and an epoch
 * both pass over every example once). Writes the curves to a PNG. {@code scaffold} runs with
 * {@code sites} set to N.
 *
 * <pre>benchmarks/run federated --sites 10 --alpha 0.5 --rounds 30 --local-epochs 2 --lr-decay 0.93 \
 *     --strategies fedavgm:momentum=0.5,fedavg
 * benchmarks/run federated --sites 10 --alpha 0.5 --rounds 30 --out benchmarks/results
 * benchmarks/run federated --sites 8 --alpha 0.3 --rounds 10 --strategies fedavg,fednova,scaffold,fedadam:eta=0.01
 * benchmarks/run federated --sites 8 --alpha 0.3 --rounds 10 --strategies fedavg,scaffold --updater sgd --lr 0.05</pre>
 */
public final class FederatedBenchmark {
  private static final String DATA = FederatedSplit.DATA;

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  /**
   * The request's strategy for one {@code --strategies} entry: a type, optionally with parameters,
   * {@code fedadam:eta=0.01+tau=0.001}; {@code scaffold} gets {@code sites} = the number of sites
   * (its c moves by the sum of the control deltas over the federation's number of sites).
   */
  static String strategySpec(String entry, int sites) {
    String[] parts = entry.split(":", 2);
    StringBuilder spec = new StringBuilder("{\"type\": \"" + parts[0] + "\"");
    if (parts[0].equals("scaffold") && !(parts.length > 1 && parts[1].contains("sites="))) {
      spec.append(", \"sites\": ").append(sites);
    }
    if (parts.length > 1) {
      for (String kv : parts[1].split("\\+")) {
        String[] p = kv.split("=", 2);
        spec.append(", \"").append(p[0]).append("\": ").append(p[1]);
      }
    }
    return spec.append("}").toString();
  }

  private static void run(String[] args) throws Exception {
    int sites = Integer.parseInt(Bench.arg(args, "--sites", "10"));
    double alpha = Double.parseDouble(Bench.arg(args, "--alpha", "0.5"));
    int rounds = Integer.parseInt(Bench.arg(args, "--rounds", "30"));
    List<String> strategies = List.of(Bench.arg(args, "--strategies", Bench.arg(args, "--strategy", "fedavg"))
        .split(","));
    String strategy = String.join("+", strategies);
    int localEpochs = Integer.parseInt(Bench.arg(args, "--local-epochs", "1"));
    String updater = Bench.arg(args, "--updater", "adam");
    // 0 leaves the centralized baseline out (e.g. a second run on the same split and seed)
    int centralEpochs = Integer.parseInt(Bench.arg(args, "--centralized-epochs", String.valueOf(rounds)));
    double lr = Double.parseDouble(Bench.arg(args, "--lr", "0.001"));
    double lrDecay = Double.parseDouble(Bench.arg(args, "--lr-decay", "1"));
    Path out = Path.of(Bench.arg(args, "--out", "benchmarks/results"));
    Path work = Files.createTempDirectory("sparkgrid-federated-bench");
    Configuration conf = new Configuration();
    FederatedSplit split = FederatedSplit.write(work, sites, alpha);
    ExampleShard train = split.train();
    Path fed = split.federation();
    System.out.printf("Federated benchmark: Fashion-MNIST in %d sites, Dirichlet alpha %.2f, %d rounds of %s,"
        + " MLP 784-256-128-10, batch 64, %s %s (times %s each round), %d local epoch(s)%n", sites, alpha, rounds,
        strategy, updater, lr, lrDecay, localEpochs);

    Map<String, List<Double>> curves = new java.util.LinkedHashMap<>();
    Map<String, Double> seconds = new java.util.LinkedHashMap<>();
    TrainingRequest request = null;
    SparkConf sparkConf = new SparkConf().setMaster("local[2]").setAppName("FederatedBenchmark")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
    try (JavaSparkContext sc = new JavaSparkContext(sparkConf)) {
      sc.setLogLevel("ERROR");
      String store = work.resolve("store").toUri().toString();
      for (String type : strategies) {
          String spec = strategySpec(type, sites);
          String tag = type.replaceAll("[^A-Za-z0-9-]", "-");
        request = RequestCodec.parse("""
            {"schema": 1, "id": "federated-bench-%5$s", "mode": "tree",
             "model": {"name": "federated-bench-%5$s", "architecture": "mlp"},
             "data": {"format": "idx", "train": "file:%6$s", "test": "file:%1$st10k"},
             "training": {"epochs": 1, "batchSize": 64, "seed": 42, "updater": {"type": "%9$s", "learningRate": %10$s}},
             "federation": {"sites": "file:%2$s", "rounds": %3$d, "localEpochs": %7$d, "minSites": %4$d,
                            "strategy": %8$s, "learningRateDecay": %11$s},
             "reward": {"poolPerRound": "1", "scoring": "examples"}}
            """.formatted(DATA, fed, rounds, Math.max(1, sites / 2), tag, split.validation(), localEpochs, spec,
            updater, lr, lrDecay));
        System.out.println("strategy " + spec);
        List<Double> federated = new ArrayList<>();
        long t0 = System.nanoTime();
        FederationRunner runner = new FederationRunner(sc, SparkGridConfig.from(Map.of()),
            new HadoopModelStore(store, sc.hadoopConfiguration()), new HadoopCheckpointStore(store,
            sc.hadoopConfiguration()), new ProgressListener() {
              @Override
              public void phase(String line) {
                System.out.println("  " + line);
              }
            }, new LocalSiteTrainer());
        for (RoundMetrics m : runner.run(request, "federated-bench-" + tag).rounds()) {
          federated.add(m.testAccuracy());
      }
      curves.put(type, federated);
      seconds.put(type, (System.nanoTime() - t0) / 1e9);
      }
    }

    // the centralized baseline: same network, all the data, one JVM
    ExampleShard test = IdxReader.read(conf, DATA + "t10k", null);
    DataNormalization norm = new ImagePreProcessingScaler(0, 1);
    List<DataSet> testBatches = Minibatches.all(test, 1000, 10, norm);
    MultiLayerConfiguration mlc = NetworkFactory.build(request.model(), request.training(), train.shape(), 10);
    MultiLayerNetwork net = NetworkFactory.init(mlc);
    List<Double> centralized = new ArrayList<>();
    long t1 = System.nanoTime();
    for (int e = 0; e < Math.min(rounds, centralEpochs); e++) {
      int[] epochOrder = Minibatches.shuffledOrder(train.count(), 42L + e);
      for (int from = 0; from < train.count(); from += 64) {
        net.fit(Minibatches.batch(train, epochOrder, from, Math.min(from + 64, train.count()), 10, norm));
      }
      centralized.add(LocalEvaluator.evaluate(net, testBatches, 10).accuracy());
    }
    double centralizedSeconds = (System.nanoTime() - t1) / 1e9;

    System.out.println();
    StringBuilder head = new StringBuilder(String.format("%-6s", "round"));
    curves.keySet().forEach(t -> head.append(String.format(" %12s", t)));
    System.out.println(head.append(String.format(" %12s", "centralized")));
    for (int r = 0; r < rounds; r++) {
      StringBuilder line = new StringBuilder(String.format("%-6d", r + 1));
      for (List<Double> c : curves.values()) {
        line.append(String.format(" %12.4f", c.get(r)));
      }
      System.out.println(line.append(r < centralized.size() ? String.format(" %12.4f", centralized.get(r))
          : String.format(" %12s", "-")));
    }
    for (Map.Entry<String, List<Double>> e : curves.entrySet()) {
      List<Double> c = e.getValue();
      int reached = -1;
      double best = 0;
      for (int r = 0; r < rounds; r++) {
        if (reached < 0 && c.get(r) >= 0.88) {
          reached = r + 1;
        }
        best = Math.max(best, c.get(r));
      }
      System.out.printf("%s: %.4f after %d rounds (best %.4f, %.0f s); %.4f below centralized; first round at >= 0.88:"
          + " %s%n", e.getKey(), c.get(rounds - 1), rounds, best, seconds.get(e.getKey()),
          centralized.size() < rounds ? Double.NaN : centralized.get(rounds - 1) - c.get(rounds - 1),
          reached < 0 ? "not reached" : String.valueOf(reached));
    }
    if (!centralized.isEmpty()) {
      System.out.printf("centralized: %.4f after %d epochs (%.0f s)%n", centralized.get(centralized.size() - 1),
          centralized.size(), centralizedSeconds);
    }

    Files.createDirectories(out);
    XYChart chart = new XYChartBuilder().width(800).height(480)
        .title(String.format("Fashion-MNIST, %d sites, Dirichlet(%.1f), %s, %d local epoch(s)", sites, alpha, strategy,
            localEpochs))
        .xAxisTitle("round (federated) / epoch (centralized)").yAxisTitle("test accuracy").build();
    List<Integer> x = new ArrayList<>();
    for (int r = 1; r <= rounds; r++) {
      x.add(r);
    }
    curves.forEach((type, c) -> chart.addSeries("tree mode, " + type, x, c));
    if (centralized.size() == rounds) {
      chart.addSeries("centralized, one JVM", x, centralized);
    }
    chart.getStyler().setYAxisMin(0.5).setYAxisMax(1.0);
    Path png = out.resolve("federated-accuracy-" + strategy.replaceAll("[^A-Za-z0-9+-]", "-") + "-" + updater + "-e"
        + localEpochs + ".png");
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    System.out.println("plot: " + png.toAbsolutePath());
  }
}
