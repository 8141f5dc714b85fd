package org.sparkgrid.jobs;

import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import scala.Tuple2;

/** Creates the Spark context SparkGrid's entry points run in, with the settings its engine relies on. */
public final class SparkContexts {
  private SparkContexts() {}

  /**
   * A SparkConf from {@code spark.*} system properties and spark-submit's settings, with SparkGrid's
   * defaults where unset: master {@code defaultMaster} (only when nothing set one), larger RPC
   * messages (the averaging all-gather carries whole parameter vectors), task results up to 256 MiB
   * sent inline (tree mode's merged ranges and updates, instead of a detour through the block
   * manager), one ND4J thread per executor task, no console progress bar of Spark's own.
   */
  public static SparkConf conf(String appName, String defaultMaster) {
    SparkConf c = new SparkConf(true);
    c.setIfMissing("spark.master", defaultMaster);
    c.setIfMissing("spark.app.name", appName);
    c.setIfMissing("spark.rpc.message.maxSize", "512");
    c.setIfMissing("spark.task.maxDirectResultSize", "256m");
    c.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1");
    c.setIfMissing("spark.ui.showConsoleProgress", "false");
    return c;
  }

  /** Starts a context from {@link #conf}. */
  public static JavaSparkContext start(SparkConf conf) {
    return new JavaSparkContext(conf);
  }

  /** SparkGrid's typed configuration from the {@code spark.sparkgrid.*} entries of a SparkConf. */
  public static SparkGridConfig sparkGridConfig(SparkConf conf) {
    Map<String, String> m = new HashMap<>();
    for (Tuple2<String, String> t : conf.getAll()) {
      m.put(t._1(), t._2());
    }
    return SparkGridConfig.from(m);
  }

  /**
   * Checks that a barrier stage of {@code workers} tasks can start: in local mode the master's
   * thread count must be at least the number of workers.
   *
   * @throws IllegalArgumentException naming engine.workers and the slots available
   */
  public static void checkSlots(JavaSparkContext sc, int workers) {
    String master = sc.master();
    if (master.startsWith("local")) {
      int slots = sc.defaultParallelism();
      if (workers > slots) {
        throw new IllegalArgumentException("engine.workers is " + workers + " but Spark master " + master
            + " runs only " + slots + " tasks at once; all workers train at the same time, so use"
            + " engine.workers <= " + slots + " or a master with more slots (e.g. local[" + workers + "])");
      }
    }
  }
}
