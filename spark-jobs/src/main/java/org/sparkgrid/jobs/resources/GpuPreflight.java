package org.sparkgrid.jobs.resources;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.sparkgrid.core.capacity.Executor;
import org.sparkgrid.core.config.SparkResourceRules;

/**
 * The start-up check of a GPU configuration: SparkGrid stops at once, with a message that says what
 * is wrong and how to run on CPU, rather than hang or train on CPU while holding GPUs.
 *
 * <p>Before Spark starts ({@link #checkConf}): the resource rules ({@link SparkResourceRules}) hold;
 * and when the configuration asks for GPUs, the master is not local (Spark's local mode cannot
 * schedule GPUs: a task GPU amount makes it wait forever) and this build has ND4J's CUDA backend.
 * After Spark started ({@link #awaitGpuExecutor}): an executor with a GPU registers within
 * {@code spark.sparkgrid.gpu.startupTimeoutMs}.
 */
public final class GpuPreflight {

  /** The class nd4j-cuda adds: present only in the {@code -Dcuda} build. */
  static final String CUDA_BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";

  static final String RUN_ON_CPU = "To train on CPU instead, use conf/spark-defaults.conf (not"
      + " conf/spark-defaults-gpu.conf) and drop any --conf spark.executor.resource.gpu.amount and"
      + " spark.task.resource.gpu.amount.";

  private GpuPreflight() {}

  /**
   * Checks a configuration (every entry of a SparkConf) before the context starts.
   *
   * @return whether the configuration asks for GPUs (then {@link #awaitGpuExecutor} has something to wait for)
   * @throws IllegalArgumentException naming the setting: a broken resource rule, GPUs with a local
   *     master, or GPUs with ND4J's CPU backend
   */
  public static boolean checkConf(Map<String, String> conf) {
    return checkConf(conf, conf.getOrDefault("spark.master", "local[*]"), cudaBackendPresent());
  }

  /**
   * The part of {@link #checkConf} that does not depend on ND4J's backend, for stages that use GPUs
   * only through Spark SQL (the RAPIDS Accelerator): the resource rules, and no GPUs with a local master.
   *
   * @throws IllegalArgumentException naming the setting
   */
  public static void checkSchedulable(Map<String, String> conf) {
    SparkResourceRules.check(conf);
    String master = conf.getOrDefault("spark.master", "local[*]");
    if (SparkResourceRules.requestsGpus(conf) && isLocal(master)) {
      throw new IllegalArgumentException(asked(conf) + " asks for GPUs, but Spark's local mode (master " + master
          + ") cannot schedule GPUs and would wait forever. Run on a cluster master (spark://, yarn, k8s://)"
          + " with GPU workers. " + RUN_ON_CPU);
    }
  }

  static boolean checkConf(Map<String, String> conf, String master, boolean cudaBackend) {
    Map<String, String> withMaster = new java.util.HashMap<>(conf);
    withMaster.put("spark.master", master);
    checkSchedulable(withMaster);
    if (!SparkResourceRules.requestsGpus(conf)) {
      return false;
    }
    String asked = asked(conf);
    if (!cudaBackend) {
      throw new IllegalArgumentException(asked + " asks for GPUs, but this SparkGrid build has ND4J's CPU backend"
          + " (nd4j-native), which cannot train on them. Build the GPU jar with mvn -Dcuda -DskipTests package. "
          + RUN_ON_CPU);
    }
    return true;
  }

  /**
   * After the context started with a GPU configuration: waits until an executor with a GPU has
   * registered. Without GPUs in the configuration it returns at once, without looking at the executors.
   *
   * @return the executors with a GPU that ended the wait; empty when the configuration asks for no GPUs
   * @throws IllegalStateException when none registered within {@code timeoutMs}, saying so and how to
   *     run on CPU
   */
  public static List<Executor> awaitGpuExecutor(Map<String, String> conf, Supplier<List<Executor>> executors,
      long timeoutMs) throws InterruptedException {
    if (!SparkResourceRules.requestsGpus(conf)) {
      return List.of();
    }
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    List<Executor> seen;
    do {
      seen = executors.get();
      List<Executor> withGpus = seen.stream().filter(e -> e.gpus() > 0).toList();
      if (!withGpus.isEmpty()) {
        return withGpus;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new IllegalStateException(asked(conf) + " asks for GPUs, but no executor with a GPU registered within "
        + timeoutMs + " ms (spark.sparkgrid.gpu.startupTimeoutMs; " + seen.size() + " executor"
        + (seen.size() == 1 ? "" : "s") + " without one): no worker offers a GPU to Spark. On each GPU"
        + " machine, run conf/gpu-discovery.sh: it prints the GPUs Spark would get, or why there are none. "
        + RUN_ON_CPU);
  }

  /** Whether {@code master} is Spark's local mode ({@code local}, {@code local[N]}, not {@code local-cluster}). */
  static boolean isLocal(String master) {
    return master.equals("local") || master.startsWith("local[");
  }

  static boolean cudaBackendPresent() {
    try {
      Class.forName(CUDA_BACKEND, false, GpuPreflight.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static String asked(Map<String, String> conf) {
    String executor = conf.get(SparkResourceRules.EXECUTOR_GPUS);
    return executor != null ? SparkResourceRules.EXECUTOR_GPUS + "=" + executor
        : SparkResourceRules.TASK_GPUS + "=" + conf.get(SparkResourceRules.TASK_GPUS);
  }
}
