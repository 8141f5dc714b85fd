package org.sparkgrid.jobs.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.store.CheckpointStore;

/** {@link HadoopCheckpointStore} on a real HDFS: a one-DataNode MiniDFSCluster shared by the tests of this class. */
class HadoopCheckpointStoreHdfsTest extends CheckpointStoreContract {

  @TempDir static Path hdfsBaseDir;
  private static MiniDFSCluster cluster;
  private String root;

  @BeforeAll
  static void startHdfs() throws IOException {
    cluster = StoreRoots.startHdfs(hdfsBaseDir);
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  @BeforeEach
  void freshRoot() {
    root = StoreRoots.freshHdfsRoot(cluster);
  }

  private static Configuration conf() {
    return cluster.getConfiguration(0);
  }

  @Override
  protected CheckpointStore newStore() {
    return new HadoopCheckpointStore(root, conf());
  }

  @Override
  protected List<String> entries(String relativeDir) throws IOException {
    return StoreRoots.entries(root, conf(), relativeDir);
  }

  @Override
  protected void makeDirectory(String relativeDir) throws IOException {
    StoreRoots.makeDirectory(root, conf(), relativeDir);
  }
}
