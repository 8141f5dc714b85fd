package org.sparkgrid.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.request.DataSpec;
import org.sparkgrid.core.request.DataSpec.Format;
import org.sparkgrid.core.request.DataSpec.Normalization;

/** DataSource on one machine: which path gets the limit, and the cheap driver-side queries. */
class DataSourceTest {

  private final Configuration conf = new Configuration();

  @TempDir Path dir;

  @Test
  void limitAppliesToTheTrainingPathOnly() throws Exception {
    byte[][] seq = DataFixtures.sequence(7);
    String train = DataFixtures.writeIdx(dir, "train", seq[0], seq[1], false);
    String test = DataFixtures.writeIdx(dir, "t10k", seq[0], seq[1], false);
    DataSpec spec = new DataSpec(Format.IDX, train, test, 0, false, 3, Normalization.SCALE, 4);

    assertThat(DataSource.of(spec, train).count(conf)).isEqualTo(4);
    assertThat(DataSource.train(spec).readAll(conf).count()).isEqualTo(4);
    assertThat(DataSource.of(spec, test).count(conf)).isEqualTo(7);
    assertThat(DataSource.test(spec).readAll(conf).count()).isEqualTo(7);
  }

  @Test
  void csvShapeAndCountComeFromTheSpecsColumns() throws Exception {
    Path csv = DataFixtures.write(dir.resolve("a.csv"), "x,y,label\n1,2,0\n3,4,1\n5,6,1\n");
    DataSpec spec = new DataSpec(Format.CSV, "file:" + csv, null, 2, true, null, Normalization.STANDARDIZE, null);
    DataSource source = DataSource.train(spec);

    assertThat(source.path()).isEqualTo("file:" + csv);
    assertThat(source.shape(conf)).containsExactly(2);
    assertThat(source.count(conf)).isEqualTo(3);
    assertThat(source.readAll(conf).labels()).containsExactly(0, 1, 1);
  }

  @Test
  void classCountFromTheSpecIsChecked() {
    String train = DataFixtures.writeIdx(dir, "train", DataFixtures.PIXELS, DataFixtures.LABELS, false);
    DataSpec spec = new DataSpec(Format.IDX, train, null, 0, false, 2, Normalization.SCALE, null);

    assertThatThrownBy(() -> DataSource.train(spec).readAll(conf))
        .isInstanceOf(InvalidDataException.class)
        .hasMessageEndingWith("label 2 of example 0 is not below the class count 2");
  }

  @Test
  void missingTestPathIsRejected() {
    DataSpec spec = new DataSpec(Format.IDX, "file:/d/train", null, 0, false, null, Normalization.SCALE, null);

    assertThatThrownBy(() -> DataSource.test(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("data.test is not set");
  }

  @Test
  void missingFormatIsRejected() {
    DataSpec spec = new DataSpec(null, "file:/d/train", null, 0, false, null, Normalization.SCALE, null);

    assertThatThrownBy(() -> DataSource.train(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("data.format must be set for path file:/d/train");
  }
}
