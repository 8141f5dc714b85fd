package org.sparkgrid.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.core.store.ArtifactWriter;
import org.sparkgrid.core.store.ModelArtifacts;
import org.sparkgrid.federation.round.RoundState;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.jobs.cli.SparkGridCli;
import org.sparkgrid.jobs.compute.ComputeJob;
import org.sparkgrid.jobs.run.JobRuns;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;
import org.sparkgrid.jobs.tree.FederationRunner;

/**
 * How a job id leads to its report: the job store's result, a version whose lineage names the job,
 * or the run files of a job that registered nothing. Real stores on the local file system and a
 * real H2 job store.
 */
class JobReportTest {
  @TempDir Path dir;

  @AfterEach
  void clearCliProperties() {
    System.clearProperty("spark.sparkgrid.store.root");
    System.clearProperty("spark.sparkgrid.home");
  }

  private String root() {
    return dir.resolve("store").toUri().toString();
  }

  private HadoopModelStore models() {
    return new HadoopModelStore(root(), new Configuration());
  }

  private HadoopCheckpointStore checkpoints() {
    return new HadoopCheckpointStore(root(), new Configuration());
  }

  private JobReport report() {
    return new JobReport(models(), checkpoints(), root(), null, "no job store here");
  }

  private static TrainingRequest request(String id, String model, String mode) {
    String tree = mode.equals("tree") ? """
        , "federation": {"sites": "file:/tmp/fed.json", "rounds": 3, "minSites": 1}""" : "";
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s", "mode": "%s", "model": {"name": "%s", "architecture": "mlp"},
         "data": {"format": "csv", "train": "file:/tmp/train.csv"}, "training": {"epochs": 2}%s}
        """.formatted(id, mode, model, tree));
  }

  private void publish(String model, String job, double accuracy) {
    models().publish(model, ModelArtifacts.builder().model(out -> out.write(1))
        .metrics(Map.of("accuracy", accuracy, "epochs", List.of(Map.of("epoch", 1, "trainLoss", 0.5, "examples", 10))))
        .lineage(Map.of("job", job, "request", Map.of("id", job, "mode", "compute"))).build());
  }

  @Test
  void theVersionWhoseLineageNamesTheJobIsFound() throws Exception {
    publish("m", "job-a", 0.5);
    publish("m", "job-b", 0.6);
    publish("other", "job-a2", 0.7);
    checkpoints().putRunFile("job-a", "request.json", out -> out.write(RequestCodec.write(request("job-a", "m", "compute"))));

    ReportInputs a = report().find("job-a");
    ReportInputs b = report().find("job-b");

    assertThat(a.model()).isEqualTo("m@1");
    assertThat(a.metrics()).containsEntry("accuracy", 0.5);
    assertThat(a.location()).endsWith("/store/models/m/1");
    assertThat(b.model()).as("no request recorded: every model is searched").isEqualTo("m@2");
  }

  @Test
  void theJobStoresResultNamesTheVersion() throws Exception {
    publish("m", "job-s", 0.5);
    publish("m", "job-s", 0.9);
    Path home = dir.resolve("home");
    try (JobStore jobs = JdbcJobStore.openH2(home.resolve("jobs"))) {
      jobs.enqueue(request("job-s", "m", "compute"), null);
      jobs.start("job-s");
      jobs.succeed("job-s", "{\"model\":\"m\",\"version\":1}");
    }
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.store.root", root(),
        "spark.sparkgrid.home", home.toString()));

    Path page = JobReport.write("job-s", config, new Configuration(), JobReport.defaultPath(config, "job-s"));

    assertThat(page).isEqualTo(home.resolve("reports/report-job-s.html"));
    assertThat(Files.readString(page)).contains("<td>m@1</td>", "job store: SUCCEEDED");
  }

  @Test
  void aComputeJobWithoutARegisteredModelIsReportedFromItsLatestCheckpoint() throws Exception {
    JobRuns.start(checkpoints(), "job-c", request("job-c", "m", "compute"));
    checkpoints().save("job-c", 4, Map.of(ComputeJob.STATE_JSON, ArtifactWriter.ofUtf8("""
        {"epoch": 1, "step": 0, "history": [{"epoch": 1, "trainLoss": 0.8, "examples": 40}]}""")));

    ReportInputs in = report().find("job-c");

    assertThat(in.model()).isNull();
    assertThat(in.mode()).isEqualTo("compute");
    assertThat(JsonValues.maps(in.metrics(), "epochs")).hasSize(1);
    assertThat(in.notes()).anySatisfy(n -> assertThat(n).contains("no registered model yet", "step 4"));
    assertThat(ReportPage.html(in)).contains("<td>not registered</td>", "Loss per epoch");
  }

  @Test
  void aTreeJobWithoutARegisteredModelShowsItsRoundsAndContributionsSoFar() throws Exception {
    JobRuns.start(checkpoints(), "job-t", request("job-t", "m", "tree"));
    RoundState state = RoundState.initial(new float[] {0f, 1f})
        .withContributions(List.of(new Contribution(0, "site-1", 30, 1.0, 0.2, Double.NaN)));
    checkpoints().save("job-t", 1, Map.of(FederationRunner.STATE_JSON, out -> out.write(state.toJson()),
        FederationRunner.ROUNDS_JSON, ArtifactWriter.ofUtf8("[{\"round\": 0, \"testAccuracy\": 0.4, \"testLoss\": 1.2}]")));

    ReportInputs in = report().find("job-t");

    assertThat(in.mode()).isEqualTo("tree");
    assertThat(JsonValues.maps(in.metrics(), "rounds")).hasSize(1);
    assertThat(SiteRewards.of("job-t", in.lineage(), in.request()).sites()).extracting(SiteRewards.Site::id)
        .containsExactly("site-1");
    assertThat(in.notes()).anySatisfy(n -> assertThat(n).contains("figures up to round 1"));
  }

  @Test
  void anUnknownJobNamesTheJobAndWhereItLooked() {
    publish("m", "job-a", 0.5);

    assertThatThrownBy(() -> report().find("job-x"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageStartingWith("no job 'job-x': no job store here; no model version in " + root())
        .hasMessageContaining("runs/job-x/request.json");
  }

  @Test
  void theCommandLineExitsWith2AndOneLineForAnUnknownJob() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = SparkGridCli.execute("report", "job-x", "--conf", "spark.sparkgrid.store.root=" + root(),
          "--conf", "spark.sparkgrid.home=" + dir.resolve("home"));
    } finally {
      System.setErr(old);
    }

    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(rc).isEqualTo(2);
    assertThat(text.lines()).hasSize(1);
    assertThat(text).startsWith("sparkgrid: no job 'job-x': no job store (jdbc:h2:file:" + dir.resolve("home"))
        .contains("no model version in " + root());
    assertThat(dir.resolve("home/jobs")).as("a report creates no job store").doesNotExist();
  }

  @Test
  void outMayNameADirectory() throws Exception {
    publish("m", "job-a", 0.5);
    Path out = Files.createDirectories(dir.resolve("pages"));
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.store.root", root(),
        "spark.sparkgrid.home", dir.resolve("home").toString()));

    Path page = JobReport.write("job-a", config, new Configuration(), out);

    assertThat(page).isEqualTo(out.resolve("report-job-a.html"));
    assertThat(Files.list(out)).containsExactly(page);
  }
}
