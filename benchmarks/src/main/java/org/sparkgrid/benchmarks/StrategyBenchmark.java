package org.sparkgrid.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sparkgrid.core.request.StrategySpec;
import org.sparkgrid.federation.strategy.AggregationStrategy;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.federation.strategy.Strategies;
import org.sparkgrid.federation.strategy.StrategyState;

/**
 * Each aggregation strategy's merge throughput in one JVM: K updates of P floats in, useful bytes
 * K x P x 4 per second, next to a memory copy of the same bytes measured in the same run.
 *
 * <pre>benchmarks/run strategies --sites 10,100 --params 1000000</pre>
 */
public final class StrategyBenchmark {

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  private static void run(String[] args) {
    String[] ks = Bench.arg(args, "--sites", "10,100").split(",");
    String[] ps = Bench.arg(args, "--params", "1000000").split(",");
    int repeats = Integer.parseInt(Bench.arg(args, "--repeats", "3"));
    Map<String, StrategySpec> specs = new LinkedHashMap<>();
    specs.put("fedavg", new StrategySpec("fedavg", Map.of()));
    specs.put("fedavgm", new StrategySpec("fedavgm", Map.of()));
    specs.put("fedadam", new StrategySpec("fedadam", Map.of()));
    specs.put("fedyogi", new StrategySpec("fedyogi", Map.of()));
    specs.put("median", new StrategySpec("median", Map.of()));
    specs.put("trimmed-mean 0.2", new StrategySpec("trimmed-mean", Map.of("trim", 0.2)));
    specs.put("dp-fedavg", new StrategySpec("dp-fedavg", Map.of("clipNorm", 1.0, "noiseMultiplier", 1.0)));
    System.out.printf("Strategy benchmark: one JVM, %d cores; GB/s of updates merged, and as a share of a memory copy%n",
        Runtime.getRuntime().availableProcessors());
    System.out.printf("%-18s %6s %10s %10s %10s %12s%n", "strategy", "K", "P", "ms", "GB/s", "of copy");
    for (String pText : ps) {
      int p = Integer.parseInt(pText.strip());
      for (String kText : ks) {
        int k = Integer.parseInt(kText.strip());
        List<SiteUpdate> updates = updates(k, p);
        float[] global = new float[p];
        double bytes = (double) k * p * Float.BYTES;
        float[] dst = new float[p];
        double copy = Bench.best(repeats, () -> {
          for (SiteUpdate u : updates) {
            System.arraycopy(u.delta(), 0, dst, 0, p);
          }
        });
        System.out.printf("%-18s %6d %10d %10.1f %10.2f %11.0f%%%n", "memory copy", k, p, copy * 1e3, bytes / copy / 1e9,
            100.0);
        Map<String, StrategySpec> all = new LinkedHashMap<>(specs);
        int f = Math.max(1, (k - 3) / 2 / 4);
        all.put("krum f=" + f, new StrategySpec("krum", Map.of("f", (double) f)));
        for (Map.Entry<String, StrategySpec> e : all.entrySet()) {
          AggregationStrategy s = Strategies.create(e.getValue());
          double t = Bench.best(repeats, () -> s.aggregate(global, updates, StrategyState.EMPTY));
          System.out.printf("%-18s %6d %10d %10.1f %10.2f %11.1f%%%n", e.getKey(), k, p, t * 1e3, bytes / t / 1e9,
              100 * copy / t);
        }
      }
    }
  }

  private static List<SiteUpdate> updates(int k, int p) {
    SplittableRandom r = new SplittableRandom(1);
    List<SiteUpdate> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      float[] d = new float[p];
      for (int j = 0; j < p; j++) {
        d[j] = (float) (r.nextGaussian() * 0.01);
      }
      out.add(new SiteUpdate("site-" + i, d, 100 + i));
    }
    return out;
  }

}
