package org.sparkgrid.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.sparkgrid.core.request.StrategySpec;
import org.sparkgrid.federation.strategy.AggregationStrategy;
import org.sparkgrid.federation.strategy.ShardedAggregation;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.federation.strategy.Strategies;
import org.sparkgrid.federation.strategy.StrategyState;
import org.sparkgrid.federation.strategy.UpdateRanges;
import org.sparkgrid.jobs.tree.SparkAggregation;

/**
 * Tree mode's merge through Spark: K updates of P floats held by the executors (a persisted RDD, one
 * partition per update, as the site tasks leave them), merged by {@link SparkAggregation}'s stage on
 * {@code local[2]}, as useful bytes (K x P x 4) per second; next to, in the same run, a memory copy of
 * the same bytes, the strategy's own kernel and the range kernel the stage runs ({@code ShardedAggregation}
 * over one range) in the driver's JVM on updates it already holds, and the driver path: collecting the
 * K updates as task results (inline) and merging them there.
 *
 * <pre>benchmarks/run aggregation --sizes 10x1000000,100x1000000,10x10000000,20x10000000</pre>
 */
public final class AggregationBenchmark {

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  private static void run(String[] args) {
    String[] sizes = Bench.arg(args, "--sizes", "10x1000000,100x1000000,10x10000000,20x10000000").split(",");
    String robustSizes = Bench.arg(args, "--robust-sizes", "10x1000000");
    int repeats = Integer.parseInt(Bench.arg(args, "--repeats", "5"));
    String serializer = Bench.arg(args, "--serializer", "java");
    String direct = Bench.arg(args, "--max-direct-result", "256m");
    String exchanges = Bench.arg(args, "--exchange", "in-place,shuffle");
    SparkConf conf = new SparkConf().setMaster(Bench.arg(args, "--master", "local[2]")).setAppName("AggregationBenchmark")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.rpc.message.maxSize", "512").set("spark.task.maxDirectResultSize", direct);
    if (serializer.equals("kryo")) {
      conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer").set("spark.kryo.unsafe", "true")
          .registerKryoClasses(new Class<?>[] {float[].class, double[].class});
    }
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      sc.setLogLevel("WARN");
      System.out.printf("Aggregation benchmark: %s, %d cores, serializer %s, spark.task.maxDirectResultSize %s;"
          + " GB/s of updates merged (K x P x 4 bytes), best of %d, and as a share of a memory copy%n",
          sc.master(), Runtime.getRuntime().availableProcessors(), serializer, direct, repeats);
      System.out.printf("%-10s %5s %9s %-44s %6s %9s %9s %8s%n", "strategy", "K", "P", "way", "ranges", "ms",
          "GB/s", "of copy");
      List<String> robust = Arrays.asList(robustSizes.split(","));
      // JIT warm-up of every path on a small size, not printed
      measure(sc, conf, 10, 100_000, 2, true, Arrays.asList(exchanges.split(",")), false);
      for (String size : sizes) {
        String[] kp = size.strip().split("x");
        int k = Integer.parseInt(kp[0]);
        int p = Integer.parseInt(kp[1]);
        measure(sc, conf, k, p, repeats, robust.contains(size.strip()), Arrays.asList(exchanges.split(",")), true);
      }
    }
  }

  private static void measure(JavaSparkContext sc, SparkConf conf, int k, int p, int repeats, boolean robust,
      List<String> exchanges, boolean print) {
    JavaRDD<float[]> updates = sc.parallelize(IntStream.range(0, k).boxed().toList(), k)
        .map(i -> random(i, p)).persist(StorageLevel.MEMORY_AND_DISK());
    updates.count();
    long[] examples = IntStream.range(0, k).mapToLong(i -> 100 + i).toArray();
    int[] accepted = IntStream.range(0, k).toArray();
    float[] global = new float[p];
    double bytes = (double) k * p * Float.BYTES;

    // on the driver: collect the updates as task results, as the driver path does
    List<float[]> held = new ArrayList<>();
    double collect = Bench.best(repeats, () -> {
      held.clear();
      held.addAll(updates.collect());
    });
    List<SiteUpdate> siteUpdates = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      siteUpdates.add(new SiteUpdate("site-" + i, held.get(i), examples[i]));
    }
    float[] dst = new float[p];
    double copy = Bench.best(repeats, () -> {
      for (float[] d : held) {
        System.arraycopy(d, 0, dst, 0, p);
      }
    });
    Row row = (strategy, way, ranges, seconds) -> {
      if (print) {
        System.out.printf("%-10s %5d %9d %-44s %6d %9.1f %9.2f %7.1f%%%n", strategy, k, p, way, ranges, seconds * 1e3,
            bytes / seconds / 1e9, 100 * copy / seconds);
      }
    };
    row.print("-", "memory copy (baseline)", 1, copy);
    row.print("-", "collect K updates to the driver (inline)", k, collect);

    int shards = SparkAggregation.shards(conf, sc.defaultParallelism(), p);
    Map<String, StrategySpec> specs = new java.util.LinkedHashMap<>();
    specs.put("fedavg", new StrategySpec("fedavg", Map.of()));
    if (robust) {
      specs.put("median", new StrategySpec("median", Map.of()));
      specs.put("krum", new StrategySpec("krum", Map.of("f", (double) Math.max(1, (k - 3) / 2 / 4))));
    }
    for (Map.Entry<String, StrategySpec> e : specs.entrySet()) {
      AggregationStrategy s = Strategies.create(e.getValue());
      double kernel = Bench.best(repeats, () -> s.aggregate(global, siteUpdates, StrategyState.EMPTY));
      row.print(e.getKey(), "kernel in one JVM, 1 thread (updates held)", 1, kernel);
      double ranged = Bench.best(repeats, () -> ShardedAggregation.aggregate(s, global, examples, StrategyState.EMPTY,
          UpdateRanges.of(held, 1)));
      row.print(e.getKey(), "range kernel in one JVM, 1 thread (held)", 1, ranged);
      row.print(e.getKey(), "driver path: collect + kernel", 1, collect + kernel);
      for (String x : exchanges) {
        SparkAggregation.Exchange exchange = x.strip().equals("shuffle") ? SparkAggregation.Exchange.SHUFFLE
            : SparkAggregation.Exchange.IN_PLACE;
        double t = Bench.best(repeats, () -> {
          try (SparkAggregation ranges = SparkAggregation.over(updates, accepted, p, shards, exchange)) {
            ShardedAggregation.aggregate(s, global, examples, StrategyState.EMPTY, ranges);
          }
        });
        row.print(e.getKey(), "Spark stage, " + x.strip(), shards, t);
      }
    }
    updates.unpersist(true);
  }

  private static float[] random(int seed, int p) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] d = new float[p];
    for (int j = 0; j < p; j++) {
      d[j] = (float) (r.nextGaussian() * 0.01);
    }
    return d;
  }

  /** One printed line of the table. */
  private interface Row {
    void print(String strategy, String way, int ranges, double seconds);
  }


}
