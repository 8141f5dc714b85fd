package org.sparkgrid.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input ends with exit status 2 and one line that says what to fix, before any Spark starts. */
class SparkGridCliTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream oldErr;
  private PrintStream oldOut;

  @BeforeEach
  void capture() {
    oldErr = System.err;
    oldOut = System.out;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(oldErr);
    System.setOut(oldOut);
    System.clearProperty("spark.sparkgrid.store.root");
  }

  private String errText() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void missingRequestFile() {
    int rc = SparkGridCli.execute("train", "--request", dir.resolve("nope.json").toString());

    assertThat(rc).isEqualTo(2);
    assertThat(errText()).startsWith("sparkgrid: --request " + dir.resolve("nope.json") + ": no such file");
  }

  @Test
  void invalidRequestNamesTheField() throws Exception {
    Path req = dir.resolve("bad.json");
    Files.writeString(req, """
        {"schema": 1, "id": "x", "model": {"name": "m", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:/tmp/train"},
         "training": {"epochs": 1, "batchSize": 0}}
        """);

    int rc = SparkGridCli.execute("train", "--request", req.toString());

    assertThat(rc).isEqualTo(2);
    assertThat(errText().strip()).isEqualTo("sparkgrid: training.batchSize: must be between 1 and 65536, got 0");
  }

  @Test
  void requestAndResumeAreExclusive() {
    int rc = SparkGridCli.execute("train", "--request", "a.json", "--resume", "job");

    assertThat(rc).isEqualTo(2);
    assertThat(errText()).contains("mutually exclusive");
  }

  @Test
  void unknownSparkGridKeyIsRefused() {
    int rc = SparkGridCli.execute("models", "--conf", "spark.sparkgrid.engine.jobsPerEpok=2");

    assertThat(rc).isEqualTo(2);
    assertThat(errText()).contains("spark.sparkgrid.engine.jobsPerEpok").contains("spark.sparkgrid.engine.jobsPerEpoch");
    System.clearProperty("spark.sparkgrid.engine.jobsPerEpok");
  }

  @Test
  void modelsOnAnEmptyStoreSaysHowToStart() {
    int rc = SparkGridCli.execute("models", "--conf", "spark.sparkgrid.store.root=" + dir.toUri());

    assertThat(rc).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("no models in").contains("bin/sparkgrid quickstart");
  }

  @Test
  void unknownModelNameIsBadInput() {
    int rc = SparkGridCli.execute("models", "nope", "--conf", "spark.sparkgrid.store.root=" + dir.toUri());

    assertThat(rc).isEqualTo(2);
    assertThat(errText()).startsWith("sparkgrid: no model named 'nope'");
  }
  @Test
  void federateWithMinSitesAboveItsSitesExitsTwoBeforeSparkAndLeavesNoRun() throws Exception {
    String data = "file:" + dir.resolve("tiny");
    org.sparkgrid.jobs.data.IdxWriter.write(new org.apache.hadoop.conf.Configuration(), data,
        org.sparkgrid.jobs.data.ExampleShard.of(new int[] {1, 2, 2}, new float[8], new int[] {0, 1}), new int[] {0, 1});
    Path fed = Files.write(dir.resolve("sites.json"), new org.sparkgrid.federation.sites.FederationFile(java.util.List.of(
        new org.sparkgrid.federation.sites.FederationFile.Site("s1", data, "0x" + "1".repeat(40), 1.0, java.util.List.of()),
        new org.sparkgrid.federation.sites.FederationFile.Site("s2", data, "0x" + "2".repeat(40), 1.0, java.util.List.of())),
        java.util.Set.of()).toJson());
    Path req = Files.writeString(dir.resolve("tree.json"), """
        {"schema": 1, "id": "fed-too-few", "mode": "tree", "model": {"name": "m", "architecture": "mlp"},
         "data": {"format": "idx", "train": "%s"}, "training": {"epochs": 1},
         "federation": {"sites": "file:%s", "rounds": 2, "minSites": 3}}
        """.formatted(data, fed));
    Path home = dir.resolve("home");

    int rc = SparkGridCli.execute("federate", "--request", req.toString(), "--conf", "spark.sparkgrid.home=" + home);

    assertThat(rc).isEqualTo(2);
    assertThat(errText().strip()).isEqualTo("sparkgrid: federation.minSites: must be at most the 2 sites of file:" + fed
        + ", got 3");
    assertThat(errText().strip().lines()).hasSize(1);
    assertThat(home.resolve("store/runs/fed-too-few")).doesNotExist();
    assertThat(home.resolve("store/runs")).doesNotExist();
    System.clearProperty("spark.sparkgrid.home");
  }
}
