package org.sparkgrid.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.sparkgrid.core.request.DataSpec;
import org.sparkgrid.core.request.DataSpec.Format;
import org.sparkgrid.core.request.DataSpec.Normalization;

/** DataSource.shards and Normalizers.fit on a real local[2] Spark, against the single-machine read. */
class DataSourceSparkTest {

  private static JavaSparkContext sc;

  @TempDir Path dir;

  @BeforeAll
  static void startSpark() {
    sc = new JavaSparkContext(new SparkConf()
        .setMaster("local[2]")
        .setAppName("DataSourceSparkTest")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1"));
  }

  @AfterAll
  static void stopSpark() {
    if (sc != null) {
      sc.stop();
    }
  }

  private static DataSpec spec(Format format, String train, int labelColumn, boolean header, Integer limit) {
    return new DataSpec(format, train, null, labelColumn, header, null, Normalization.NONE, limit);
  }

  /** Checks one shard per partition, block i in partition i, and returns the per-partition shards. */
  private static List<ExampleShard> collectOnePerPartition(JavaRDD<ExampleShard> rdd, int numShards) {
    assertThat(rdd.getNumPartitions()).isEqualTo(numShards);
    List<List<ExampleShard>> partitions = rdd.glom().collect();
    assertThat(partitions).hasSize(numShards).allSatisfy(p -> assertThat(p).hasSize(1));
    return partitions.stream().map(p -> p.get(0)).toList();
  }

  @Test
  void idxShardsAreTheBlocksOfTheSingleMachineRead() throws Exception {
    byte[][] seq = DataFixtures.sequence(7);
    String prefix = DataFixtures.writeIdx(dir, "train", seq[0], seq[1], true);
    DataSource source = DataSource.train(spec(Format.IDX, prefix, 0, false, null));

    List<ExampleShard> shards = collectOnePerPartition(source.shards(sc, 2), 2);

    assertThat(shards).extracting(ExampleShard::count).containsExactly(3, 4);
    assertThat(ExampleShard.concat(shards)).isEqualTo(source.readAll(sc.hadoopConfiguration()));
  }

  @Test
  void csvShardsAreTheBlocksOfTheSingleMachineRead() throws Exception {
    DataFixtures.write(dir.resolve("d/a.csv"), "x,label\n0,0\n1,1\n2,2\n");
    DataFixtures.write(dir.resolve("d/b.csv"), "x,label\n3,0\n4,1\n");
    DataSource source = DataSource.train(spec(Format.CSV, "file:" + dir.resolve("d"), 1, true, null));

    List<ExampleShard> shards = collectOnePerPartition(source.shards(sc, 3), 3);

    assertThat(shards).extracting(ExampleShard::count).containsExactly(1, 2, 2);
    assertThat(ExampleShard.concat(shards)).isEqualTo(source.readAll(sc.hadoopConfiguration()));
    assertThat(ExampleShard.concat(shards).features()).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void shardsHonourTheTrainingLimit() throws Exception {
    byte[][] seq = DataFixtures.sequence(7);
    String prefix = DataFixtures.writeIdx(dir, "train", seq[0], seq[1], false);

    DataSource source = DataSource.train(spec(Format.IDX, prefix, 0, false, 5));

    List<ExampleShard> shards = collectOnePerPartition(source.shards(sc, 2), 2);

    assertThat(shards).extracting(ExampleShard::count).containsExactly(2, 3);
  }

  @Test
  void missingDataFailsOnTheDriverBeforeAnyTask() {
    DataSource source = DataSource.train(spec(Format.IDX, "file:" + dir.resolve("none"), 0, false, null));

    assertThatThrownBy(() -> source.shards(sc, 2))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining("none-images-idx3-ubyte");
  }

  @Test
  void aBadLineInAnExecutorBlockReachesTheDriverWithFileAndLine() throws Exception {
    Path file = DataFixtures.write(dir.resolve("a.csv"), "0,1\n1,2\n0,x\n");
    DataSource source = DataSource.train(spec(Format.CSV, "file:" + file, 0, false, null));
    JavaRDD<ExampleShard> shards = source.shards(sc, 2);

    assertThatThrownBy(shards::collect)
        .isInstanceOf(SparkException.class)
        .hasMessageContaining("file:" + file + " line 3: column 1 is 'x', not a number");
  }

  @Test
  void distributedStandardizeEqualsTheSingleMachineFit() throws Exception {
    byte[][] seq = DataFixtures.sequence(7);
    String prefix = DataFixtures.writeIdx(dir, "train", seq[0], seq[1], false);
    DataSource source = DataSource.train(spec(Format.IDX, prefix, 0, false, null));

    NormalizerStandardize distributed =
        (NormalizerStandardize) Normalizers.fit(Normalization.STANDARDIZE, source.shards(sc, 3));
    NormalizerStandardize single =
        (NormalizerStandardize) Normalizers.fit(Normalization.STANDARDIZE, source.readAll(sc.hadoopConfiguration()));

    assertThat(distributed.getMean().toFloatVector()).containsExactly(single.getMean().toFloatVector(), within(1e-5f));
    assertThat(distributed.getStd().toFloatVector()).containsExactly(single.getStd().toFloatVector(), within(1e-5f));
    // pixel p of image i is 4i+p for i = 0..6: the mean image is {12, 13, 14, 15}
    assertThat(single.getMean().toFloatVector()).containsExactly(12, 13, 14, 15);
  }

  @Test
  void scaleNeedsNoPassOverTheData() {
    assertThat(Normalizers.fit(Normalization.SCALE, sc.<ExampleShard>emptyRDD()))
        .isInstanceOf(ImagePreProcessingScaler.class);
  }

  @Test
  void fashionMnistTestSetInTwoShards() throws Exception {
    assumeTrue(FashionMnistTest.present(), "Fashion-MNIST is absent");
    DataSource source = DataSource.test(FashionMnistTest.spec());

    List<ExampleShard> shards = collectOnePerPartition(source.shards(sc, 2), 2);

    assertThat(shards).extracting(ExampleShard::count).containsExactly(5000, 5000);
    assertThat(shards.get(0).count() + shards.get(1).count()).isEqualTo(source.count(sc.hadoopConfiguration()));
    assertThat(FashionMnistTest.histogram(ExampleShard.concat(shards))).containsOnly(1000);
  }
}
