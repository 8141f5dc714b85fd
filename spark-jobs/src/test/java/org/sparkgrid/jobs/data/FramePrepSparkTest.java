package org.sparkgrid.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgrid.core.request.DataSpec;
import org.sparkgrid.core.request.DataSpec.Format;
import org.sparkgrid.core.request.DataSpec.Normalization;

/**
 * The DataFrame data preparation on real Spark ({@code local[2]}) against the single-machine readers
 * and normalizers: the same examples, the same normalized values, a shuffle fixed by its seed.
 */
class FramePrepSparkTest {
  private static SparkSession spark;

  @TempDir Path dir;

  @BeforeAll
  static void startSpark() {
    spark = SparkSession.builder().master("local[2]").appName("FramePrepSparkTest")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4").getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static DataSource source(Format format, String path, int labelColumn, boolean header) {
    return DataSource.train(new DataSpec(format, path, null, labelColumn, header, null, Normalization.NONE, null));
  }

  private DataSource sevenImages() {
    byte[][] seq = DataFixtures.sequence(7);
    return source(Format.IDX, DataFixtures.writeIdx(dir, "train", seq[0], seq[1], true), 0, false);
  }

  /** The frame's examples in id order, as one shard of the given shape. */
  private static ExampleShard collect(Dataset<Row> frame, int[] shape) {
    List<FramePrep.Example> rows = frame.orderBy(FramePrep.ID).as(Encoders.bean(FramePrep.Example.class))
        .collectAsList();
    int d = ExampleShard.numFeatures(shape);
    float[] x = new float[rows.size() * d];
    int[] y = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i).getId()).isEqualTo(i);
      System.arraycopy(rows.get(i).getFeatures(), 0, x, i * d, d);
      y[i] = rows.get(i).getLabel();
    }
    return ExampleShard.of(shape, x, y);
  }

  @Test
  void decodedIdxRowsAreTheReadersExamples() throws Exception {
    DataSource source = sevenImages();

    Dataset<Row> frame = FramePrep.decode(spark, source, 3);

    assertThat(frame.rdd().getNumPartitions()).isEqualTo(3);
    assertThat(frame.columns()).containsExactly(FramePrep.ID, FramePrep.LABEL, FramePrep.FEATURES);
    assertThat(collect(frame, new int[] {1, 2, 2})).isEqualTo(source.readAll(spark.sparkContext().hadoopConfiguration()));
  }

  @Test
  void decodedCsvRowsAreTheReadersExamples() throws Exception {
    DataFixtures.write(dir.resolve("d/a.csv"), "x,y,label\n0,5,0\n1,5,1\n2,5,2\n");
    DataFixtures.write(dir.resolve("d/b.csv"), "x,y,label\n3,5,0\n4,5,1\n");
    DataSource source = source(Format.CSV, "file:" + dir.resolve("d"), 2, true);

    Dataset<Row> frame = FramePrep.decode(spark, source, 2);

    assertThat(collect(frame, new int[] {2})).isEqualTo(source.readAll(spark.sparkContext().hadoopConfiguration()));
  }

  @Test
  void scaleGivesWhatTheModelsNormalizerGives() throws Exception {
    DataSource source = sevenImages();
    ExampleShard raw = source.readAll(spark.sparkContext().hadoopConfiguration());

    ExampleShard scaled = collect(FramePrep.normalize(FramePrep.decode(spark, source, 2), Normalization.SCALE),
        new int[] {1, 2, 2});

    assertThat(scaled.features()).containsExactly(viaNormalizer(Normalization.SCALE, raw));
  }

  @Test
  void standardizeGivesWhatTheModelsNormalizerGives() throws Exception {
    // the second feature is constant: its std is 0, which both replace by 1
    DataFixtures.write(dir.resolve("s.csv"), "1,7,0\n2,7,1\n4,7,0\n9,7,1\n");
    DataSource source = source(Format.CSV, "file:" + dir.resolve("s.csv"), 2, false);
    ExampleShard raw = source.readAll(spark.sparkContext().hadoopConfiguration());

    ExampleShard standardized = collect(
        FramePrep.normalize(FramePrep.decode(spark, source, 2), Normalization.STANDARDIZE), new int[] {2});

    assertThat(standardized.features()).containsExactly(viaNormalizer(Normalization.STANDARDIZE, raw), within(1e-5f));
    // mean of 1, 2, 4, 9 is 4, population std sqrt(9.5): feature 0 of example 3 is 5 / sqrt(9.5)
    assertThat(standardized.features()[6]).isCloseTo((float) (5 / Math.sqrt(9.5)), within(1e-5f));
    assertThat(standardized.features()[1]).isZero();
  }

  @Test
  void noneLeavesTheFeaturesRaw() throws Exception {
    Dataset<Row> frame = FramePrep.decode(spark, sevenImages(), 2);

    assertThat(FramePrep.normalize(frame, Normalization.NONE)).isSameAs(frame);
  }

  @Test
  void theShuffledOrderDependsOnTheSeedAloneNotOnThePartitioning() throws Exception {
    DataSource source = sevenImages();

    List<Long> oneBlock = ids(FramePrep.shuffle(FramePrep.decode(spark, source, 1), 42));
    List<Long> threeBlocks = ids(FramePrep.shuffle(FramePrep.decode(spark, source, 3), 42));
    List<Long> otherSeed = ids(FramePrep.shuffle(FramePrep.decode(spark, source, 3), 43));

    assertThat(threeBlocks).isEqualTo(oneBlock);
    assertThat(oneBlock).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L).isNotEqualTo(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L));
    assertThat(otherSeed).containsExactlyInAnyOrderElementsOf(oneBlock).isNotEqualTo(oneBlock);
  }

  @Test
  void assignPutsEachExampleInItsSiteAndPlace() throws Exception {
    Dataset<Row> frame = FramePrep.decode(spark, sevenImages(), 2);

    List<Row> rows = FramePrep.assign(spark, frame, new int[][] {{4, 0}, {2}}, new int[] {6})
        .select(FramePrep.ID, FramePrep.SITE, FramePrep.POS, FramePrep.LABEL).orderBy(FramePrep.ID).collectAsList();

    assertThat(rows).extracting(Row::toString)
        .containsExactly("[0,0,1,0]", "[2,1,0,2]", "[4,0,0,1]", "[6,-1,0,0]");
  }

  @Test
  void labelsComeInIdOrder() throws Exception {
    assertThat(FramePrep.labels(FramePrep.shuffle(FramePrep.decode(spark, sevenImages(), 3), 1)))
        .containsExactly(0, 1, 2, 0, 1, 2, 0);
  }

  private static List<Long> ids(Dataset<Row> frame) {
    return frame.select(FramePrep.ID).as(Encoders.LONG()).collectAsList();
  }

  /** The raw features through the normalizer SparkGrid stores in model.zip, as ND4J applies it. */
  private static float[] viaNormalizer(Normalization n, ExampleShard raw) {
    DataNormalization norm = Normalizers.fit(n, raw);
    INDArray x = Nd4j.create(raw.features().clone(), new long[] {raw.count(), raw.numFeatures()}, 'c')
        .castTo(DataType.FLOAT);
    norm.transform(x);
    return x.dup('c').data().asFloat();
  }
}
