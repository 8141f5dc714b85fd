package org.sparkgrid.core.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.sparkgrid.core.request.RequestCodecTest.MINIMAL;
import static org.sparkgrid.core.request.RequestCodecTest.TREE;
import static org.sparkgrid.core.request.RequestCodecTest.with;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckPathsTest {

  /** MINIMAL with a test set: train prefix file:/d/train, test prefix file:/d/t10k. */
  static final TrainingRequest IDX = RequestCodec.parse(with(MINIMAL, "data.test", "\"file:/d/t10k\""));

  @Test
  void acceptsIdxFilesPlainOrGzipped() throws IOException {
    // Prepare
    Set<String> files = Set.of(
        "file:/d/train-images-idx3-ubyte.gz", "file:/d/train-labels-idx1-ubyte",
        "file:/d/t10k-images-idx3-ubyte", "file:/d/t10k-labels-idx1-ubyte.gz");
    List<String> asked = new ArrayList<>();

    // Execute
    RequestCodec.checkPaths(IDX, p -> asked.add(p) && files.contains(p));

    // Assert
    assertThat(asked).containsExactly(
        "file:/d/train-images-idx3-ubyte", "file:/d/train-images-idx3-ubyte.gz", "file:/d/train-labels-idx1-ubyte",
        "file:/d/t10k-images-idx3-ubyte", "file:/d/t10k-labels-idx1-ubyte", "file:/d/t10k-labels-idx1-ubyte.gz");
  }

  @Test
  void refusesAMissingIdxLabelsFileNamingIt() {
    // Prepare
    Set<String> files = Set.of("file:/d/train-images-idx3-ubyte");

    // Execute
    InvalidRequestException e = catchThrowableOfType(
        () -> RequestCodec.checkPaths(IDX, files::contains), InvalidRequestException.class);

    // Assert
    assertThat(e).hasMessage("data.train: file:/d/train-labels-idx1-ubyte does not exist"
        + " (nor file:/d/train-labels-idx1-ubyte.gz)");
    assertThat(e.field()).isEqualTo("data.train");
    assertThat(e.value()).isEqualTo("file:/d/train");
  }

  @Test
  void refusesAMissingTestSet() {
    Set<String> files = Set.of("file:/d/train-images-idx3-ubyte", "file:/d/train-labels-idx1-ubyte");

    assertThatThrownBy(() -> RequestCodec.checkPaths(IDX, files::contains))
        .hasMessage("data.test: file:/d/t10k-images-idx3-ubyte does not exist (nor file:/d/t10k-images-idx3-ubyte.gz)");
  }

  @Test
  void refusesAMissingCsvFile() {
    TrainingRequest csv = RequestCodec.parse(with(MINIMAL, "data", "{\"format\": \"csv\", \"train\": \"hdfs:/x.csv\"}"));

    assertThatThrownBy(() -> RequestCodec.checkPaths(csv, p -> false))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("data.train: hdfs:/x.csv does not exist");
  }

  @Test
  void refusesAMissingFederationFile() {
    TrainingRequest tree = RequestCodec.parse(TREE);

    assertThatThrownBy(() -> RequestCodec.checkPaths(tree, p -> p.startsWith("file:/data/")))
        .hasMessage("federation.sites: conf/federation/fmnist-10-sites.json does not exist");
  }

  @Test
  void passesOnTheCheckersIoException() {
    IOException down = new IOException("namenode down");

    assertThatThrownBy(() -> RequestCodec.checkPaths(IDX, p -> {
      throw down;
    })).isSameAs(down);
  }
}
