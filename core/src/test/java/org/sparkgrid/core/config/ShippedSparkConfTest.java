package org.sparkgrid.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark configuration files in conf/ (CPU and GPU): every key is a declared SparkGrid key or a
 * known Spark/RAPIDS key (known-spark-keys.txt, each with its source), SparkGrid values are valid,
 * the resource rules between the values hold (SparkResourceRules), the GPU discovery script the GPU
 * file names is shipped and executable, and executors get the Java 17 flags of conf/jvm.options.
 * Broken copies of the GPU file show that each check can fail.
 */
class ShippedSparkConfTest {
  private static final Path CPU = ConfFiles.ROOT.resolve("conf/spark-defaults.conf");
  private static final Path GPU = ConfFiles.ROOT.resolve("conf/spark-defaults-gpu.conf");
  private static final String DISCOVERY = "spark.executor.resource.gpu.discoveryScript";

  @TempDir Path dir;

  @Test
  void theCpuFileIsCleanAndAsksForNoGpu() {
    Map<String, String> conf = ConfFiles.read(CPU);

    assertThat(problems(conf)).isEmpty();
    assertThat(SparkResourceRules.requestsGpus(conf)).isFalse();
    assertThat(conf).doesNotContainKey(SparkResourceRules.PLUGINS);
  }

  @Test
  void theGpuFileIsCleanAndAsksForGpusWithRapids() {
    Map<String, String> conf = ConfFiles.read(GPU);

    assertThat(problems(conf)).isEmpty();
    assertThat(SparkResourceRules.requestsGpus(conf)).isTrue();
    assertThat(conf.get(SparkResourceRules.PLUGINS)).isEqualTo(SparkResourceRules.RAPIDS_PLUGIN);
    assertThat(conf.get("spark.rapids.sql.enabled")).isEqualTo("true");
  }

  @Test
  void bothFilesSetTheSameSparkGridKeys() {
    assertThat(sparkGridKeys(ConfFiles.read(GPU))).containsAllEntriesOf(sparkGridKeys(ConfFiles.read(CPU)));
  }

  @Test
  void aMisspelledKeyIsRefused() {
    Map<String, String> conf = brokenGpuCopy("spark.rapids.sql.enabled", "spark.rapids.sql.enable", "true");

    assertThat(problems(conf)).containsExactly("spark.rapids.sql.enable is neither a declared SparkGrid key nor a"
        + " known Spark or RAPIDS key (core/src/test/resources/known-spark-keys.txt)");
  }

  @Test
  void aMisspelledSparkGridKeyIsRefusedWithTheClosestName() {
    Map<String, String> conf = brokenGpuCopy("spark.sparkgrid.checkpoint.keep", "spark.sparkgrid.checkpoint.keeps", "3");

    assertThat(problems(conf)).containsExactly("Unknown configuration key spark.sparkgrid.checkpoint.keeps;"
        + " did you mean spark.sparkgrid.checkpoint.keep?");
  }

  @Test
  void tasksPerGpuThatDisagreeWithTaskSlotsAreRefused() {
    Map<String, String> conf = brokenGpuCopy(SparkResourceRules.TASK_GPUS, SparkResourceRules.TASK_GPUS, "0.5");

    assertThat(problems(conf)).containsExactly("tasks per executor disagree: spark.executor.resource.gpu.amount"
        + " / spark.task.resource.gpu.amount = 1 / 0.5 allows 2 by GPU, but spark.executor.cores / spark.task.cpus"
        + " = 4 / 1 allows 4 by CPU; make them equal, or the cores beyond the smaller count stay idle.");
  }

  @Test
  void anOverheadTooSmallForTheOffHeapLimitsIsRefused() {
    Map<String, String> conf = brokenGpuCopy(SparkResourceRules.EXECUTOR_OVERHEAD, SparkResourceRules.EXECUTOR_OVERHEAD, "4g");

    assertThat(problems(conf)).containsExactly(
        "spark.executor.memoryOverhead is 4g but an executor may use off-heap 6g for ND4J"
            + " (org.bytedeco.javacpp.maxbytes=6G) + 2g RAPIDS pinned pool (spark.rapids.memory.pinnedPool.size)"
            + " + 820m for the JVM itself (10% of spark.executor.memory, at least 384m): raise it to at least 9012m,"
            + " or lower org.bytedeco.javacpp.maxbytes.",
        "org.bytedeco.javacpp.maxphysicalbytes=16G is above spark.executor.memory + spark.executor.memoryOverhead"
            + " = 12g: the cluster manager would kill the executor before JavaCPP noticed; lower it or raise"
            + " spark.executor.memoryOverhead.");
  }

