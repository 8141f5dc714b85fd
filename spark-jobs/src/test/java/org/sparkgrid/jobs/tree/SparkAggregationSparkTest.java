package org.sparkgrid.jobs.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkgrid.core.request.StrategySpec;
import org.sparkgrid.federation.strategy.Aggregation;
import org.sparkgrid.federation.strategy.AggregationStrategy;
import org.sparkgrid.federation.strategy.ShardedAggregation;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.federation.strategy.Strategies;
import org.sparkgrid.federation.strategy.StrategyState;
import org.sparkgrid.federation.strategy.UpdateFacts;
import org.sparkgrid.jobs.tree.SparkAggregation.Exchange;

/**
 * The Spark aggregation stage on {@code local[2]} against each strategy's own {@code aggregate} on
 * the driver (the single-machine oracle), for updates held by the executors.
 */
class SparkAggregationSparkTest {
  private static final int SITES = 7;
  private static final int LENGTH = 10_001;
  /** Types whose every coordinate goes through the same operations in both: equal bit for bit. */
  private static final Set<String> EXACT = Set.of("fedavg", "fedavgm", "fedprox", "fednova", "scaffold", "fedadam",
      "fedyogi", "fedadagrad", "median", "trimmed-mean", "krum", "multi-krum");
  private static JavaSparkContext sc;
  private static JavaRDD<float[]> updates;

  @BeforeAll
  static void setUp() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("SparkAggregationSparkTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    sc.setLogLevel("ERROR");
    updates = sc.parallelize(IntStream.range(0, SITES).boxed().toList(), SITES).map(SparkAggregationSparkTest::delta)
        .persist(StorageLevel.MEMORY_AND_DISK());
    updates.count();
  }

  @AfterAll
  static void tearDown() {
    if (sc != null) {
      sc.stop();
    }
  }

  /** Site k's update: random values of scale (k + 1) / 100, so that clipping at 1 cuts most of them. */
  private static float[] delta(int k) {
    SplittableRandom r = new SplittableRandom(k);
    float[] d = new float[LENGTH];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (r.nextGaussian() * (k + 1) * 0.01);
    }
    return d;
  }

  private static long examples(int k) {
    return 10 + 7L * k;
  }

  static Stream<Arguments> strategies() {
    List<Arguments> out = new ArrayList<>();
    for (Exchange exchange : Exchange.values()) {
      for (String type : Strategies.types()) {
        out.add(Arguments.of(type, paramsOf(type), exchange));
      }
      out.add(Arguments.of("trimmed-mean", Map.of("trim", 0.3, "clipNorm", 1.0), exchange));
      out.add(Arguments.of("multi-krum", Map.of("f", 1.0, "m", 3.0, "clipNorm", 1.0), exchange));
    }
    return out.stream();
  }

  private static Map<String, Object> paramsOf(String type) {
    return switch (type) {
      case "dp-fedavg" -> Map.of("clipNorm", 1.0, "noiseMultiplier", 0.5);
      case "fedadam" -> Map.of("clipNorm", 1.0);
      default -> Strategies.definition(type).example();
    };
  }

  @ParameterizedTest(name = "{0} {1}, {2}")
  @MethodSource("strategies")
  void mergesAsTheStrategyDoesOnTheDriver(String type, Map<String, Object> params, Exchange exchange) {
    // Prepare: sites 4, 0, 2, 6, 1 accepted in that order (3 and 5 left out), over two rounds
    // dp-fedavg's noise is secure: the two paths add the same noise only with the same test seed
    AggregationStrategy s = org.sparkgrid.federation.strategy.TestSeeds.seeded(
        Strategies.create(new StrategySpec(type, params)), 5);
    int[] accepted = {4, 0, 2, 6, 1};
    List<SiteUpdate> held = new ArrayList<>();
    for (int k : accepted) {
      // local steps (FedNova) and a control-variate delta (SCAFFOLD) too, which the driver holds
      held.add(new SiteUpdate("site-" + k, delta(k), examples(k), k + 1, delta(SITES + k)));
    }
    UpdateFacts counts = UpdateFacts.of(held);
    float[] global = new float[LENGTH];
    java.util.Arrays.fill(global, 0.25f);

    // Execute
    Aggregation oracle1 = s.aggregate(global, held, StrategyState.EMPTY);
    Aggregation oracle2 = s.aggregate(oracle1.global(), held, oracle1.state());
    Aggregation spark1;
    Aggregation spark2;
    try (SparkAggregation ranges = SparkAggregation.over(updates, accepted, LENGTH, 3, exchange)) {
      spark1 = ShardedAggregation.aggregate(s, global, counts, StrategyState.EMPTY, ranges);
      spark2 = ShardedAggregation.aggregate(s, spark1.global(), counts, spark1.state(), ranges);
    }

    // Assert
    if (EXACT.contains(type) && !params.containsKey("clipNorm")) {
      assertThat(spark1.global()).containsExactly(oracle1.global());
      assertThat(spark2.global()).containsExactly(oracle2.global());
      assertThat(spark2.state()).isEqualTo(oracle2.state());
    } else {
      assertThat(spark2.global()).containsExactly(oracle2.global(), within(1e-6f));
    }
  }

  @Test
  void neverComputesAnUpdateThatIsNotAccepted() {
    // Prepare: partition 1 fails if it is ever computed, as a site that missed the deadline must not be trained again
    JavaRDD<float[]> withStraggler = sc.parallelize(List.of(0, 1, 2), 3).map(k -> {
      if (k == 1) {
        throw new IllegalStateException("the straggler was computed");
      }
      return new float[] {k, 10 * k};
    });
    JavaRDD<float[]> cached = withStraggler.persist(StorageLevel.MEMORY_AND_DISK());
    SparkAggregation.only(cached, new int[] {0, 2}).count();

    // Execute: FedAvg of [2, 20] (weight 3) and [0, 0] (weight 1) = [1.5, 15]
    for (Exchange exchange : Exchange.values()) {
      try (SparkAggregation ranges = SparkAggregation.over(cached, new int[] {2, 0}, 2, 2, exchange)) {
        Aggregation a = ShardedAggregation.aggregate(Strategies.fedAvg(), new float[2], new long[] {3, 1},
            StrategyState.EMPTY, ranges);

        // Assert
        assertThat(a.global()).as(exchange.name()).containsExactly(1.5f, 15f);
      }
    }
    cached.unpersist(true);
  }

  @Test
  void refusesAcceptedPartitionsTheUpdatesDoNotHave() {
    assertThatThrownBy(() -> SparkAggregation.over(updates, new int[] {0, 7}, LENGTH, 2, Exchange.IN_PLACE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("accepted partitions [0, 7] must be distinct partitions of the 7 of the updates");
    assertThatThrownBy(() -> SparkAggregation.over(updates, new int[0], LENGTH, 2, Exchange.IN_PLACE))
        .hasMessage("no accepted updates to merge");
  }

  @Test
  void cutsEnoughRangesForEachResultToTravelInline() {
    SparkConf conf = new SparkConf(false).set("spark.task.maxDirectResultSize", "1m");

    // 1,000,000 coordinates of up to 8 bytes = 8 MB; 90% of 1 MiB per range -> 9 ranges
    assertThat(SparkAggregation.shards(conf, 2, 1_000_000)).isEqualTo(9);
    assertThat(SparkAggregation.shards(conf.set("spark.task.maxDirectResultSize", "256m"), 2, 1_000_000))
        .isEqualTo(2);
    assertThat(SparkAggregation.shards(conf, 4, 3)).as("at most one range per coordinate").isEqualTo(3);
  }
}
