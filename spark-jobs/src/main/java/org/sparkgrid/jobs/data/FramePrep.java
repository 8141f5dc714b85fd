package org.sparkgrid.jobs.data;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkgrid.core.request.DataSpec;

/**
 * The data-preparation stage as Spark DataFrame operations: decode, normalize, shuffle, split by
 * site. Written with DataFrame columns and built-in functions (no UDF, no RDD step after decoding)
 * so that with the RAPIDS Accelerator ({@code spark.plugins=com.nvidia.spark.SQLPlugin}, see
 * conf/spark-defaults-gpu.conf) Spark runs normalize, shuffle and split on the executors' GPUs;
 * without it they run on CPU and give the same rows.
 *
 * <p>A frame has one row per example: {@value #ID} (long, the example's position in the data as
 * {@link DataSource#readAll} orders it), {@value #LABEL} (int) and {@value #FEATURES} (array of
 * float, raw or normalized, row-major); after {@link #assign}, also {@value #SITE} and {@value #POS}.
 *
 * <pre>{@code
 * Dataset<Row> frame = FramePrep.decode(spark, DataSource.train(spec), 8);
 * Dataset<Row> ready = FramePrep.shuffle(FramePrep.normalize(frame, spec.normalization()), 42);
 * }</pre>
 *
 * <p>Decoding reads IDX (gzipped binary, which no DataFrame source reads) and CSV with SparkGrid's
 * readers, one block per partition on the executors ({@link DataSource#shards}), and turns the
 * blocks into rows: that step runs on CPU; everything after it is columnar.
 */
public final class FramePrep {

  public static final String ID = "id";
  public static final String LABEL = "label";
  public static final String FEATURES = "features";
  public static final String SITE = "site";
  public static final String POS = "pos";

  /** The site number of a coordinator's held-out example in {@link #assign}. */
  public static final int HOLDOUT = -1;

  /** A standard deviation below this counts as this (as DL4J's NormalizerStandardize clips it). */
  static final float MIN_STD = 1e-5f;

  private FramePrep() {}

  /**
   * One example as a Java bean, for Spark's bean encoder (which keeps the features a primitive
   * array: no boxing per value).
   */
  public static class Example implements Serializable {
    private static final long serialVersionUID = 1L;
    private long id;
    private int label;
    private float[] features;

    public Example() {}

    Example(long id, int label, float[] features) {
      this.id = id;
      this.label = label;
      this.features = features;
    }

    public long getId() {
      return id;
    }

    public void setId(long id) {
      this.id = id;
    }

    public int getLabel() {
      return label;
    }

    public void setLabel(int label) {
      this.label = label;
    }

    public float[] getFeatures() {
      return features;
    }

    public void setFeatures(float[] features) {
      this.features = features;
    }
  }

  /** An example after {@link #assign}: with its site and its place in the site's file. */
  public static final class Placed extends Example {
    private static final long serialVersionUID = 1L;
    private int site;
    private int pos;

    /** The site; {@link #HOLDOUT} for the coordinator's held-out examples. */
    public int getSite() {
      return site;
    }

    public void setSite(int site) {
      this.site = site;
    }

    /** The example's place in its site's file. */
    public int getPos() {
      return pos;
    }

    public void setPos(int pos) {
      this.pos = pos;
    }
  }

