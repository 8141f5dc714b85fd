package org.sparkgrid.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {

  private final Configuration conf = new Configuration();

  @TempDir Path dir;

  private String file(String name, String text) {
    return "file:" + DataFixtures.write(dir.resolve(name), text);
  }

  @Test
  void readsLabelThenFeatures() throws Exception {
    String path = file("a.csv", "1,0.5,2\n0,1.5,-3\n");

    ExampleShard s = CsvReader.read(conf, path, 0, false, null);

    assertThat(s.shape()).containsExactly(2);
    assertThat(s.labels()).containsExactly(1, 0);
    assertThat(s.features()).containsExactly(0.5f, 2f, 1.5f, -3f);
  }

  @Test
  void skipsTheHeaderLine() throws Exception {
    String path = file("a.csv", "label,x,y\n1,0.5,2\n");

    ExampleShard s = CsvReader.read(conf, path, 0, true, null);

    assertThat(s.labels()).containsExactly(1);
    assertThat(s.features()).containsExactly(0.5f, 2f);
  }

  @Test
  void takesTheLabelFromAMiddleColumn() throws Exception {
    String path = file("a.csv", "0.5,3,2\n1.5,4,-3\n");

    ExampleShard s = CsvReader.read(conf, path, 1, false, null);

    assertThat(s.labels()).containsExactly(3, 4);
    assertThat(s.features()).containsExactly(0.5f, 2f, 1.5f, -3f);
  }

  @Test
  void readsADirectoryInNameOrderSkippingHiddenAndUnderscoreFiles() throws Exception {
    file("d/b.csv", "x,y,label\n3,3,1\n");
    file("d/a.csv", "x,y,label\n1,1,0\n2,2,0\n");
    file("d/_SUCCESS", "");
    file("d/.hidden.csv", "garbage");

    ExampleShard s = CsvReader.read(conf, "file:" + dir.resolve("d"), 2, true, null);

    assertThat(s.features()).containsExactly(1, 1, 2, 2, 3, 3);
    assertThat(s.labels()).containsExactly(0, 0, 1);
  }

  @Test
  void skipsBlankLinesAndTrimsValues() throws Exception {
    String path = file("a.csv", "1, 0.5 ,2\r\n\n  \n0,1.5,-3\n\n");

    ExampleShard s = CsvReader.read(conf, path, 0, false, null);

    assertThat(s.features()).containsExactly(0.5f, 2f, 1.5f, -3f);
  }

  @Test
  void limitKeepsTheFirstLines() throws Exception {
    String path = file("a.csv", "1,1\n2,2\n3,3\n");

    ExampleShard s = CsvReader.read(conf, path, 0, false, 2);

    assertThat(s.labels()).containsExactly(1, 2);
  }

  @Test
  void readsGzippedContent() throws Exception {
    Path gz = DataFixtures.write(dir.resolve("a.csv.gz"), DataFixtures.gzip("1,7\n".getBytes(StandardCharsets.UTF_8)));

    ExampleShard s = CsvReader.read(conf, "file:" + gz, 0, false, null);

    assertThat(s.features()).containsExactly(7f);
  }

  @Test
  void countAndShapeDoNotParseEveryLine() throws Exception {
    String path = file("a.csv", "label,x,y\n1,1,1\n2,oops\n\n3,3,3\n");

    assertThat(CsvReader.count(conf, path, true, null)).isEqualTo(3);
    assertThat(CsvReader.count(conf, path, true, 2)).isEqualTo(2);
    assertThat(CsvReader.shape(conf, path, 0, true)).containsExactly(2);
  }

  @Test
  void shardBlocksCoverEveryLineOnceAcrossFiles() throws Exception {
    file("d/a.csv", "0,0\n1,1\n2,2\n");
    file("d/b.csv", "3,3\n4,4\n5,5\n6,6\n");
    String path = "file:" + dir.resolve("d");
    List<ExampleShard> blocks = new ArrayList<>();

    for (int shard = 0; shard < 3; shard++) {
      blocks.add(CsvReader.readShard(conf, path, 0, false, shard, 3, null, null));
    }

    assertThat(blocks).extracting(ExampleShard::count).containsExactly(2, 2, 3);
    assertThat(blocks.get(1).labels()).containsExactly(2, 3);
    assertThat(ExampleShard.concat(blocks)).isEqualTo(CsvReader.read(conf, path, 0, false, null));
  }

  @Test
  void notANumberNamesFileLineColumnAndValue() {
    String path = file("a.csv", "h1,h2,h3,h4\n1,2,3,4\n1,2,3,abc\n");

    assertThatThrownBy(() -> CsvReader.read(conf, path, 0, true, null))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage(path + " line 3: column 3 is 'abc', not a number");
  }

  @Test
  void nonFiniteNumberIsRejected() {
    String path = file("a.csv", "1,NaN\n");

    assertThatThrownBy(() -> CsvReader.read(conf, path, 0, false, null))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage(path + " line 1: column 1 is 'NaN', not a finite number");
  }

  @Test
  void inconsistentColumnCountNamesBothLines() {
    file("d/a.csv", "1,2,3\n");
    String b = file("d/b.csv", "1,2,3\n1,2\n");

    assertThatThrownBy(() -> CsvReader.read(conf, "file:" + dir.resolve("d"), 0, false, null))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage(b + " line 2: 2 columns, expected 3 as in file:" + dir.resolve("d/a.csv") + " line 1");
  }

  @Test
  void labelThatIsNotAnIntegerIsRejected() {
    String path = file("a.csv", "1,2\n1.5,2\n");

    assertThatThrownBy(() -> CsvReader.read(conf, path, 0, false, null))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage(path + " line 2: label column 0 is '1.5', not an integer class");
  }

  @Test
  void negativeLabelIsRejected() {
    String path = file("a.csv", "2,-1\n");

    assertThatThrownBy(() -> CsvReader.read(conf, path, 1, false, null))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage(path + " line 1: label column 1 is '-1', a class must be >= 0");
  }

  @Test
  void labelNotBelowClassCountIsRejected() {
    String path = file("a.csv", "0,1\n3,1\n");

    assertThatThrownBy(() -> CsvReader.read(conf, path, 0, false, null, 3))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage(path + " line 2: label 3 is not below the class count 3");
  }

  @Test
  void labelColumnBeyondTheLineIsRejected() {
    String path = file("a.csv", "0,1\n");

    assertThatThrownBy(() -> CsvReader.read(conf, path, 2, false, null))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage(path + " line 1: label column 2 is out of range, the line has 2 columns");
  }

  @Test
  void missingPathIsNamed() {
    String path = "file:" + dir.resolve("none.csv");

    assertThatThrownBy(() -> CsvReader.read(conf, path, 0, false, null))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessage("CSV path " + path + " does not exist");
  }

  @Test
  void directoryWithoutDataFilesIsRejected() throws Exception {
    Files.createDirectories(dir.resolve("empty"));
    file("empty/_SUCCESS", "");

    assertThatThrownBy(() -> CsvReader.read(conf, "file:" + dir.resolve("empty"), 0, false, null))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage("file:" + dir.resolve("empty")
            + ": directory holds no data file (names starting with '_' or '.' are skipped)");
  }

  @Test
  void fileWithOnlyAHeaderHasNoDataLines() {
    String path = file("a.csv", "label,x\n");

    assertThatThrownBy(() -> CsvReader.read(conf, path, 0, true, null))
        .isInstanceOf(InvalidDataException.class)
        .hasMessage(path + ": no data lines");
  }
}
