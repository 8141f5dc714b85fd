package org.sparkgrid.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.request.DataSpec;
import org.sparkgrid.core.request.DataSpec.Format;
import org.sparkgrid.core.request.DataSpec.Normalization;

/**
 * Which parts of FramePrep's plans the RAPIDS Accelerator would run on a GPU, asked on this CPU
 * machine through RAPIDS' own planner ({@code com.nvidia.spark.rapids.ExplainPlan}, which needs the
 * plugin jar but no GPU). Runs only with the jar on the test classpath:
 * {@code mvn -o -pl spark-jobs -am test -Dtest=FramePrepGpuPlanTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Drapids.jar=/path/to/rapids-4-spark_2.12-25.04.0.jar}; skipped otherwise.
 *
 * <p>Every normalize, shuffle and split operator and expression must be placed on the GPU; the only
 * operators allowed on CPU are the inputs: the decoded rows (an RDD of Java objects, cached) and the
 * small local table of site assignments that is broadcast into the join.
 */
class FramePrepGpuPlanTest {
  private static final List<String> CPU_INPUTS = List.of("InMemoryTableScanExec", "LocalTableScanExec",
      "ExternalRDDScanExec", "SerializeFromObjectExec", "MapPartitionsExec");
  private static SparkSession spark;
  private static Method explain;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    Class<?> c;
    try {
      c = Class.forName("com.nvidia.spark.rapids.ExplainPlan");
    } catch (ClassNotFoundException e) {
      c = null;
    }
    assumeThat(c).as("the RAPIDS jar on the test classpath (-Drapids.jar=...)").isNotNull();
    explain = c.getMethod("explainPotentialGpuPlan", Dataset.class, String.class);
    spark = SparkSession.builder().master("local[2]").appName("FramePrepGpuPlanTest")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        // as in conf/spark-defaults-gpu.conf: RAPIDS 25.04 has shims up to Spark 3.5.5
        .config("spark.rapids.shims-provider-override", "com.nvidia.spark.rapids.shims.spark355.SparkShimServiceProvider")
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private Dataset<Row> decoded() throws Exception {
    byte[][] seq = DataFixtures.sequence(7);
    DataSource source = DataSource.train(new DataSpec(Format.IDX,
        DataFixtures.writeIdx(dir, "train", seq[0], seq[1], true), null, 0, false, null, Normalization.NONE, null));
    return FramePrep.decode(spark, source, 2).cache();
  }

  private static String gpuPlan(Dataset<Row> df) throws Exception {
    return (String) explain.invoke(null, df, "ALL");
  }

  /** Lines RAPIDS marks as not on the GPU ("!"), other than the allowed CPU inputs. */
  private static List<String> offGpu(String plan) {
    return plan.lines().map(String::strip)
        .filter(l -> l.startsWith("!"))
        .filter(l -> CPU_INPUTS.stream().noneMatch(l::contains))
        .filter(l -> !l.contains("Columnar exchange without columnar children")) // RAPIDS' choice over a CPU input
        .toList();
  }

  @Test
  void normalizeAndShuffleRunOnTheGpu() throws Exception {
    Dataset<Row> frame = decoded();
    for (Normalization n : List.of(Normalization.SCALE, Normalization.STANDARDIZE)) {
      String plan = gpuPlan(FramePrep.shuffle(FramePrep.normalize(frame, n), 42));

      assertThat(offGpu(plan)).as("%s:%n%s", n, plan).isEmpty();
      assertThat(plan).contains("*Expression <ArrayTransform>", "*Expression <XxHash64>", "*Exec <SortExec> will run on GPU");
    }
  }

  @Test
  void theStandardizeMomentsAreAGpuAggregation() throws Exception {
    Dataset<Row> moments = decoded().select(org.apache.spark.sql.functions.posexplode(
        org.apache.spark.sql.functions.col(FramePrep.FEATURES)).as(new String[] {"f", "x"}))
        .groupBy("f").agg(org.apache.spark.sql.functions.avg("x"), org.apache.spark.sql.functions.stddev_pop("x"));

    String plan = gpuPlan(moments);

    assertThat(offGpu(plan)).as(plan).isEmpty();
    assertThat(plan).contains("*Exec <HashAggregateExec> will run on GPU", "*Exec <GenerateExec> will run on GPU");
  }

  @Test
  void theSiteAssignmentIsAGpuBroadcastJoin() throws Exception {
    String plan = gpuPlan(FramePrep.assign(spark, decoded(), new int[][] {{4, 0}, {2}}, new int[] {6}));

    assertThat(offGpu(plan)).as(plan).isEmpty();
    assertThat(plan).contains("*Exec <BroadcastHashJoinExec> will run on GPU");
  }
}
