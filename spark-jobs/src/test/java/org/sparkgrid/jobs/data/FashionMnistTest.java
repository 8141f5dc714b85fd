package org.sparkgrid.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.request.DataSpec;

/** The real Fashion-MNIST files from Debian's dataset-fashion-mnist package; skipped where absent. */
class FashionMnistTest {

  static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
  static final String TRAIN = "file:" + DIR.resolve("train");
  static final String TEST = "file:" + DIR.resolve("t10k");

  private final Configuration conf = new Configuration();

  static boolean present() {
    return Files.isReadable(DIR.resolve("train-images-idx3-ubyte.gz"))
        && Files.isReadable(DIR.resolve("t10k-labels-idx1-ubyte.gz"));
  }

  @BeforeAll
  static void requireData() {
    assumeTrue(present(), DIR + " is absent: apt-get install dataset-fashion-mnist");
  }

  @Test
  void headersGiveCountsAndShapeWithoutReadingBodies() throws Exception {
    IdxHeader train = IdxReader.header(conf, TRAIN);
    IdxHeader test = IdxReader.header(conf, TEST);

    assertThat(train.count()).isEqualTo(60000);
    assertThat(test.count()).isEqualTo(10000);
    assertThat(train.shape()).containsExactly(1, 28, 28);
    assertThat(train.imagesFile()).isEqualTo("file:" + DIR.resolve("train-images-idx3-ubyte.gz"));
  }

  @Test
  void trainHas6000ExamplesOfEachClass() throws Exception {
    ExampleShard s = IdxReader.read(conf, TRAIN, null, 10);

    assertThat(s.count()).isEqualTo(60000);
    assertThat(s.shape()).containsExactly(1, 28, 28);
    assertThat(histogram(s)).containsOnly(6000);
    assertThat(pixelRange(s)).containsExactly(0, 255);
  }

  @Test
  void testHas1000ExamplesOfEachClass() throws Exception {
    ExampleShard s = DataSource.test(spec()).readAll(conf);

    assertThat(s.count()).isEqualTo(10000);
    assertThat(histogram(s)).containsOnly(1000);
  }

  @Test
  void lastShardEqualsTheTailOfTheWhole() throws Exception {
    ExampleShard whole = IdxReader.read(conf, TEST, null);

    ExampleShard last = IdxReader.readShard(conf, TEST, 3, 4, null);

    assertThat(last).isEqualTo(whole.slice(7500, 10000));
  }

  @Test
  void dataSourceHonoursTheLimitOnTrainOnly() throws Exception {
    DataSpec spec = spec();

    assertThat(DataSource.train(spec).count(conf)).isEqualTo(1000);
    assertThat(DataSource.train(spec).readAll(conf).count()).isEqualTo(1000);
    assertThat(DataSource.test(spec).count(conf)).isEqualTo(10000);
    assertThat(DataSource.train(spec).shape(conf)).containsExactly(1, 28, 28);
  }

  static DataSpec spec() {
    return new DataSpec(DataSpec.Format.IDX, TRAIN, TEST, 0, false, 10, DataSpec.Normalization.SCALE, 1000);
  }

  static int[] histogram(ExampleShard s) {
    int[] h = new int[10];
    for (int label : s.labels()) {
      h[label]++;
    }
    return h;
  }

  private static float[] pixelRange(ExampleShard s) {
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float x : s.features()) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    return new float[] {min, max};
  }
}
