package org.sparkgrid.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobStore;

/**
 * {@code bin/sparkgrid exclude-site JOB SITE} refuses, before anything reaches the control topic,
 * what the service would refuse, with exit status 2 and one line that says why. Real job store (H2
 * file), real federation file; no broker is needed to refuse.
 */
class ExcludeSiteCommandTest {
  private static final String ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  @TempDir Path dir;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldErr;
  private JobStore store;
  private String[] conf;

  @BeforeEach
  void setUp() throws Exception {
    oldErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    Path fed = dir.resolve("federation.json");
    Files.write(fed, new FederationFile(List.of(
        new FederationFile.Site("site-01", "file:/s1", ACCOUNT, 1.0, List.of()),
        new FederationFile.Site("site-02", "file:/s2", ACCOUNT, 1.0, List.of()),
        new FederationFile.Site("site-03", "file:/s3", ACCOUNT, 1.0, List.of())), Set.of()).toJson());
    store = JdbcJobStore.openH2(dir.resolve("jobs"));
    store.enqueue(RequestCodec.parse(tree("fed-queued", fed, 2)), null);
    store.enqueue(RequestCodec.parse(tree("fed-done", fed, 1)), null);
    store.start("fed-done");
    store.succeed("fed-done", "{}");
    store.enqueue(RequestCodec.parse("""
        {"schema": 1, "id": "compute-1", "model": {"name": "m", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:/d/train"}, "training": {"epochs": 1}}"""), null);
    conf = new String[] {"--conf", "spark.sparkgrid.jobs.jdbcUrl=" + JdbcJobStore.h2Url(dir.resolve("jobs")),
        "--conf", "spark.sparkgrid.store.root=" + dir.resolve("store").toUri(),
        "--conf", "spark.sparkgrid.kafka.bootstrapServers=127.0.0.1:1"};
  }

  @AfterEach
  void tearDown() {
    System.setErr(oldErr);
    store.close();
    for (String key : List.of("spark.sparkgrid.jobs.jdbcUrl", "spark.sparkgrid.store.root",
        "spark.sparkgrid.kafka.bootstrapServers")) {
      System.clearProperty(key);
    }
  }

  private static String tree(String id, Path federation, int minSites) {
    return """
        {"schema": 1, "id": "%s", "mode": "tree", "model": {"name": "m", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:/d/train"}, "training": {"epochs": 1},
         "federation": {"sites": "file:%s", "rounds": 3, "minSites": %d}}""".formatted(id, federation, minSites);
  }

  private int excludeSite(String job, String site) {
    String[] args = new String[conf.length + 3];
    args[0] = "exclude-site";
    args[1] = job;
    args[2] = site;
    System.arraycopy(conf, 0, args, 3, conf.length);
    return SparkGridCli.execute(args);
  }

  /** The last line on stderr (the first Hadoop call of the JVM may log a warning before it). */
  private String errLine() {
    List<String> lines = err.toString(StandardCharsets.UTF_8).strip().lines().toList();
    return lines.get(lines.size() - 1);
  }

  @Test
  void anUnknownJob() {
    assertThat(excludeSite("nope", "site-01")).isEqualTo(2);
    assertThat(errLine()).isEqualTo("sparkgrid: exclude-site: no job 'nope' in the job store");
  }

  @Test
  void anUnknownSite() {
    assertThat(excludeSite("fed-queued", "site-09")).isEqualTo(2);
    assertThat(errLine()).isEqualTo("sparkgrid: exclude-site: job 'fed-queued' has no site 'site-09' (sites: [site-01,"
        + " site-02, site-03])");
  }

  @Test
  void aComputeJob() {
    assertThat(excludeSite("compute-1", "site-01")).isEqualTo(2);
    assertThat(errLine()).isEqualTo("sparkgrid: exclude-site: job 'compute-1' is a compute-mode job; sites exist only in"
        + " tree-mode (federated) jobs");
  }

  @Test
  void aFinishedJob() {
    assertThat(excludeSite("fed-done", "site-01")).isEqualTo(2);
    assertThat(errLine()).isEqualTo("sparkgrid: exclude-site: job 'fed-done' is SUCCEEDED; a site can be excluded only"
        + " from a queued or running job");
  }

  @Test
  void tooFewSitesLeftForMinSites() {
    new org.sparkgrid.jobs.tree.SiteExclusions(new org.sparkgrid.jobs.store.HadoopCheckpointStore(
        dir.resolve("store").toUri().toString(), new org.apache.hadoop.conf.Configuration())).exclude("fed-queued", "site-01");

    assertThat(excludeSite("fed-queued", "site-02")).isEqualTo(2);
    assertThat(errLine()).isEqualTo("sparkgrid: exclude-site: excluding 'site-02' would leave job 'fed-queued' 1 site,"
        + " fewer than its minSites 2");
  }

  @Test
  void aSiteAlreadyExcludedIsSaidSoAndNothingIsSent() {
    new org.sparkgrid.jobs.tree.SiteExclusions(new org.sparkgrid.jobs.store.HadoopCheckpointStore(
        dir.resolve("store").toUri().toString(), new org.apache.hadoop.conf.Configuration())).exclude("fed-queued", "site-01");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = excludeSite("fed-queued", "site-01");   // the broker at 127.0.0.1:1 does not exist: nothing may be sent
    } finally {
      System.setOut(oldOut);
    }

    assertThat(rc).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo("site-01 is already excluded from fed-queued");
  }
}
