package org.sparkgrid.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application jar as a cluster runs it: Spark's own {@code SparkSubmit} (what the
 * {@code spark-submit} script starts) in a child JVM whose classpath is only what a Spark
 * installation provides, with {@code --class org.sparkgrid.jobs.TrainJob} and the shaded jar.
 * Catches what unit tests cannot: a class missing from the jar, a broken service file (ND4J finds
 * its backend through ServiceLoader), a dependency that clashes with Spark's.
 */
class AppJarIT {
  private static final String FMNIST = "/usr/share/datasets/fashion-mnist";

  @TempDir Path dir;

  /**
   * The jars of a Spark installation: spark-core and spark-sql with their own dependencies at the
   * versions Spark's build pins (spark-parent's dependencyManagement), resolved by Maven from a pom
   * that names nothing else.
   */
  private String sparkInstallationClasspath() throws Exception {
    Path pom = dir.resolve("spark-install/pom.xml");
    Files.createDirectories(pom.getParent());
    Files.writeString(pom, """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>it</groupId><artifactId>spark-install</artifactId><version>1</version>
          <dependencyManagement><dependencies>
            <dependency><groupId>org.apache.spark</groupId><artifactId>spark-parent_2.12</artifactId>
              <version>%1$s</version><type>pom</type><scope>import</scope></dependency>
          </dependencies></dependencyManagement>
          <dependencies>
            <dependency><groupId>org.apache.spark</groupId><artifactId>spark-core_2.12</artifactId><version>%1$s</version></dependency>
            <dependency><groupId>org.apache.spark</groupId><artifactId>spark-sql_2.12</artifactId><version>%1$s</version></dependency>
          </dependencies>
        </project>
        """.formatted(org.apache.spark.package$.MODULE$.SPARK_VERSION()));
    Path out = dir.resolve("spark-install/classpath.txt");
    Process mvn = new ProcessBuilder("mvn", "-B", "-q", "-f", pom.toString(),
        "dependency:build-classpath", "-Dmdep.outputFile=" + out)
        .redirectErrorStream(true).redirectOutput(dir.resolve("spark-install/mvn.log").toFile()).start();
    assertThat(mvn.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(mvn.exitValue()).as(Files.readString(dir.resolve("spark-install/mvn.log"))).isZero();
    return Files.readString(out).strip();
  }

  @Test
  void sparkSubmitTrainsARequestFromTheAppJar() throws Exception {
    assumeTrue(Files.exists(Path.of(FMNIST, "train-images-idx3-ubyte.gz")), "Fashion-MNIST missing");
    Path target = Path.of("target");
    File appJar = Files.list(target).map(Path::toFile)
        .filter(f -> f.getName().endsWith("-app.jar")).findFirst().orElseThrow();
    String sparkClasspath = sparkInstallationClasspath();
    Path request = dir.resolve("request.json");
    Files.writeString(request, """
        {"schema": 1, "id": "app-jar-it",
         "model": {"name": "app-jar-it", "architecture": "mlp", "mlp": {"hidden": [32]}},
         "data": {"format": "idx", "train": "file:%s/train", "test": "file:%s/t10k", "limit": 1000},
         "training": {"epochs": 1, "batchSize": 50, "seed": 1},
         "engine": {"workers": 2, "averagingFrequency": 4}}
        """.formatted(FMNIST, FMNIST));

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx2g");
    for (String flag : Files.readAllLines(Path.of("..", "conf", "jvm.options"))) {
      if (!flag.isBlank() && !flag.startsWith("#")) {
        cmd.add(flag.strip());
      }
    }
    cmd.addAll(List.of("-cp", sparkClasspath, "org.apache.spark.deploy.SparkSubmit",
        "--master", "local[2]", "--class", "org.sparkgrid.jobs.TrainJob",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.sparkgrid.store.root=" + dir.resolve("store").toUri(),
        "--conf", "spark.sparkgrid.progress.enabled=false",
        appJar.getAbsolutePath(), "--request", request.toString()));
    Path log = dir.resolve("spark-submit.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done = p.waitFor(5, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(log);

    assertThat(done).as("spark-submit finished within 5 minutes:%n%s", out).isTrue();
    assertThat(p.exitValue()).as("spark-submit exit status:%n%s", out).isZero();
    assertThat(out).contains("model app-jar-it@1 registered at");
    assertThat(dir.resolve("store/models/app-jar-it/1/model.zip")).exists();
  }
}
