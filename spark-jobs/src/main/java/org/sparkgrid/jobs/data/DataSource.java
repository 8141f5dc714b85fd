package org.sparkgrid.jobs.data;

import java.io.IOException;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.request.DataSpec;

/**
 * A labelled data set at a Hadoop path, read whole on one machine or in contiguous blocks on Spark's
 * executors. The start of this package.
 *
 * <p>Both ways cut the data the same way: {@code shards(sc, k).collect()} concatenated equals
 * {@code readAll(conf)}, block {@code i} being examples {@code [i*n/k, (i+1)*n/k)} of the
 * {@code n = count(conf)} examples (see {@link ExampleShard#blockBounds}). Features are raw (pixels
 * 0..255); fit a normalizer with {@link Normalizers} and cut minibatches with {@link Minibatches}.
 *
 * <pre>{@code
 * DataSource train = DataSource.train(request.data());
 * JavaRDD<ExampleShard> shards = train.shards(sc, 4).cache();   // 4 partitions, one shard each
 * DataNormalization norm = Normalizers.fit(request.data().normalization(), shards);
 * ExampleShard test = DataSource.test(request.data()).readAll(sc.hadoopConfiguration());
 * }</pre>
 *
 * <p>How each format is distributed: every task reads its own block by its shard index, from the
 * files, on the executor (nothing but the path and the Hadoop configuration's entries is shipped).
 * IDX files skip to the block (a seek when uncompressed, a decompressing read when gzipped). CSV
 * tasks stream the files from the start, parsing only their block's lines, and the driver counts the
 * lines first; this keeps file names and line numbers in every error and gives blocks identical to
 * {@link #readAll}, at the price of re-reading earlier lines, which is fine at the sizes CSV is used
 * for here. ({@code sc.textFile} would lose both, and its partitions follow file splits, not blocks.)
 *
 * <p>Errors: every method throws {@link java.io.FileNotFoundException} for a missing file and
 * {@link InvalidDataException} for bad content, naming the file; in {@link #shards} a task's failure
 * reaches the driver at the first action, wrapped in Spark's exception.
 */
public interface DataSource {

  /**
   * The data at {@code path} in {@code spec}'s format (label column, header and class count from
   * {@code spec}). {@code spec.limit()} applies when {@code path} is {@code spec.train()}.
   *
   * @throws IllegalArgumentException if {@code spec.format()} or {@code path} is null
   */
  static DataSource of(DataSpec spec, String path) {
    Objects.requireNonNull(spec, "spec");
    if (path == null) {
      throw new IllegalArgumentException("data path must not be null");
    }
    return create(spec, path, path.equals(spec.train()) ? spec.limit() : null);
  }

  /**
   * The training data, {@code spec.train()}, limited to {@code spec.limit()} examples.
   *
   * @throws IllegalArgumentException if {@code data.train} is not set
   */
  static DataSource train(DataSpec spec) {
    if (spec.train() == null) {
      throw new IllegalArgumentException("data.train is not set");
    }
    return of(spec, spec.train());
  }

  /**
   * The test data, {@code spec.test()}, never limited.
   *
   * @throws IllegalArgumentException if {@code data.test} is not set
   */
  static DataSource test(DataSpec spec) {
    if (spec.test() == null) {
      throw new IllegalArgumentException("data.test is not set");
    }
    return create(spec, spec.test(), null);
  }

  /** The Hadoop path (an IDX prefix, or a CSV file or directory). */
  String path();

  /** Reads every example (up to the limit) on this machine: the driver, or a single-machine run. */
  ExampleShard readAll(Configuration conf) throws IOException;

  /**
   * The examples as an RDD of exactly {@code numShards} partitions, partition {@code i} holding one
   * {@link ExampleShard}: block {@code i}. The blocks are read on the executors, each time the RDD is
   * computed: cache it if it is used more than once. Checks on the driver, before any task, that the
   * data exists and its header or first line is readable.
   *
   * @throws IllegalArgumentException if {@code numShards < 1}
   */
  JavaRDD<ExampleShard> shards(JavaSparkContext sc, int numShards) throws IOException;

  /** One example's shape, without reading the data: {@code {1, rows, cols}} for IDX, {@code {d}} for CSV. */
  int[] shape(Configuration conf) throws IOException;

  /** Number of examples (up to the limit): a header read for IDX, a line count for CSV. */
  int count(Configuration conf) throws IOException;

  private static DataSource create(DataSpec spec, String path, Integer limit) {
    if (spec.format() == null) {
      throw new IllegalArgumentException("data.format must be set for path " + path);
    }
    return switch (spec.format()) {
      case IDX -> new IdxDataSource(path, limit, spec.classes());
      case CSV -> new CsvDataSource(path, spec.labelColumn(), spec.header(), limit, spec.classes());
    };
  }
}
