package org.sparkgrid.jobs.data;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * IDX data at a prefix: each Spark task calls {@link IdxReader#readShard} for its partition index.
 *
 * @param path    the IDX prefix
 * @param limit   use only the first N examples ({@code null}: all)
 * @param classes labels must be below this ({@code null}: no check)
 */
record IdxDataSource(String path, Integer limit, Integer classes) implements DataSource {

  @Override
  public ExampleShard readAll(Configuration conf) throws IOException {
    return IdxReader.read(conf, path, limit, classes);
  }

  @Override
  public JavaRDD<ExampleShard> shards(JavaSparkContext sc, int numShards) throws IOException {
    if (numShards < 1) {
      throw new IllegalArgumentException("numShards must be >= 1, was " + numShards);
    }
    IdxReader.header(sc.hadoopConfiguration(), path); // fails fast on the driver: missing or malformed files
    String prefix = path;
    Integer max = limit;
    Integer numClasses = classes;
    return ShardTasks.readEach(
        sc, numShards, (conf, shard) -> IdxReader.readShard(conf, prefix, shard, numShards, max, numClasses));
  }

  @Override
  public int[] shape(Configuration conf) throws IOException {
    return IdxReader.header(conf, path).shape();
  }

  @Override
  public int count(Configuration conf) throws IOException {
    int n = IdxReader.header(conf, path).count();
    return limit == null ? n : Math.min(limit, n);
  }
}
