package org.sparkgrid.jobs.resources;

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
   * manager), one ND4J thread per executor task, no console progress bar of Spark's own; and
   * {@link ExecutorTracker} among the {@code spark.extraListeners}, so that jobs can be matched to
   * the executors' capacity. Spark's RPC security settings are checked and completed by
   * {@link SparkSecurity#prepare} (a secret drawn for a {@code local-cluster} master).
   *
   * @throws IllegalArgumentException for security settings that cannot work (see {@link SparkSecurity})
   */
  public static SparkConf conf(String appName, String defaultMaster) {
    SparkConf c = new SparkConf(true);
    c.setIfMissing("spark.master", defaultMaster);
    c.setIfMissing("spark.app.name", appName);
    c.setIfMissing("spark.rpc.message.maxSize", "512");
    c.setIfMissing("spark.task.maxDirectResultSize", "256m");
    c.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1");
    c.setIfMissing("spark.ui.showConsoleProgress", "false");
    return trackExecutors(SparkSecurity.prepare(c));
  }

  /** Adds {@link ExecutorTracker} to {@code spark.extraListeners}, keeping listeners already named. */
  public static SparkConf trackExecutors(SparkConf c) {
    String tracker = ExecutorTracker.class.getName();
    String listeners = c.get("spark.extraListeners", "").strip();
    if (!java.util.Arrays.asList(listeners.split("\\s*,\\s*")).contains(tracker)) {
      c.set("spark.extraListeners", listeners.isEmpty() ? tracker : listeners + "," + tracker);
    }
    return c;
  }

  /**
   * Starts a context from {@link #conf}, after {@link GpuPreflight#checkConf} (a GPU configuration
   * that cannot work is refused before Spark starts); with GPUs in the configuration, waits up to
   * {@code spark.sparkgrid.gpu.startupTimeoutMs} for an executor that has one, and stops the context
   * and throws if none comes.
   *
   * Spark's security settings go through {@link SparkSecurity#prepare} first.
   *
   * @throws IllegalArgumentException for a GPU configuration that cannot work (see {@link GpuPreflight}),
   *     or security settings that cannot (see {@link SparkSecurity})
   * @throws IllegalStateException if GPUs are asked for and no executor with one registers in time
   */
  public static JavaSparkContext start(SparkConf conf) {
    SparkSecurity.prepare(conf);
    Map<String, String> settings = settings(conf);
    GpuPreflight.checkConf(settings);
    JavaSparkContext sc = new JavaSparkContext(conf);
    try {
      long timeoutMs = SparkGridConfig.from(settings).get(SparkGridConfig.GPU_STARTUP_TIMEOUT_MS);
      GpuPreflight.awaitGpuExecutor(settings, () -> ExecutorTracker.of(sc).executors(), timeoutMs);
    } catch (InterruptedException e) {
      sc.stop();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for an executor with a GPU", e);
    } catch (RuntimeException e) {
      sc.stop();
      throw e;
    }
    return sc;
  }

  /** Every entry of a SparkConf as a map. */
  public static Map<String, String> settings(SparkConf conf) {
    Map<String, String> m = new HashMap<>();
    for (Tuple2<String, String> t : conf.getAll()) {
      m.put(t._1(), t._2());
    }
    return m;
  }

  /** SparkGrid's typed configuration from the {@code spark.sparkgrid.*} entries of a SparkConf. */
  public static SparkGridConfig sparkGridConfig(SparkConf conf) {
    return SparkGridConfig.from(settings(conf));
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
