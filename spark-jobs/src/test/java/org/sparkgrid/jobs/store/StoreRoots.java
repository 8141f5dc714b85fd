package org.sparkgrid.jobs.store;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/** Test roots for the Hadoop stores, on {@code file://} and on a MiniDFSCluster, and a raw look at them. */
final class StoreRoots {

  private StoreRoots() {}

  /** A one-DataNode HDFS whose storage lives under {@code baseDir}; ready in about 5 s. */
  static MiniDFSCluster startHdfs(Path baseDir) throws IOException {
    // The NameNode's web server (Jetty) makes its work directory under java.io.tmpdir and fails
    // with "Parent for temp dir not configured correctly: writeable=false" if that does not exist;
    // Surefire points java.io.tmpdir at target/tmp without creating it.
    Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toString());
    // Closing a file polls the NameNode until its last block is complete, first after 400 ms by
    // default; a one-DataNode cluster completes it in a few ms, so poll sooner (tests only)
    conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 10);
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    return cluster;
  }

  /** A fresh, not yet existing root on {@code cluster}, e.g. {@code hdfs://localhost:41234/t-<uuid>}. */
  static String freshHdfsRoot(MiniDFSCluster cluster) {
    return cluster.getURI() + "/t-" + UUID.randomUUID();
  }

  /** The {@code file:} URI of a local directory. */
  static String localRoot(Path dir) {
    return "file:" + dir.toAbsolutePath();
  }

  /** Names directly under {@code relativeDir} of {@code root}, sorted; empty if it does not exist. */
  static List<String> entries(String root, Configuration conf, String relativeDir) throws IOException {
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root + "/" + relativeDir);
    FileSystem fs = dir.getFileSystem(conf);
    List<String> names = new ArrayList<>();
    try {
      for (FileStatus status : fs.listStatus(dir)) {
        names.add(status.getPath().getName());
      }
    } catch (FileNotFoundException e) {
      return List.of();
    }
    names.sort(null);
    return names;
  }

  static void makeDirectory(String root, Configuration conf, String relativeDir) throws IOException {
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(root + "/" + relativeDir);
    dir.getFileSystem(conf).mkdirs(dir);
  }
}
