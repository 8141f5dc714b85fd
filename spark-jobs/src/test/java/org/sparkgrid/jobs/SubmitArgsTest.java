package org.sparkgrid.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.deploy.SparkSubmitArguments;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.JavaConverters;

/**
 * {@code bin/sparkgrid submit-args FILE} turns SparkGrid's properties file into spark-submit
 * {@code --conf} flags, which spark-submit adds to the cluster's own {@code spark-defaults.conf};
 * {@code --properties-file FILE} instead makes Spark 3.5 skip the cluster's file. Both are parsed
 * here by Spark's own {@link SparkSubmitArguments}, with a stand-in cluster configuration
 * directory ({@code SPARK_CONF_DIR}).
 */
class SubmitArgsTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  @TempDir static Path clusterConf;

  @BeforeAll
  static void aClusterWithItsOwnDefaults() throws Exception {
    Files.writeString(clusterConf.resolve("spark-defaults.conf"), """
        spark.eventLog.enabled     true
        spark.eventLog.dir         hdfs:///spark-logs
        spark.executor.memory      4g
        """);
  }

  @Test
  void submitArgsKeepTheClustersDefaultsAndOverrideOnlyTheirOwnKeys() throws Exception {
    List<String> args = new ArrayList<>(submitArgs("conf/spark-defaults-gpu.conf"));

    Map<String, String> used = sparkProperties(args);

    assertThat(used).containsEntry("spark.eventLog.enabled", "true")           // the cluster's, kept
        .containsEntry("spark.eventLog.dir", "hdfs:///spark-logs")
        .containsEntry("spark.executor.memory", "8g")                           // SparkGrid's, over the cluster's 4g
        .containsEntry("spark.task.resource.gpu.amount", "0.25")
        .containsEntry("spark.sparkgrid.gpu.startupTimeoutMs", "120000");
    assertThat(used.get("spark.executor.extraJavaOptions"))
        .startsWith("-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED")
        .endsWith("-Dorg.bytedeco.javacpp.maxbytes=6G -Dorg.bytedeco.javacpp.maxphysicalbytes=16G");
  }

  @Test
  void aPropertiesFileReplacesTheClustersDefaults() {
    Map<String, String> used = sparkProperties(List.of("--properties-file",
        ROOT.resolve("conf/spark-defaults-gpu.conf").toString()));

    assertThat(used).containsEntry("spark.executor.memory", "8g").doesNotContainKey("spark.eventLog.enabled");
  }

  @Test
  void everyEntryOfTheCpuFileBecomesOneFlag() throws Exception {
    List<String> args = submitArgs("conf/spark-defaults.conf");

    assertThat(args).containsSequence("--conf", "spark.rpc.message.maxSize=512")
        .containsSequence("--conf", "spark.sparkgrid.checkpoint.keep=3");
    assertThat(args.stream().filter("--conf"::equals).count()).isEqualTo(args.size() / 2)
        .isEqualTo(Files.readAllLines(ROOT.resolve("conf/spark-defaults.conf")).stream()
            .filter(l -> !l.isBlank() && !l.strip().startsWith("#")).count());
  }

  /** The output of {@code bin/sparkgrid submit-args FILE}, one argument a line. */
  private static List<String> submitArgs(String file) throws Exception {
    Process p = new ProcessBuilder("bash", ROOT.resolve("bin/sparkgrid").toString(), "submit-args",
        ROOT.resolve(file).toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    return out.lines().toList();
  }

  /** The Spark properties spark-submit would use for these options, on the stand-in cluster. */
  private static Map<String, String> sparkProperties(List<String> options) {
    List<String> all = new ArrayList<>(List.of("--master", "spark://master:7077", "--class",
        "org.sparkgrid.jobs.TrainJob"));
    all.addAll(options);
    all.add("sparkgrid-app.jar");
    SparkSubmitArguments parsed = new SparkSubmitArguments(JavaConverters.asScalaBuffer(all).toList(),
        JavaConverters.mapAsScalaMap(Map.of("SPARK_CONF_DIR", clusterConf.toString()))
            .toMap(scala.Predef$.MODULE$.$conforms()));
    return JavaConverters.mapAsJavaMap(parsed.sparkProperties());
  }
}