  /**
   * The examples of {@code source} as a frame of {@code partitions} partitions, read on the
   * executors, block {@code i} by partition {@code i}.
   *
   * @throws IllegalArgumentException if {@code partitions < 1}
   * @throws IOException if the data is missing or unreadable (checked on the driver first)
   */
  public static Dataset<Row> decode(SparkSession spark, DataSource source, int partitions) throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int n = source.count(jsc.hadoopConfiguration());
    JavaRDD<Example> rows = source.shards(jsc, partitions).mapPartitionsWithIndex((block, shards) ->
        shards.hasNext() ? examples(shards.next(), ExampleShard.blockBounds(n, block, partitions)[0])
            : Collections.emptyIterator(), true);
    return spark.createDataset(rows.rdd(), Encoders.bean(Example.class)).select(ID, LABEL, FEATURES);
  }

  private static Iterator<Example> examples(ExampleShard s, long firstId) {
    int d = s.numFeatures();
    return new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < s.count();
      }

      @Override
      public Example next() {
        float[] x = java.util.Arrays.copyOfRange(s.features(), i * d, (i + 1) * d);
        Example e = new Example(firstId + i, s.labels()[i], x);
        i++;
        return e;
      }
    };
  }

  /**
   * Normalizes the features as {@link Normalizers} does, as column expressions: {@code SCALE} divides
   * by 255; {@code STANDARDIZE} subtracts each feature's mean and divides by its population
   * standard deviation (0 replaced by 1, below 1e-5 raised to 1e-5), both computed by one
   * aggregation over the frame; {@code NONE} returns the frame as it is. The features stay floats:
   * Spark divides in double, and a float quotient rounded through double is the float quotient, so
   * the values equal ND4J's float arithmetic.
   *
   * @throws IllegalArgumentException if {@code normalization} is null, or STANDARDIZE has no rows
   */
  public static Dataset<Row> normalize(Dataset<Row> frame, DataSpec.Normalization normalization) {
    if (normalization == null) {
      throw new IllegalArgumentException("normalization must be one of scale, standardize, none; was null");
    }
    return switch (normalization) {
      case NONE -> frame;
      case SCALE -> frame.withColumn(FEATURES, transform(col(FEATURES), x -> x.divide(lit(255f)).cast(DataTypes.FloatType)));
      case STANDARDIZE -> {
        float[][] moments = moments(frame);
        Column mean = lit(moments[0]);
        Column std = lit(moments[1]);
        yield frame.withColumn(FEATURES,
            transform(col(FEATURES), (x, i) -> x.minus(mean.apply(i)).divide(std.apply(i)).cast(DataTypes.FloatType)));
      }
    };
  }

  /** Each feature's mean and (clipped) population standard deviation, as floats, in feature order. */
  static float[][] moments(Dataset<Row> frame) {
    List<Row> perFeature = frame.select(posexplode(col(FEATURES)).as(new String[] {"f", "x"}))
        .groupBy("f")
        .agg(functions.avg("x").as("mean"), stddev_pop("x").as("std"))
        .orderBy("f")
        .collectAsList();
    if (perFeature.isEmpty()) {
      throw new IllegalArgumentException("cannot fit standardize on zero examples");
    }
    float[] mean = new float[perFeature.size()];
    float[] std = new float[perFeature.size()];
    for (Row r : perFeature) {
      int f = r.getInt(0);
      mean[f] = (float) r.getDouble(1);
      double s = r.getDouble(2);
      std[f] = s > 0 ? Math.max((float) s, MIN_STD) : 1f;
    }
    return new float[][] {mean, std};
  }

  /**
   * The rows in an order fixed by {@code seed} alone: by a 64-bit hash of (seed, id), ties by id.
   * The same seed gives the same order whatever the partitioning; the rows are unchanged.
   */
  public static Dataset<Row> shuffle(Dataset<Row> frame, long seed) {
    return frame.orderBy(xxhash64(lit(seed), col(ID)), col(ID));
  }

  /**
   * Adds each example's site: a join with the assignment (broadcast: one small row per example).
   * Examples in no site are dropped.
   *
   * @param sites   {@code sites[s]}: the ids of site {@code s}'s examples, in the order its file holds them
   * @param holdout the ids held out for the coordinator (site {@value #HOLDOUT}), in order; may be empty
   */
  public static Dataset<Row> assign(SparkSession spark, Dataset<Row> frame, int[][] sites, int[] holdout) {
    Objects.requireNonNull(sites, "sites");
    List<Row> rows = new ArrayList<>();
    for (int p = 0; p < holdout.length; p++) {
      rows.add(RowFactory.create((long) holdout[p], HOLDOUT, p));
    }
    for (int s = 0; s < sites.length; s++) {
      for (int p = 0; p < sites[s].length; p++) {
        rows.add(RowFactory.create((long) sites[s][p], s, p));
      }
    }
    StructType schema = new StructType()
        .add(ID, DataTypes.LongType, false)
        .add(SITE, DataTypes.IntegerType, false)
        .add(POS, DataTypes.IntegerType, false);
    return frame.join(broadcast(spark.createDataFrame(rows, schema)), ID);
  }

  /** Every label, in id order: what a site assignment is computed from. */
  public static int[] labels(Dataset<Row> frame) {
    return frame.orderBy(col(ID)).select(LABEL).as(Encoders.INT()).collectAsList().stream()
        .mapToInt(Integer::intValue).toArray();
  }
}