  @Test
  void aDiscoveryScriptThatIsNotShippedIsRefused() {
    Map<String, String> conf = brokenGpuCopy("spark.files", "spark.files", "conf/log4j2.properties");

    assertThat(problems(conf)).containsExactly(DISCOVERY + " is ./gpu-discovery.sh but spark.files"
        + " (conf/log4j2.properties) ships no file of that name to the executors");
  }

  @Test
  void executorsWithoutTheJava17FlagsAreRefused() {
    Map<String, String> conf = brokenGpuCopy(SparkResourceRules.EXECUTOR_JAVA_OPTIONS,
        SparkResourceRules.EXECUTOR_JAVA_OPTIONS, "-Dorg.bytedeco.javacpp.maxbytes=6G");

    assertThat(problems(conf)).containsExactly(SparkResourceRules.EXECUTOR_JAVA_OPTIONS
        + " lacks flags of conf/jvm.options that executors need on Java 17: " + String.join(" ", jvmFlags()));
  }

  /** Every problem of one conf file, as the test reports it. */
  private List<String> problems(Map<String, String> conf) {
    List<String> out = new ArrayList<>();
    List<String> known = knownKeys();
    Map<String, String> ours = new LinkedHashMap<>();
    for (String key : conf.keySet()) {
      if (key.startsWith(SparkGridConfig.PREFIX)) {
        ours.put(key, conf.get(key));
      } else if (known.stream().noneMatch(k -> k.endsWith("*") ? key.startsWith(k.substring(0, k.length() - 1))
          : key.equals(k))) {
        out.add(key + " is neither a declared SparkGrid key nor a known Spark or RAPIDS key"
            + " (core/src/test/resources/known-spark-keys.txt)");
      }
    }
    try {
      SparkGridConfig.from(ours);
    } catch (IllegalArgumentException e) {
      out.add(e.getMessage());
    }
    out.addAll(SparkResourceRules.problems(conf));
    String script = conf.get(DISCOVERY);
    if (script != null) {
      out.addAll(discoveryScriptProblems(script, conf.getOrDefault("spark.files", "")));
    }
    String javaOptions = conf.get(SparkResourceRules.EXECUTOR_JAVA_OPTIONS);
    if (javaOptions != null) {
      List<String> given = Arrays.asList(javaOptions.split("\\s+"));
      List<String> missing = jvmFlags().stream().filter(f -> !given.contains(f)).toList();
      if (!missing.isEmpty()) {
        out.add(SparkResourceRules.EXECUTOR_JAVA_OPTIONS + " lacks flags of conf/jvm.options that executors need"
            + " on Java 17: " + String.join(" ", missing));
      }
    }
    return out;
  }

  /** A {@code ./name} script must be shipped by spark.files from an executable file in this repository. */
  private static List<String> discoveryScriptProblems(String script, String files) {
    if (!script.startsWith("./")) {
      return List.of(DISCOVERY + " is " + script + "; the shipped files name a script shipped with spark.files"
          + " (./name), so that it exists on every executor");
    }
    String name = script.substring(2);
    for (String f : files.split(",")) {
      Path p = ConfFiles.ROOT.resolve(f.strip());
      if (p.getFileName().toString().equals(name)) {
        return Files.isRegularFile(p) && Files.isExecutable(p) ? List.of()
            : List.of(DISCOVERY + " is shipped from " + f.strip() + ", which is not an executable file here");
      }
    }
    return List.of(DISCOVERY + " is " + script + " but spark.files (" + files + ") ships no file of that name to the"
        + " executors");
  }

  /** The GPU file with one line's key and value replaced, read back from a copy. */
  private Map<String, String> brokenGpuCopy(String key, String newKey, String newValue) {
    try {
      List<String> lines = new ArrayList<>();
      boolean replaced = false;
      for (String line : Files.readAllLines(GPU)) {
        if (line.startsWith(key + " ") || line.startsWith(key + "\t")) {
          lines.add(newKey + " " + newValue);
          replaced = true;
        } else {
          lines.add(line);
        }
      }
      assertThat(replaced).as("%s is set in %s", key, GPU).isTrue();
      Path copy = Files.write(dir.resolve("spark-defaults-gpu.conf"), lines);
      return ConfFiles.read(copy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> sparkGridKeys(Map<String, String> conf) {
    Map<String, String> m = new LinkedHashMap<>(conf);
    m.keySet().removeIf(k -> !k.startsWith(SparkGridConfig.PREFIX) || k.startsWith("spark.sparkgrid.gpu."));
    return m;
  }

  private static List<String> jvmFlags() {
    try {
      return Files.readAllLines(ConfFiles.ROOT.resolve("conf/jvm.options")).stream()
          .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> knownKeys() {
    try (InputStream in = ShippedSparkConfTest.class.getResourceAsStream("/known-spark-keys.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
