package org.sparkgrid.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxWriter;

/**
 * {@code sparkgrid split --engine dataframe} (Spark DataFrame operations on {@code local[2]}) writes
 * byte for byte the files of the default engine (one JVM), for a Dirichlet split with a holdout.
 */
class SplitEnginesTest {

  @TempDir Path dir;

  @Test
  void theDataFrameEngineWritesTheSameSitesAsTheLocalOne() throws Exception {
    String data = writeData(dir.resolve("in"));
    List<String> common = List.of("split", "--data", data, "--sites", "3", "--method", "dirichlet", "--alpha", "0.5",
        "--holdout", "6", "--seed", "7");

    int local = SparkGridCli.execute(args(common, "--out", dir.resolve("local").toString()));
    int frames = SparkGridCli.execute(args(common, "--out", dir.resolve("frames").toString(),
        "--engine", "dataframe", "--partitions", "3", "--master", "local[2]", "--conf", "spark.ui.enabled=false",
        "--conf", "spark.driver.host=127.0.0.1"));

    assertThat(local).isZero();
    assertThat(frames).isZero();
    List<Path> files = files(dir.resolve("local"));
    assertThat(files).contains(Path.of("coordinator/validation-images-idx3-ubyte.gz"),
        Path.of("site-03/train-labels-idx1-ubyte.gz"), Path.of("federation.json"));
    assertThat(files(dir.resolve("frames"))).isEqualTo(files);
    for (Path f : files) {
      if (f.toString().endsWith(".gz")) {
        assertThat(dir.resolve("frames").resolve(f)).as(f.toString()).hasSameBinaryContentAs(dir.resolve("local").resolve(f));
      }
    }
    assertThat(Files.readString(dir.resolve("frames/federation.json")).replace("/frames/", "/X/"))
        .isEqualTo(Files.readString(dir.resolve("local/federation.json")).replace("/local/", "/X/"));
  }

  private static String[] args(List<String> common, String... more) {
    return Stream.concat(common.stream(), Stream.of(more)).toArray(String[]::new);
  }

  private static List<Path> files(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
          .map(root::relativize).sorted().toList();
    }
  }

  /** 60 images of 2x2 pixels, labels 0..2. */
  private static String writeData(Path in) throws Exception {
    float[] x = new float[60 * 4];
    int[] y = new int[60];
    for (int i = 0; i < 60; i++) {
      y[i] = i % 3;
      for (int f = 0; f < 4; f++) {
        x[i * 4 + f] = (i * 4 + f) % 256;
      }
    }
    String prefix = in.resolve("train").toString();
    IdxWriter.write(new Configuration(), prefix, ExampleShard.of(new int[] {1, 2, 2}, x, y),
        IntStream.range(0, 60).toArray());
    return prefix;
  }
}
