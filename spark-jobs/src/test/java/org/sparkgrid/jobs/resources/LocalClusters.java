package org.sparkgrid.jobs.resources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a test on Spark's {@code local-cluster} master needs: Spark's worker starts executors from a
 * Spark installation, which in tests (the {@code spark.testing} property) it takes from
 * {@code spark.test.home}; a stand-in (a RELEASE file and an empty {@code jars/}) is enough, the
 * executors getting this JVM's class path. Executors also need the JVM flags of
 * {@code conf/jvm.options}.
 */
public final class LocalClusters {
  private LocalClusters() {}

  /** Makes a stand-in Spark home under {@code dir} and points {@code spark.test.home} (and {@code spark.testing}) at it. */
  public static Path standInSparkHome(Path dir) throws IOException {
    Path home = dir.resolve("spark-home");
    Files.createDirectories(home.resolve("jars"));
    Files.writeString(home.resolve("RELEASE"), "Spark 3.5.7 (stand-in for tests)\n");
    System.setProperty("spark.testing", "true");
    System.setProperty("spark.test.home", home.toString());
    return home;
  }

  /** The JVM flags of {@code conf/jvm.options}, for executors' {@code spark.executor.extraJavaOptions}. */
  public static List<String> jvmFlags() throws IOException {
    return Files.readAllLines(Path.of("..", "conf", "jvm.options")).stream()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }
}
