package org.sparkgrid.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sparkgrid.jobs.data.DataFixtures.LABELS;
import static org.sparkgrid.jobs.data.DataFixtures.PIXELS;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  private final Configuration conf = new Configuration();

  @TempDir Path dir;

  @Test
  void readsPlainFiles() throws Exception {
    String prefix = DataFixtures.writeIdx(dir, "train", PIXELS, LABELS, false);

    ExampleShard s = IdxReader.read(conf, prefix, null);

    assertThat(s.count()).isEqualTo(3);
    assertThat(s.shape()).containsExactly(1, 2, 2);
    assertThat(s.features()).containsExactly(0, 1, 2, 3, 10, 11, 12, 255, 100, 101, 102, 103);
    assertThat(s.labels()).containsExactly(2, 0, 1);
  }

  @Test
  void readsGzippedFiles() throws Exception {
    String prefix = DataFixtures.writeIdx(dir, "train", PIXELS, LABELS, true);

    ExampleShard s = IdxReader.read(conf, prefix, null);

    assertThat(s.features()).containsExactly(0, 1, 2, 3, 10, 11, 12, 255, 100, 101, 102, 103);
    assertThat(s.labels()).containsExactly(2, 0, 1);
  }

  @Test
  void detectsGzipByContentWhateverTheName() throws Exception {
    DataFixtures.write(dir.resolve("x-images-idx3-ubyte"), DataFixtures.gzip(DataFixtures.idxImages(3, 2, 2, PIXELS)));
    DataFixtures.write(dir.resolve("x-labels-idx1-ubyte"), DataFixtures.idxLabels(3, LABELS));

    ExampleShard s = IdxReader.read(conf, "file:" + dir.resolve("x"), null);

    assertThat(s.features()).containsExactly(DataFixtures.unsigned(PIXELS));
  }

  @Test
  void acceptsAPathWithoutScheme() throws Exception {
    DataFixtures.writeIdx(dir, "train", PIXELS, LABELS, false);

    ExampleShard s = IdxReader.read(conf, dir.resolve("train").toString(), null);

    assertThat(s.labels()).containsExactly(2, 0, 1);
  }

  @Test
  void headerGivesCountAndDimsAndFileNames() throws Exception {
    String prefix = DataFixtures.writeIdx(dir, "train", PIXELS, LABELS, true);

    IdxHeader h = IdxReader.header(conf, prefix);

    assertThat(h.count()).isEqualTo(3);
    assertThat(h.shape()).containsExactly(1, 2, 2);
    assertThat(h.imagesFile()).isEqualTo("file:" + dir.resolve("train-images-idx3-ubyte.gz"));
    assertThat(h.labelsFile()).isEqualTo("file:" + dir.resolve("train-labels-idx1-ubyte.gz"));
  }

  @Test
  void limitKeepsTheFirstExamples() throws Exception {
    String prefix = DataFixtures.writeIdx(dir, "train", PIXELS, LABELS, false);

    ExampleShard s = IdxReader.read(conf, prefix, 2);

    assertThat(s.features()).containsExactly(0, 1, 2, 3, 10, 11, 12, 255);
    assertThat(s.labels()).containsExactly(2, 0);
  }

  @Test
  void shardBlocksCoverEveryExampleOnceInOrder() throws Exception {
    byte[][] seq = DataFixtures.sequence(7);
    for (boolean gzip : new boolean[] {false, true}) {
      String prefix = DataFixtures.writeIdx(dir, gzip ? "gz" : "plain", seq[0], seq[1], gzip);
      List<ExampleShard> blocks = new ArrayList<>();

      for (int shard = 0; shard < 3; shard++) {
        blocks.add(IdxReader.readShard(conf, prefix, shard, 3, null));
      }

      assertThat(blocks).extracting(ExampleShard::count).containsExactly(2, 2, 3);
      assertThat(blocks.get(1).labels()).containsExactly(2, 0); // examples 2 and 3
      assertThat(ExampleShard.concat(blocks)).isEqualTo(IdxReader.read(conf, prefix, null));
      assertThat(ExampleShard.concat(blocks).features()).containsExactly(DataFixtures.unsigned(seq[0]));
    }
  }

  @Test
  void shardBlocksCutOnlyTheLimitedExamples() throws Exception {
    byte[][] seq = DataFixtures.sequence(7);
    String prefix = DataFixtures.writeIdx(dir, "train", seq[0], seq[1], true);

    ExampleShard first = IdxReader.readShard(conf, prefix, 0, 2, 5);
    ExampleShard second = IdxReader.readShard(conf, prefix, 1, 2, 5);

    assertThat(first.features()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7); // examples 0, 1
    assertThat(second.labels()).containsExactly(2, 0, 1); // examples 2, 3, 4
  }

  @Test
  void moreShardsThanExamplesGivesEmptyBlocks() throws Exception {
    String prefix = DataFixtures.writeIdx(dir, "train", PIXELS, LABELS, false);

    int[] counts = new int[5];
    for (int shard = 0; shard < 5; shard++) {
      counts[shard] = IdxReader.readShard(conf, prefix, shard, 5, null).count();
    }

    assertThat(counts).containsExactly(0, 1, 0, 1, 1);
  }

  @Test
  void missingImagesNamesBothFilesTried() {
    DataFixtures.write(dir.resolve("train-labels-idx1-ubyte"), DataFixtures.idxLabels(3, LABELS));
    String prefix = "file:" + dir.resolve("train");

    assertThatThrownBy(() -> IdxReader.read(conf, prefix, null))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessage("no IDX images file for prefix '" + prefix + "': neither " + prefix + "-images-idx3-ubyte nor "
            + prefix + "-images-idx3-ubyte.gz exists");
  }

  @Test
  void wrongMagicNumberSaysWhatWasExpected() {
    DataFixtures.write(dir.resolve("train-images-idx3-ubyte"), DataFixtures.idxLabels(3, LABELS));
    DataFixtures.write(dir.resolve("train-labels-idx1-ubyte"), DataFixtures.idxLabels(3, LABELS));

    assertThatThrownBy(() -> IdxReader.header(conf, "file:" + dir.resolve("train")))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage("file:" + dir.resolve("train-images-idx3-ubyte")
            + ": magic number 0x00000801 is not the expected 0x00000803 (IDX images: unsigned bytes, 3 dimensions)");
  }

  @Test
  void truncatedHeaderIsReported() {
    byte[] images = DataFixtures.idxImages(3, 2, 2, PIXELS);
    DataFixtures.write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(images, 8));
    DataFixtures.write(dir.resolve("train-labels-idx1-ubyte"), DataFixtures.idxLabels(3, LABELS));

    assertThatThrownBy(() -> IdxReader.header(conf, "file:" + dir.resolve("train")))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage("file:" + dir.resolve("train-images-idx3-ubyte")
            + ": file ends inside the 16-byte IDX header (found 8 bytes)");
  }

  @Test
  void truncatedImagesSayExpectedAndFoundBytes() {
    for (boolean gzip : new boolean[] {false, true}) {
      byte[] images = DataFixtures.idxImages(3, 2, 2, Arrays.copyOf(PIXELS, 10));
      String name = gzip ? "gz" : "plain";
      String file = name + "-images-idx3-ubyte" + (gzip ? ".gz" : "");
      DataFixtures.write(dir.resolve(file), gzip ? DataFixtures.gzip(images) : images);
      DataFixtures.write(dir.resolve(name + "-labels-idx1-ubyte"), DataFixtures.idxLabels(3, LABELS));

      assertThatThrownBy(() -> IdxReader.read(conf, "file:" + dir.resolve(name), null))
          .isInstanceOf(InvalidDataException.class)
          .hasMessage("file:" + dir.resolve(file)
              + ": truncated: expected 12 bytes of image data (3 images of 2x2), found 10");
    }
  }

  @Test
  void truncatedLabelsSayExpectedAndFoundBytes() {
    DataFixtures.write(dir.resolve("train-images-idx3-ubyte"), DataFixtures.idxImages(3, 2, 2, PIXELS));
    DataFixtures.write(dir.resolve("train-labels-idx1-ubyte"), DataFixtures.idxLabels(3, new byte[] {2}));

    assertThatThrownBy(() -> IdxReader.read(conf, "file:" + dir.resolve("train"), null))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage("file:" + dir.resolve("train-labels-idx1-ubyte")
            + ": truncated: expected 3 bytes of label data, found 1");
  }

  @Test
  void truncatedGzipStreamIsReported() {
    byte[] gz = DataFixtures.gzip(DataFixtures.idxImages(3, 2, 2, PIXELS));
    DataFixtures.write(dir.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length - 12));
    DataFixtures.write(dir.resolve("train-labels-idx1-ubyte"), DataFixtures.idxLabels(3, LABELS));

    assertThatThrownBy(() -> IdxReader.read(conf, "file:" + dir.resolve("train"), null))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageStartingWith(
            "file:" + dir.resolve("train-images-idx3-ubyte.gz") + ": corrupt or truncated gzip stream");
  }

  @Test
  void countMismatchNamesBothFilesAndCounts() {
    DataFixtures.write(dir.resolve("train-images-idx3-ubyte"), DataFixtures.idxImages(3, 2, 2, PIXELS));
    byte[] twoLabels = DataFixtures.idxLabels(2, new byte[] {1, 2});
    DataFixtures.write(dir.resolve("train-labels-idx1-ubyte.gz"), DataFixtures.gzip(twoLabels));

    assertThatThrownBy(() -> IdxReader.header(conf, "file:" + dir.resolve("train")))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage("images file file:" + dir.resolve("train-images-idx3-ubyte") + " has 3 examples"
            + " but labels file file:" + dir.resolve("train-labels-idx1-ubyte.gz") + " has 2");
  }

  @Test
  void labelNotBelowClassCountIsReported() {
    String prefix = DataFixtures.writeIdx(dir, "train", PIXELS, LABELS, false);

    assertThatThrownBy(() -> IdxReader.read(conf, prefix, null, 2))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage(prefix + "-labels-idx1-ubyte: label 2 of example 0 is not below the class count 2");
  }

  @Test
  void rejectsShardOutOfRangeBeforeReading() {
    assertThatThrownBy(() -> IdxReader.readShard(conf, "file:/nowhere/train", 2, 2, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shard must be in [0, 2), was 2");
  }

  @Test
  void rejectsNegativeLimit() {
    assertThatThrownBy(() -> IdxReader.read(conf, "file:/nowhere/train", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be >= 0 or null, was -1");
  }
}
