package org.sparkgrid.jobs.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.store.CheckpointStore;

/** {@link HadoopCheckpointStore} on the local file system ({@code file:}). */
class HadoopCheckpointStoreLocalTest extends CheckpointStoreContract {

  @TempDir Path dir;
  private final Configuration conf = new Configuration();
  private String root;

  @BeforeEach
  void freshRoot() {
    root = StoreRoots.localRoot(dir.resolve("store"));
  }

  @Override
  protected CheckpointStore newStore() {
    return new HadoopCheckpointStore(root, conf);
  }

  @Override
  protected List<String> entries(String relativeDir) throws IOException {
    return StoreRoots.entries(root, conf, relativeDir);
  }

  @Override
  protected void makeDirectory(String relativeDir) throws IOException {
    StoreRoots.makeDirectory(root, conf, relativeDir);
  }
}
