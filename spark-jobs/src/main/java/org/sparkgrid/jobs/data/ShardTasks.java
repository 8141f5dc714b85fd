package org.sparkgrid.jobs.data;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** Runs one read per shard on the executors: partition {@code i} of the result is block {@code i}. */
final class ShardTasks {

  /** Reads one block in a Spark task; it and what it captures are shipped to the executors. */
  @FunctionalInterface
  interface BlockReader extends Serializable {
    ExampleShard read(Configuration conf, int shard) throws IOException;
  }

  private ShardTasks() {}

  /**
   * An RDD of exactly {@code numShards} partitions, each holding the one shard that {@code reader}
   * returns for its partition index, called on the executor with a Hadoop configuration rebuilt from
   * the entries of {@code sc.hadoopConfiguration()}.
   *
   * @throws IllegalArgumentException if {@code numShards < 1}
   */
  static JavaRDD<ExampleShard> readEach(JavaSparkContext sc, int numShards, BlockReader reader) {
    if (numShards < 1) {
      throw new IllegalArgumentException("numShards must be >= 1, was " + numShards);
    }
    ConfEntries conf = new ConfEntries(sc.hadoopConfiguration());
    List<Integer> indices = IntStream.range(0, numShards).boxed().collect(Collectors.toList());
    return sc.parallelize(indices, numShards)
        .mapPartitionsWithIndex(
            (shard, ignored) -> List.of(reader.read(conf.toConfiguration(), shard)).iterator(), true);
  }
}
