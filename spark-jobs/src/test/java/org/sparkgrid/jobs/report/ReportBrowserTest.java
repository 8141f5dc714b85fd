package org.sparkgrid.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.jobs.cli.SparkGridCli;
import org.sparkgrid.jobs.compute.ComputeJob;
import org.sparkgrid.jobs.compute.SweepRunner;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;
import org.sparkgrid.jobs.tree.FederationRunner;
import org.sparkgrid.jobs.tree.LocalSiteTrainer;

/**
 * The report of a real compute job, a real federation and a real sweep (Spark {@code local[2]}, a
 * tiny synthetic CSV problem), written by {@code sparkgrid report} and opened in headless Chromium:
 * every plot must render. Fails, not skips, without Chromium; {@code bin/sparkgrid test} installs it.
 */
class ReportBrowserTest {
  private static final String[] ACCOUNTS = {"0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
      "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", "0x90f79bf6eb2c4f870365e785982e1f101e93b906"};
  private static final double[][] CENTERS = {{2, 0}, {-1, 1.7}, {-1, -1.7}};
  @TempDir static Path dir;
  private static HeadlessChromium chromium;
  private static JavaSparkContext sc;
  private static SweepRunner.Result sweep;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeAll
  static void runJobs() throws Exception {
    chromium = HeadlessChromium.find(dir.resolve("chromium-profile"));
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("ReportBrowserTest")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
    sc.setLogLevel("ERROR");
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    writeCsv(data.resolve("train.csv"), 600, 1);
    writeCsv(data.resolve("test.csv"), 300, 2);
    writeCsv(data.resolve("validation.csv"), 150, 3);
    List<FederationFile.Site> sites = new java.util.ArrayList<>();
    for (int s = 0; s < 3; s++) {
      Path site = data.resolve("site-" + (s + 1) + ".csv");
      writeCsv(site, 200, 10 + s);
      sites.add(new FederationFile.Site("site-" + (s + 1), "file:" + site, ACCOUNTS[s], 1.0, List.of(),
          new FederationFile.SiteKey.Dev(s + 1)));
    }
    Files.write(data.resolve("federation.json"), new FederationFile(sites, Set.of()).toJson());

    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.store.root", store(),
        "spark.sparkgrid.home", home().toString(), "spark.sparkgrid.engine.jobsPerEpoch", "2"));
    HadoopModelStore models = new HadoopModelStore(store(), sc.hadoopConfiguration());
    HadoopCheckpointStore checkpoints = new HadoopCheckpointStore(store(), sc.hadoopConfiguration());
    new ComputeJob(sc, config, models, checkpoints, ProgressListener.NONE).run(RequestCodec.parse("""
        {"schema": 1, "id": "rep-compute", "model": {"name": "rep-mlp", "architecture": "mlp", "mlp": {"hidden": [8]}},
         "data": {"format": "csv", "train": "file:%s/train.csv", "test": "file:%s/test.csv"},
         "training": {"epochs": 3, "batchSize": 32, "seed": 5, "updater": {"type": "adam", "learningRate": 0.01}},
         "engine": {"workers": 2, "averagingFrequency": 5}}
        """.formatted(data, data)), "rep-compute");
    new FederationRunner(sc, config, models, checkpoints, ProgressListener.NONE, new LocalSiteTrainer())
        .run(RequestCodec.parse("""
            {"schema": 1, "id": "rep-tree", "mode": "tree",
             "model": {"name": "rep-tree", "architecture": "mlp", "mlp": {"hidden": [8]}},
             "data": {"format": "csv", "train": "file:%s/validation.csv", "test": "file:%s/test.csv"},
             "training": {"epochs": 1, "batchSize": 32, "seed": 5, "updater": {"type": "adam", "learningRate": 0.01}},
             "federation": {"sites": "file:%s/federation.json", "rounds": 2, "localEpochs": 1, "minSites": 2,
                            "roundTimeoutMs": 300000, "strategy": {"type": "fedavg"}},
             "reward": {"poolPerRound": "1000", "scoring": "loss-improvement"}}
            """.formatted(data, data, data)), "rep-tree");
    // a sweep of three trials, two at a time; trial 2 fails (a checkpoint is already under its id)
    checkpoints.save("rep-sweep-trial-2", 1, Map.of("stray.bin", out -> out.write(1)));
    sweep = new SweepRunner(sc, config, models, checkpoints, SweepRunner.Listener.NONE, () -> false)
        .run(RequestCodec.parse("""
            {"schema": 1, "id": "rep-sweep", "model": {"name": "rep-sweep", "architecture": "mlp", "mlp": {"hidden": [8]}},
             "data": {"format": "csv", "train": "file:%s/train.csv", "test": "file:%s/test.csv"},
             "training": {"epochs": 2, "batchSize": 32, "seed": 5},
             "engine": {"workers": 1, "averagingFrequency": 5},
             "sweep": {"parameters": {"training.updater.learningRate": [0.001, 0.02, 0.05]}, "maxConcurrent": 2}}
            """.formatted(data, data)), "rep-sweep");
  }

  @AfterAll
  static void stopSpark() {
    if (sc != null) {
      sc.stop();
    }
  }

  @AfterEach
  void clearCliProperties() {
    System.clearProperty("spark.sparkgrid.store.root");
    System.clearProperty("spark.sparkgrid.home");
  }

  private static String store() {
    return dir.resolve("store").toUri().toString();
  }

  private static Path home() {
    return dir.resolve("home");
  }

  /** {@code n} rows {@code label,x,y}: three Gaussian clouds (sd 0.6) that overlap a little. */
  private static void writeCsv(Path file, int n, long seed) throws Exception {
    Random r = new Random(seed);
    StringBuilder csv = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int c = i % 3;
      csv.append(c).append(',').append(CENTERS[c][0] + 0.6 * r.nextGaussian()).append(',')
          .append(CENTERS[c][1] + 0.6 * r.nextGaussian()).append('\n');
    }
    Files.writeString(file, csv);
  }

  /** Runs {@code sparkgrid report JOB --out FILE} against the test's stores. */
  private int report(String job, Path out) {
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return SparkGridCli.execute("report", job, "--out", out.toString(), "--conf", "spark.sparkgrid.store.root=" + store(),
          "--conf", "spark.sparkgrid.home=" + home());
    } finally {
      System.setErr(old);
    }
  }

  @Test
  void computeJobReportRendersEveryPlotInChromium() throws Exception {
    Path page = dir.resolve("out/compute.html");

    int rc = report("rep-compute", page);
    HeadlessChromium.Page loaded = chromium.open(page);

    assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(loaded.images()).extracting(HeadlessChromium.Image::alt)
        .containsExactly("Loss per epoch", "Test accuracy per epoch", "Confusion matrix");
    assertThat(loaded.images()).allSatisfy(img -> {
      assertThat(img.rendered()).as(img.alt()).isTrue();
      assertThat(img.width()).as(img.alt()).isPositive();
      assertThat(img.height()).as(img.alt()).isPositive();
    });
    assertThat(loaded.counted()).isEqualTo(3);
    assertThat(loaded.rendered()).isEqualTo(3);
    assertThat(loaded.dom()).contains("<td>rep-mlp@1</td>", "3 of 3 plots rendered");
  }

  @Test
  void federationReportRendersEveryPlotAndEachSitesReward() throws Exception {
    Path page = dir.resolve("out/tree.html");

    int rc = report("rep-tree", page);
    HeadlessChromium.Page loaded = chromium.open(page);

    assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(loaded.images()).extracting(HeadlessChromium.Image::alt).containsExactly("Test loss per round",
        "Test accuracy per round", "Time per round by phase", "Confusion matrix", "Contribution per site",
        "Reward per site");
    assertThat(loaded.images()).allSatisfy(img -> assertThat(img.rendered() && img.width() > 0).as(img.alt()).isTrue());
    assertThat(loaded.rendered()).isEqualTo(loaded.counted()).isEqualTo(6);
    assertThat(loaded.dom()).contains("<td>site-1</td><td>" + ACCOUNTS[0] + "</td>",
        "<td>rep-tree/round-0</td><td class=\"n\">1,000</td>", "<td>rep-tree/round-1</td><td class=\"n\">1,000</td>");
  }

  @Test
  void sweepReportRanksItsTrialsHighlightsTheRegisteredOneAndRendersEveryPlot() throws Exception {
    Path page = dir.resolve("out/sweep.html");
    int winner = sweep.winner().trial();

    int rc = report("rep-sweep", page);
    HeadlessChromium.Page loaded = chromium.open(page);

    assertThat(rc).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(winner).as("trial 2 failed").isIn(0, 1);
    assertThat(loaded.images()).extracting(HeadlessChromium.Image::alt)
        .containsExactly("Loss per epoch", "Test accuracy per epoch", "Confusion matrix", "Sweep trials");
    assertThat(loaded.images()).allSatisfy(img -> assertThat(img.rendered() && img.width() > 0).as(img.alt()).isTrue());
    assertThat(loaded.rendered()).isEqualTo(loaded.counted()).isEqualTo(4);
    assertThat(loaded.dom()).contains("<td>" + sweep.version().name() + "@" + sweep.version().version() + "</td>",
        "<h2>Sweep leaderboard</h2>",
        "3 trials (grid sweep) ranked by test accuracy (highest first); the best, trial " + winner
            + ", is the registered model.",
        "<tr class=\"best\"><td class=\"n\">1</td><td class=\"n\">" + winner + "</td>",
        "<td class=\"n\">2</td><td class=\"n\">" + (1 - winner) + "</td>",
        "<td>-</td><td class=\"n\">2</td><td>training.updater.learningRate=0.05</td>",
        "<td>failed</td><td>job 'rep-sweep-trial-2' has run before");
  }

  @Test
  void siteRewardsAddUpToThePoolOfEveryRound() throws Exception {
    HadoopModelStore models = new HadoopModelStore(store(), sc.hadoopConfiguration());
    ReportInputs in = new JobReport(models, new HadoopCheckpointStore(store(), sc.hadoopConfiguration()), store(),
        null, "none").find("rep-tree");

    SiteRewards sr = SiteRewards.of("rep-tree", in.lineage(), in.request());

    assertThat(sr.notes()).isEmpty();
    assertThat(sr.sites()).hasSize(3);
    assertThat(sr.sites().stream().map(SiteRewards.Site::reward).reduce(java.math.BigInteger.ZERO,
        java.math.BigInteger::add)).isEqualTo(java.math.BigInteger.valueOf(2000));
  }

  @Test
  void anImageThatDoesNotDecodeIsReportedAsNotRendered() throws Exception {
    Path good = dir.resolve("out/control.html");
    assertThat(report("rep-compute", good)).isZero();
    String html = Files.readString(good);
    int at = html.indexOf("data:image/png;base64,") + "data:image/png;base64,".length();
    Path broken = dir.resolve("out/broken.html");
    Files.writeString(broken, html.substring(0, at) + "AAAA" + html.substring(at + 4 * 64));

    HeadlessChromium.Page loaded = chromium.open(broken);

    assertThat(loaded.images()).extracting(HeadlessChromium.Image::rendered).containsExactly(false, true, true);
    assertThat(loaded.rendered()).isEqualTo(2);
  }

  @Test
  void theScreenshotShowsThePlots() throws Exception {
    Path page = dir.resolve("out/shot.html");
    assertThat(report("rep-compute", page)).isZero();
    Path png = dir.resolve("out/shot.png");

    chromium.screenshot(page, png, 1000, 1400);

    BufferedImage shot = ImageIO.read(png.toFile());
    long colours = IntStream.range(0, shot.getWidth() * shot.getHeight())
        .map(i -> shot.getRGB(i % shot.getWidth(), i / shot.getWidth())).distinct().count();
    assertThat(shot.getWidth()).isEqualTo(1000);
    assertThat(colours).as("a blank page has a handful of colours; plots and text have many").isGreaterThan(200);
  }
}
