package org.sparkgrid.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules between the Spark settings that a GPU (and ND4J off-heap) setup depends on, in one place:
 * the shipped {@code conf/} files are checked against them by a test, and the live configuration at
 * start-up. Each rule is one that Spark, the RAPIDS Accelerator or JavaCPP would otherwise break
 * late (an executor killed for memory, GPUs or cores left idle, a plugin that will not start).
 *
 * <ul>
 *   <li><b>GPU amounts come in pairs.</b> {@value #EXECUTOR_GPUS} and {@value #TASK_GPUS} are set
 *       together (Spark refuses one without the other); a task amount above 0.5 must be whole.
 *   <li><b>Tasks per GPU match task slots.</b> With GPUs, {@value #EXECUTOR_CORES} must be set, and
 *       the tasks an executor runs by GPU ({@code executor gpus / task gpus}) must equal the tasks it
 *       runs by CPU ({@code executor cores / task cpus}); otherwise the smaller one limits and the
 *       rest of the other stays idle.
 *   <li><b>RAPIDS uses one GPU per executor.</b> With {@value #RAPIDS_PLUGIN} in {@value #PLUGINS},
 *       {@value #EXECUTOR_GPUS} must be 1.
 *   <li><b>Off-heap memory fits the container.</b> When the executor's Java options set JavaCPP's
 *       {@value #JAVACPP_MAX_BYTES} (ND4J's off-heap arrays), {@value #EXECUTOR_OVERHEAD} must hold
 *       it, plus the RAPIDS pinned pool ({@value #RAPIDS_PINNED_POOL}), plus what the JVM itself uses
 *       off-heap (Spark's default overhead: 10% of the heap, at least 384 MiB). And
 *       {@value #JAVACPP_MAX_PHYSICAL_BYTES}, when set (not 0), must be at least heap + maxbytes
 *       (else JavaCPP refuses allocations before maxbytes is reached) and at most heap + overhead
 *       (else the cluster manager kills the executor before JavaCPP notices).
 * </ul>
 *
 * <pre>{@code
 * List<String> problems = SparkResourceRules.problems(Map.of(
 *     "spark.executor.cores", "8", "spark.task.cpus", "1",
 *     "spark.executor.resource.gpu.amount", "1", "spark.task.resource.gpu.amount", "0.25"));
 * // ["tasks per executor disagree: ... 4 by GPU ... 8 by CPU ..."]
 * }</pre>
 */
public final class SparkResourceRules {

  public static final String EXECUTOR_CORES = "spark.executor.cores";
  public static final String TASK_CPUS = "spark.task.cpus";
  public static final String EXECUTOR_GPUS = "spark.executor.resource.gpu.amount";
  public static final String TASK_GPUS = "spark.task.resource.gpu.amount";
  public static final String EXECUTOR_MEMORY = "spark.executor.memory";
  public static final String EXECUTOR_OVERHEAD = "spark.executor.memoryOverhead";
  public static final String EXECUTOR_JAVA_OPTIONS = "spark.executor.extraJavaOptions";
  public static final String EXECUTOR_DEFAULT_JAVA_OPTIONS = "spark.executor.defaultJavaOptions";
  public static final String PLUGINS = "spark.plugins";
  public static final String RAPIDS_PLUGIN = "com.nvidia.spark.SQLPlugin";
  public static final String RAPIDS_PINNED_POOL = "spark.rapids.memory.pinnedPool.size";
  public static final String JAVACPP_MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
  public static final String JAVACPP_MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";

  private static final long MIB = 1024L * 1024;
  /** Spark's smallest default executor overhead (384 MiB) and its factor of the heap (0.1). */
  private static final long MIN_OVERHEAD_MIB = 384;
  private static final double OVERHEAD_FACTOR = 0.1;
  private static final Pattern SPARK_SIZE = Pattern.compile("(\\d+)\\s*([kmgtp]?)b?");
  private static final Pattern JAVACPP_SIZE = Pattern.compile("(\\d+)([kmgt]?)");

  private SparkResourceRules() {}

  /**
   * Whether the configuration asks Spark for GPUs: a positive {@value #EXECUTOR_GPUS} or
   * {@value #TASK_GPUS}. An unparsable amount counts as asking (and is reported by {@link #problems}).
   */
  public static boolean requestsGpus(Map<String, String> conf) {
    for (String key : List.of(EXECUTOR_GPUS, TASK_GPUS)) {
      String v = conf.get(key);
      if (v != null) {
        try {
          if (Double.parseDouble(v.trim()) > 0) {
            return true;
          }
        } catch (NumberFormatException e) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Checks the rules.
   *
   * @throws IllegalArgumentException listing every broken rule, each naming its keys and values
   */
  public static void check(Map<String, String> conf) {
    List<String> problems = problems(conf);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** The broken rules, each one sentence naming the keys and their values; empty when there are none. */
  public static List<String> problems(Map<String, String> conf) {
    List<String> out = new ArrayList<>();
    try {
      gpuRules(conf, out);
      memoryRules(conf, out);
    } catch (IllegalArgumentException e) {
      out.add(e.getMessage()); // a value that does not parse: the rules that need it cannot be checked
    }
    return out;
  }

  private static void gpuRules(Map<String, String> conf, List<String> out) {
    Double executorGpus = number(conf, EXECUTOR_GPUS);
    Double taskGpus = number(conf, TASK_GPUS);
    boolean rapids = conf.getOrDefault(PLUGINS, "").contains(RAPIDS_PLUGIN);
    if (rapids && (executorGpus == null || executorGpus != 1.0)) {
      out.add(PLUGINS + " loads the RAPIDS Accelerator (" + RAPIDS_PLUGIN + "), which uses one GPU per executor, so "
          + EXECUTOR_GPUS + " must be 1. Current value is " + conf.getOrDefault(EXECUTOR_GPUS, "unset") + ".");
    }
    if (executorGpus == null && taskGpus == null) {
      return;
    }
    if (executorGpus == null || taskGpus == null) {
      String set = executorGpus == null ? TASK_GPUS : EXECUTOR_GPUS;
      String missing = executorGpus == null ? EXECUTOR_GPUS : TASK_GPUS;
      out.add(missing + " must be set when " + set + " is (" + conf.get(set) + "): Spark needs both to schedule GPUs.");
      return;
    }
    if (executorGpus <= 0 || taskGpus <= 0 || executorGpus != Math.rint(executorGpus)) {
      out.add(EXECUTOR_GPUS + " must be a whole number > 0 and " + TASK_GPUS + " a number > 0. Current values are "
          + conf.get(EXECUTOR_GPUS) + " and " + conf.get(TASK_GPUS) + ".");
      return;
    }
    if (taskGpus > 0.5 && taskGpus != Math.rint(taskGpus)) {
      out.add(TASK_GPUS + " must be at most 0.5 or a whole number (Spark's rule for sharing a GPU). Current value is "
          + conf.get(TASK_GPUS) + ".");
      return;
    }
    String cores = conf.get(EXECUTOR_CORES);
    if (cores == null) {
      out.add(EXECUTOR_CORES + " must be set when GPUs are requested, so that tasks per GPU can be matched to task"
          + " slots (" + EXECUTOR_GPUS + " is " + conf.get(EXECUTOR_GPUS) + ").");
      return;
    }
    int executorCores = integer(EXECUTOR_CORES, cores);
    int taskCpus = conf.containsKey(TASK_CPUS) ? integer(TASK_CPUS, conf.get(TASK_CPUS)) : 1;
    long byGpu = taskGpus >= 1 ? (long) (executorGpus / taskGpus) : (long) (executorGpus * Math.floor(1 / taskGpus));
    long byCpu = executorCores / taskCpus;
    if (byGpu != byCpu) {
      out.add("tasks per executor disagree: " + EXECUTOR_GPUS + " / " + TASK_GPUS + " = " + conf.get(EXECUTOR_GPUS)
          + " / " + conf.get(TASK_GPUS) + " allows " + byGpu + " by GPU, but " + EXECUTOR_CORES + " / " + TASK_CPUS
          + " = " + executorCores + " / " + taskCpus + " allows " + byCpu + " by CPU; make them equal, or the "
          + (byGpu < byCpu ? "cores" : "GPUs") + " beyond the smaller count stay idle.");
    }
  }

  private static void memoryRules(Map<String, String> conf, List<String> out) {
    String javaOptions = conf.getOrDefault(EXECUTOR_DEFAULT_JAVA_OPTIONS, "") + " "
        + conf.getOrDefault(EXECUTOR_JAVA_OPTIONS, "");
    String maxBytesText = systemProperty(javaOptions, JAVACPP_MAX_BYTES);
    if (maxBytesText == null) {
      return;
    }
    long maxBytes = javacppBytes(JAVACPP_MAX_BYTES, maxBytesText);
    long heap = sparkBytes(EXECUTOR_MEMORY, conf.getOrDefault(EXECUTOR_MEMORY, "1g"));
    long jvm = Math.max(MIN_OVERHEAD_MIB * MIB, (long) (heap * OVERHEAD_FACTOR));
    long pinned = conf.containsKey(RAPIDS_PINNED_POOL) ? sparkBytes(RAPIDS_PINNED_POOL, conf.get(RAPIDS_PINNED_POOL)) : 0;
    long needed = maxBytes + pinned + jvm;
    String overheadText = conf.get(EXECUTOR_OVERHEAD);
    long overhead = overheadText == null ? jvm : sparkBytes(EXECUTOR_OVERHEAD, overheadText);
    if (overhead < needed) {
      out.add(EXECUTOR_OVERHEAD + " is " + (overheadText == null ? "unset (Spark's default " + mib(jvm) + ")" : overheadText)
          + " but an executor may use off-heap " + mib(maxBytes) + " for ND4J (" + JAVACPP_MAX_BYTES + "=" + maxBytesText
          + ")" + (pinned > 0 ? " + " + mib(pinned) + " RAPIDS pinned pool (" + RAPIDS_PINNED_POOL + ")" : "")
          + " + " + mib(jvm) + " for the JVM itself (10% of " + EXECUTOR_MEMORY + ", at least 384m): raise it to at least "
          + mib(needed) + ", or lower " + JAVACPP_MAX_BYTES + ".");
    }
    String physicalText = systemProperty(javaOptions, JAVACPP_MAX_PHYSICAL_BYTES);
    if (physicalText == null) {
      return;
    }
    long physical = javacppBytes(JAVACPP_MAX_PHYSICAL_BYTES, physicalText);
    if (physical == 0) {
      return; // JavaCPP: 0 means no limit
    }
    if (physical < heap + maxBytes) {
      out.add(JAVACPP_MAX_PHYSICAL_BYTES + "=" + physicalText + " is below " + EXECUTOR_MEMORY + " + " + JAVACPP_MAX_BYTES
          + " = " + mib(heap + maxBytes) + ": JavaCPP would refuse ND4J allocations before " + JAVACPP_MAX_BYTES
          + " is reached.");
    }
    if (physical > heap + overhead) {
      out.add(JAVACPP_MAX_PHYSICAL_BYTES + "=" + physicalText + " is above " + EXECUTOR_MEMORY + " + "
          + EXECUTOR_OVERHEAD + " = " + mib(heap + overhead) + ": the cluster manager would kill the executor before"
          + " JavaCPP noticed; lower it or raise " + EXECUTOR_OVERHEAD + ".");
    }
  }

  /**
   * A size as Spark reads memory settings: a number with an optional unit {@code k m g t p} (and an
   * optional {@code b}), case-insensitive; no unit means MiB.
   *
   * @throws IllegalArgumentException naming the key and the value
   */
  public static long sparkBytes(String key, String value) {
    Matcher m = SPARK_SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(key + " must be a size such as 512m or 8g. Current value is \"" + value + "\".");
    }
    String unit = m.group(2).isEmpty() ? "m" : m.group(2);
    return Long.parseLong(m.group(1)) << (10 * ("kmgtp".indexOf(unit) + 1));
  }

  /**
   * A size as JavaCPP reads {@code org.bytedeco.javacpp.maxbytes}: a number of bytes with an
   * optional unit {@code k m g t}, case-insensitive.
   *
   * @throws IllegalArgumentException naming the property and the value
   */
  public static long javacppBytes(String property, String value) {
    Matcher m = JAVACPP_SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(property + " must be a number of bytes with an optional unit k, m, g or t."
          + " Current value is \"" + value + "\".");
    }
    long n = Long.parseLong(m.group(1));
    return m.group(2).isEmpty() ? n : n << (10 * ("kmgt".indexOf(m.group(2)) + 1));
  }

  /** The value of {@code -Dname=value} in a Java options string, the last one if repeated; null if absent. */
  public static String systemProperty(String javaOptions, String name) {
    String found = null;
    for (String token : javaOptions.trim().split("\\s+")) {
      if (token.startsWith("-D" + name + "=")) {
        found = token.substring(name.length() + 3);
      }
    }
    return found;
  }

  private static Double number(Map<String, String> conf, String key) {
    String v = conf.get(key);
    if (v == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(v.trim());
      if (!Double.isFinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a number. Current value is \"" + v + "\".");
    }
  }

  private static int integer(String key, String v) {
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer >= 1. Current value is \"" + v + "\".");
    }
  }

  private static String mib(long bytes) {
    long m = (bytes + MIB - 1) / MIB;
    return m % 1024 == 0 ? (m / 1024) + "g" : m + "m";
  }
}
