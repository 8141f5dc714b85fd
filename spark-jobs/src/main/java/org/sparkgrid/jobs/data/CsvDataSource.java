package org.sparkgrid.jobs.data;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * CSV data at a file or directory: the driver counts the lines, then each Spark task parses the
 * lines of its block (see {@link DataSource} for why not {@code sc.textFile}).
 *
 * @param path        a CSV file or a directory of CSV files
 * @param labelColumn the label's column, from 0
 * @param header      whether each file's first line is a header
 * @param limit       use only the first N examples ({@code null}: all)
 * @param classes     labels must be below this ({@code null}: no check)
 */
record CsvDataSource(String path, int labelColumn, boolean header, Integer limit, Integer classes)
    implements DataSource {

  @Override
  public ExampleShard readAll(Configuration conf) throws IOException {
    return CsvReader.read(conf, path, labelColumn, header, limit, classes);
  }

  @Override
  public JavaRDD<ExampleShard> shards(JavaSparkContext sc, int numShards) throws IOException {
    if (numShards < 1) {
      throw new IllegalArgumentException("numShards must be >= 1, was " + numShards);
    }
    Configuration driverConf = sc.hadoopConfiguration();
    CsvReader.shape(driverConf, path, labelColumn, header); // fails fast on the driver: missing path, bad first line
    int n = count(driverConf);
    String file = path;
    int label = labelColumn;
    boolean skipHeader = header;
    Integer numClasses = classes;
    return ShardTasks.readEach(sc, numShards, (conf, shard) -> {
      int[] block = ExampleShard.blockBounds(n, shard, numShards);
      return CsvReader.readRange(conf, file, label, skipHeader, numClasses, block[0], block[1]);
    });
  }

  @Override
  public int[] shape(Configuration conf) throws IOException {
    return CsvReader.shape(conf, path, labelColumn, header);
  }

  @Override
  public int count(Configuration conf) throws IOException {
    return CsvReader.count(conf, path, header, limit);
  }
}
