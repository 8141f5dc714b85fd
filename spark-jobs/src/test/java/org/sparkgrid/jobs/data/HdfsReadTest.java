package org.sparkgrid.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readers on a real HDFS (MiniDFSCluster): same results and messages as on file:. */
class HdfsReadTest {

  @TempDir static Path base;

  private static MiniDFSCluster cluster;
  private static Configuration conf;
  private static String root;

  @BeforeAll
  static void startHdfs() throws Exception {
    conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.resolve("hdfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    root = cluster.getFileSystem().getUri() + "/data";
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  private static void put(String name, byte[] bytes) throws Exception {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(root + "/" + name);
    FileSystem fs = p.getFileSystem(conf);
    try (OutputStream out = fs.create(p, true)) {
      out.write(bytes);
    }
  }

  @Test
  void readsGzippedIdxAndItsShards() throws Exception {
    byte[][] seq = DataFixtures.sequence(7);
    put("train-images-idx3-ubyte.gz", DataFixtures.gzip(DataFixtures.idxImages(7, 2, 2, seq[0])));
    put("train-labels-idx1-ubyte", DataFixtures.idxLabels(7, seq[1]));

    ExampleShard all = IdxReader.read(conf, root + "/train", null);
    ExampleShard last = IdxReader.readShard(conf, root + "/train", 1, 2, null);

    assertThat(all.features()).containsExactly(DataFixtures.unsigned(seq[0]));
    assertThat(last).isEqualTo(all.slice(3, 7));
  }

  @Test
  void readsACsvDirectory() throws Exception {
    put("csv/b.csv", "1,3\n".getBytes(StandardCharsets.UTF_8));
    put("csv/a.csv", "0,1\n0,2\n".getBytes(StandardCharsets.UTF_8));
    put("csv/_SUCCESS", new byte[0]);

    ExampleShard s = CsvReader.read(conf, root + "/csv", 0, false, null);

    assertThat(s.features()).containsExactly(1, 2, 3);
    assertThat(s.labels()).containsExactly(0, 0, 1);
  }

  @Test
  void missingFilesAreNamedWithTheirHdfsUri() {
    assertThatThrownBy(() -> IdxReader.header(conf, root + "/none"))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining("neither " + root + "/none-images-idx3-ubyte nor " + root + "/none-images-idx3-ubyte.gz");
  }
}
