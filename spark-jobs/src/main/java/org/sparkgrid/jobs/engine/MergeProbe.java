package org.sparkgrid.jobs.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;

/**
 * Measures the cost of one averaging merge exactly as {@link AveragingTask} does it (encode,
 * all-gather, decode, weighted mean), without training in between. Used by the benchmarks.
 */
public final class MergeProbe {
  private MergeProbe() {}

  /**
   * Runs {@code rounds} merges of {@code params}-float vectors among {@code workers} barrier tasks
   * (after 3 warm-up rounds) and returns the median seconds per merge as worker 0 measured it.
   */
  public static double secondsPerAllGatherMerge(JavaSparkContext sc, int workers, int params, int rounds) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      ids.add(i);
    }
    double[] times = sc.parallelize(ids, workers).rdd().barrier()
        .mapPartitions(new ProbeFn(params, rounds), false, ClassTag$.MODULE$.apply(double[].class))
        .toJavaRDD()
        .collect()
        .stream()
        .filter(t -> t.length > 0)
        .findFirst()
        .orElseThrow();
    Arrays.sort(times);
    return times[times.length / 2];
  }

  /** Seconds for Spark's stock {@code treeAggregate} to sum the vectors (median of {@code rounds}). */
  public static double secondsPerTreeAggregate(JavaSparkContext sc, List<float[]> vectors, int rounds) {
    var rdd = sc.parallelize(vectors, vectors.size()).cache();
    rdd.count();
    int p = vectors.get(0).length;
    double[] times = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      rdd.treeAggregate(new float[p], (acc, v) -> {
        for (int i = 0; i < p; i++) {
          acc[i] += v[i];
        }
        return acc;
      }, (a, b) -> {
        for (int i = 0; i < p; i++) {
          a[i] += b[i];
        }
        return a;
      });
      times[r] = (System.nanoTime() - t0) / 1e9;
    }
    rdd.unpersist(false);
    Arrays.sort(times);
    return times[rounds / 2];
  }

  private static final class ProbeFn extends scala.runtime.AbstractFunction1<
      scala.collection.Iterator<Integer>, scala.collection.Iterator<double[]>> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final int params;
    private final int rounds;

    ProbeFn(int params, int rounds) {
      this.params = params;
      this.rounds = rounds;
    }

    @Override
    public scala.collection.Iterator<double[]> apply(scala.collection.Iterator<Integer> it) {
      org.apache.spark.BarrierTaskContext ctx = org.apache.spark.BarrierTaskContext.get();
      int w = ctx.partitionId();
      float[] v = new float[params];
      Arrays.fill(v, w + 1);
      double[] times = new double[rounds];
      for (int r = -3; r < rounds; r++) {
        long t0 = System.nanoTime();
        String[] all = ctx.allGather(new VectorMessage(100 + w, v).encode());
        v = Averaging.merge(all);
        if (r >= 0) {
          times[r] = (System.nanoTime() - t0) / 1e9;
        }
      }
      double[] out = w == 0 ? times : new double[0];
      return JavaConverters.asScalaIterator(List.of(out).iterator());
    }
  }
}
