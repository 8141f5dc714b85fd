package org.sparkgrid.jobs.tree;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.NarrowDependency;
import org.apache.spark.Partition;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;
import org.sparkgrid.federation.strategy.ShardedAggregation;
import org.sparkgrid.federation.strategy.UpdateRanges;
import org.sparkgrid.federation.strategy.UpdateSlice;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Tree mode's aggregation stage: the round's updates stay in the executors that trained them (an RDD
 * of {@code float[]} deltas, one partition per site, persisted), and each pass of
 * {@link ShardedAggregation} is one Spark job of {@code shards} tasks, task {@code s} merging
 * coordinate range {@code s} of every accepted update; only the merged ranges come back to the
 * driver. Two ways to bring the ranges to their task:
 * <ul>
 *   <li>{@link Exchange#IN_PLACE}: each task reads every accepted update's cached block and works on
 *       its range of it. Where the task runs in the JVM that holds the blocks ({@code local} masters)
 *       nothing is copied or serialized; on a cluster each task fetches whole blocks, so the updates
 *       cross the network once per range.
 *   <li>{@link Exchange#SHUFFLE}: the executors holding the updates cut them into ranges and write
 *       them as shuffle output; each task fetches only its range of each update, so the updates cross
 *       the network once, at the price of serializing them (even in one JVM). The shuffled ranges are
 *       persisted, so the passes after the first read them from memory.
 * </ul>
 * Results return to the driver as task results: keep {@code spark.task.maxDirectResultSize} above
 * one range's result ({@link #shards} picks enough ranges for the configured size), or each result
 * takes a detour through the block manager.
 *
 * <pre>{@code
 * try (SparkAggregation ranges = SparkAggregation.over(deltas, accepted, length, shards, Exchange.IN_PLACE)) {
 *   Aggregation a = ShardedAggregation.aggregate(strategy, global, examples, state, ranges);
 * }
 * }</pre>
 */
public final class SparkAggregation implements UpdateRanges, AutoCloseable {

  /** How each aggregation task gets its range of every update. */
  public enum Exchange {
    /** Reads the cached update blocks where they are; no copy in one JVM. */
    IN_PLACE,
    /** Cuts the updates into ranges through a shuffle; each range crosses the network once. */
    SHUFFLE
  }

  private static final ClassTag<float[]> FLOATS = ClassTag$.MODULE$.apply(float[].class);

  private final RDD<float[]> updates;
  private final int[] accepted;
  private final int length;
  private final int[] bounds;
  private final Exchange exchange;
  private JavaRDD<Piece[]> shuffled;

  private SparkAggregation(RDD<float[]> updates, int[] accepted, int length, int[] bounds, Exchange exchange) {
    this.updates = updates;
    this.accepted = accepted;
    this.length = length;
    this.bounds = bounds;
    this.exchange = exchange;
  }

  /**
   * The accepted updates of a round, for {@link ShardedAggregation}.
   *
   * @param updates  one delta per partition, persisted (a partition that is not cached is computed again)
   * @param accepted the partitions to merge, in the order of the example counts given to the merge;
   *     the others are never read
   * @param length   the number of coordinates of every delta
   * @param shards   how many ranges (tasks) each pass has, at most {@code length}
   * @throws IllegalArgumentException if {@code accepted} is empty or names a partition twice or one
   *     the RDD does not have, or {@code length} or {@code shards} is below 1
   */
  public static SparkAggregation over(JavaRDD<float[]> updates, int[] accepted, int length, int shards,
      Exchange exchange) {
    int partitions = updates.getNumPartitions();
    if (accepted.length == 0) {
      throw new IllegalArgumentException("no accepted updates to merge");
    }
    if (Arrays.stream(accepted).distinct().count() != accepted.length
        || Arrays.stream(accepted).anyMatch(p -> p < 0 || p >= partitions)) {
      throw new IllegalArgumentException("accepted partitions " + Arrays.toString(accepted)
          + " must be distinct partitions of the " + partitions + " of the updates");
    }
    return new SparkAggregation(updates.rdd(), accepted.clone(), length, UpdateRanges.bounds(length, shards), exchange);
  }

  /**
   * How many ranges to cut {@code length} coordinates into: one per default task slot, or more where
   * a range's result (up to 8 bytes a coordinate) would exceed the largest task result Spark sends
   * inline, {@code min(spark.task.maxDirectResultSize, spark.rpc.message.maxSize)} less 10%.
   */
  public static int shards(SparkConf conf, int defaultParallelism, int length) {
    long direct = Math.min(conf.getSizeAsBytes("spark.task.maxDirectResultSize", "1m"),
        conf.getSizeAsMb("spark.rpc.message.maxSize", "128") << 20);
    long bytes = 8L * length;
    long forResults = (bytes + direct * 9 / 10 - 1) / (direct * 9 / 10);
    return (int) Math.max(1, Math.min(length, Math.max(defaultParallelism, forResults)));
  }

  @Override
  public int count() {
    return accepted.length;
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public <R> List<R> map(RangeFunction<R> f) {
    JavaRDD<R> results = exchange == Exchange.IN_PLACE
        ? new JavaRDD<>(new RangeRDD<>(updates, accepted, bounds, f), ClassTag$.MODULE$.apply(Object.class))
        : shuffled().map(pieces -> f.apply(slice(pieces)));
    return results.collect();
  }

  /** Unpersists the shuffled ranges, if any; the updates themselves belong to the caller. */
  @Override
  public void close() {
    if (shuffled != null) {
      shuffled.unpersist(false);
    }
  }

  /** One range of one update, as the shuffle carries it (a class, not a record: Kryo cannot build records). */
  static final class Piece implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int update;
    private final int from;
    private final float[] values;

    Piece(int update, int from, float[] values) {
      this.update = update;
      this.from = from;
      this.values = values;
    }

    int update() {
      return update;
    }

    int from() {
      return from;
    }

    float[] values() {
      return values;
    }
  }

  /** The ranges, range {@code s} in partition {@code s}: cut and shuffled on the first pass, then cached. */
  private JavaRDD<Piece[]> shuffled() {
    if (shuffled == null) {
      int[] b = bounds;
      int[] order = accepted;
      // the pruned RDD's partitions are the accepted ones in increasing partition order
      int[] sortedAccepted = Arrays.stream(accepted).sorted().toArray();
      JavaPairRDD<Integer, Piece> cut = only(new JavaRDD<>(updates, FLOATS), sortedAccepted).mapPartitionsWithIndex((j, it) -> {
        int update = indexOf(order, sortedAccepted[j]);
        float[] d = it.next();
        List<Tuple2<Integer, Piece>> out = new ArrayList<>(b.length - 1);
        for (int s = 0; s + 1 < b.length; s++) {
          out.add(new Tuple2<>(s, new Piece(update, b[s], Arrays.copyOfRange(d, b[s], b[s + 1]))));
        }
        return out.iterator();
      }, false).mapToPair(t -> t);
      shuffled = cut.partitionBy(new HashPartitioner(b.length - 1)).values()
          .mapPartitions(SparkAggregation::gather, true)
          .persist(StorageLevel.MEMORY_AND_DISK());
    }
    return shuffled;
  }

  private static Iterator<Piece[]> gather(Iterator<Piece> it) {
    List<Piece> pieces = new ArrayList<>();
    it.forEachRemaining(pieces::add);
    Piece[] byUpdate = new Piece[pieces.size()];
    for (Piece p : pieces) {
      byUpdate[p.update()] = p;
    }
    return List.<Piece[]>of(byUpdate).iterator();
  }

  private static UpdateSlice slice(Piece[] pieces) {
    List<float[]> deltas = new ArrayList<>(pieces.length);
    for (Piece p : pieces) {
      deltas.add(p.values());
    }
    int from = pieces[0].from();
    return new UpdateSlice(from, from + pieces[0].values().length, from, deltas);
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    throw new IllegalStateException("partition " + v + " is not among the accepted " + Arrays.toString(a));
  }

  /**
   * The RDD's partitions in {@code sorted} (increasing), in that order: no other partition is
   * computed, or read from the cache, by a job over the result.
   */
  static <T> JavaRDD<T> only(JavaRDD<T> rdd, int[] sorted) {
    return new JavaRDD<>(PartitionPruningRDD.create(rdd.rdd(), new In(sorted)), rdd.classTag());
  }

  /** A partition filter: the partitions in a sorted array. */
  private static final class In extends AbstractFunction1<Object, Object> implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int[] sorted;

    In(int[] sorted) {
      this.sorted = sorted;
    }

    @Override
    public Object apply(Object partition) {
      return Arrays.binarySearch(sorted, (Integer) partition) >= 0;
    }
  }

  /**
   * The in-place pass: partition {@code s} depends on every accepted partition of the updates, reads
   * each one's cached delta and applies the function to range {@code s} of all of them.
   */
  static final class RangeRDD<R> extends RDD<R> {
    private static final long serialVersionUID = 1L;
    private final RDD<float[]> updates;
    private final int[] accepted;
    private final int[] bounds;
    private final RangeFunction<R> f;

    @SuppressWarnings("unchecked")
    RangeRDD(RDD<float[]> updates, int[] accepted, int[] bounds, RangeFunction<R> f) {
      super(updates.context(), JavaConverters.asScalaBuffer(List.<org.apache.spark.Dependency<?>>of(
          new AllOf(updates, accepted))).toSeq(), (ClassTag<R>) ClassTag$.MODULE$.apply(Object.class));
      this.updates = updates;
      this.accepted = accepted;
      this.bounds = bounds;
      this.f = f;
    }

    @Override
    public scala.collection.Iterator<R> compute(Partition split, TaskContext context) {
      List<float[]> deltas = new ArrayList<>(accepted.length);
      for (Partition p : ((RangePartition) split).updates) {
        deltas.add(updates.iterator(p, context).next());
      }
      int s = split.index();
      R result = f.apply(new UpdateSlice(bounds[s], bounds[s + 1], 0, deltas));
      return JavaConverters.asScalaIterator(List.of(result).iterator());
    }

    @Override
    public Partition[] getPartitions() {
      Partition[] all = updates.partitions();
      Partition[] read = new Partition[accepted.length];
      for (int k = 0; k < read.length; k++) {
        read[k] = all[accepted[k]];
      }
      Partition[] out = new Partition[bounds.length - 1];
      for (int s = 0; s < out.length; s++) {
        out[s] = new RangePartition(s, read);
      }
      return out;
    }
  }

  /** Every shard depends on all accepted updates. */
  private static final class AllOf extends NarrowDependency<float[]> {
    private static final long serialVersionUID = 1L;
    private final int[] accepted;

    AllOf(RDD<float[]> updates, int[] accepted) {
      super(updates);
      this.accepted = accepted;
    }

    @Override
    public scala.collection.Seq<Object> getParents(int partitionId) {
      List<Object> parents = new ArrayList<>(accepted.length);
      for (int p : accepted) {
        parents.add(p);
      }
      return JavaConverters.asScalaBuffer(parents).toSeq();
    }
  }

  /**
   * Range {@code index} of the vector, with the update partitions it reads (an executor cannot ask
   * the RDD for them). Equality by index, so Partition's Scala-side equals is never used.
   */
  private static final class RangePartition implements Partition {
    private static final long serialVersionUID = 1L;
    private final int index;
    private final Partition[] updates;

    RangePartition(int index, Partition[] updates) {
      this.index = index;
      this.updates = updates;
    }

    @Override
    public int index() {
      return index;
    }

    @Override
    public int hashCode() {
      return index;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof RangePartition p && p.index == index;
    }
  }
}
