package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.math.WeightedAverage;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;

/**
 * The peer exchange in real barrier tasks on {@code local[3]}, as {@link AveragingTask} opens it:
 * with 2 and with 3 workers every worker ends each averaging holding exactly the example-weighted
 * mean one JVM computes ({@link WeightedAverage#average}, vectors in worker order), including a step
 * where one worker has no examples (with 2 workers that leaves one, whose vector is the mean as it is).
 */
class PeerExchangeSparkTest {
  private static final int LENGTH = 10_001;
  private static final long[][] WEIGHTS = {{48, 40, 8}, {48, 0, 20}};
  private static JavaSparkContext sc;

  @BeforeAll
  static void startSpark() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[3]").setAppName("PeerExchangeSparkTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    sc.setLogLevel("WARN");
  }

  @AfterAll
  static void stopSpark() {
    sc.stop();
  }

  @Test
  void twoWorkersEndWithTheWeightedMeanOfOneJvm() throws IOException {
    checkAgainstOracle(2);
  }

  @Test
  void threeWorkersEndWithTheWeightedMeanOfOneJvm() throws IOException {
    checkAgainstOracle(3);
  }

  private static void checkAgainstOracle(int workers) throws IOException {
    float[][][] vectors = PeerExchangeTest.vectors(workers, WEIGHTS.length, LENGTH);

    List<float[][]> got = averageOnSpark(workers, vectors);

    assertThat(got).hasSize(workers);
    for (int step = 0; step < WEIGHTS.length; step++) {
      List<float[]> vs = new ArrayList<>();
      long[] ws = new long[workers];
      for (int w = 0; w < workers; w++) {
        vs.add(vectors[w][step]);
        ws[w] = WEIGHTS[step][w];
      }
      // one worker with examples: its vector as it is, as the driver's exchange has always returned it
      int[] contributors = java.util.stream.IntStream.range(0, workers).filter(w -> ws[w] > 0).toArray();
      float[] oracle = contributors.length == 1 ? vs.get(contributors[0]) : WeightedAverage.average(vs, ws);
      for (int w = 0; w < workers; w++) {
        assertThat(got.get(w)[step]).as("worker %d, step %d", w, step).containsExactly(oracle);
      }
    }
  }

  /** Each barrier task averages its vectors step by step; returns each worker's means, in worker order. */
  private static List<float[][]> averageOnSpark(int workers, float[][][] vectors) throws IOException {
    try (ExchangeServer server = new ExchangeServer("127.0.0.1", 0, 1, 60_000)) {
      long round = server.open(workers, LENGTH, ExchangeMode.PEERS);
      List<float[][]> input = new ArrayList<>(List.of(vectors));
      return sc.parallelize(input, workers).rdd().barrier()
          .mapPartitions(new AverageFn(server.endpoint(), round, workers), false,
              ClassTag$.MODULE$.apply(float[][].class))
          .toJavaRDD()
          .collect();
    }
  }

  private static final class AverageFn extends scala.runtime.AbstractFunction1<
      scala.collection.Iterator<float[][]>, scala.collection.Iterator<float[][]>> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final Exchange.Endpoint endpoint;
    private final long round;
    private final int workers;

    AverageFn(Exchange.Endpoint endpoint, long round, int workers) {
      this.endpoint = endpoint;
      this.round = round;
      this.workers = workers;
    }

    @Override
    public scala.collection.Iterator<float[][]> apply(scala.collection.Iterator<float[][]> it) {
      BarrierTaskContext ctx = BarrierTaskContext.get();
      int w = ctx.partitionId();
      float[][] mine = it.next();
      float[][] means = new float[WEIGHTS.length][];
      try (Averager a = Averager.open(endpoint, ExchangeMode.PEERS, AveragingTask.executorHost(), round,
          ctx.stageAttemptNumber(), w, workers, LENGTH, 60_000)) {
        for (int step = 0; step < WEIGHTS.length; step++) {
          long weight = WEIGHTS[step][w];
          means[step] = a.average(step, weight, weight > 0 ? mine[step] : null);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return JavaConverters.asScalaIterator(List.<float[][]>of(means).iterator());
    }
  }
}
