package org.sparkgrid.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.request.RewardSpec;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.core.sweep.Leaderboard;
import org.sparkgrid.core.sweep.TrialOutcome;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.jobs.tree.TreeRewards;
import org.sparkgrid.settlement.ledger.SettlementPlan;

/** The page built from hand-made metrics and lineage maps, as the stores would hold them. */
class ReportPageTest {
  private static final Pattern IMG = Pattern.compile("<img alt=\"([^\"]*)\" src=\"data:image/png;base64,([^\"]+)\">");
  private static final String A = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
  private static final String B = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";

  /** alt text to decoded image, in page order. */
  private static Map<String, BufferedImage> images(String html) throws IOException {
    Map<String, BufferedImage> out = new LinkedHashMap<>();
    Matcher m = IMG.matcher(html);
    while (m.find()) {
      out.put(m.group(1), ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(2)))));
    }
    return out;
  }

  private static Map<String, Object> epoch(int n, double trainLoss, Double testLoss, Double testAccuracy) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("epoch", n);
    e.put("trainLoss", trainLoss);
    if (testLoss != null) {
      e.put("testLoss", testLoss);
      e.put("testAccuracy", testAccuracy);
    }
    e.put("examples", 600);
    e.put("trainSeconds", 2.0);
    e.put("examplesPerSecond", 300.0);
    return e;
  }

  private static Map<String, Object> computeMetrics() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("accuracy", 0.8);
    m.put("loss", 0.52);
    m.put("epochs", List.of(epoch(1, 1.1, 0.9, 0.6), epoch(2, 0.7, 0.6, 0.75), epoch(3, 0.5, 0.52, 0.8)));
    m.put("trainSeconds", 6.0);
    m.put("examplesPerSecond", 300.0);
    m.put("evaluation", Map.of("accuracy", 0.8, "loss", 0.52, "examples", 10, "macroF1", 0.79,
        "precision", List.of(1.0, 0.75, 0.6667), "recall", List.of(0.75, 1.0, 0.6667),
        "f1", List.of(0.857, 0.857, 0.6667), "confusion", List.of(List.of(3, 0, 1), List.of(0, 3, 0), List.of(0, 1, 2))));
    return m;
  }

  private static ReportInputs compute(Map<String, Object> metrics) {
    return new ReportInputs("job-1", "mlp@2", "file:/store/models/mlp/2", metrics,
        Map.of("job", "job-1", "engine", "sparkgrid", "sparkMaster", "local[2]", "createdAt", "2025-01-01T00:00:00Z"),
        Map.of("id", "job-1", "mode", "compute", "training", Map.of("epochs", 3)), List.of());
  }

  @Test
  void computeJobHasLossAndAccuracyPerEpochAndTheConfusionMatrix() throws Exception {
    String html = ReportPage.html(compute(computeMetrics()));

    Map<String, BufferedImage> images = images(html);
    assertThat(images.keySet()).containsExactly("Loss per epoch", "Test accuracy per epoch", "Confusion matrix");
    assertThat(images.values()).allSatisfy(img -> assertThat(img.getWidth()).isGreaterThan(200));
    assertThat(html).contains("<tr><th>model</th><td>mlp@2</td></tr>", "<tr><th>test accuracy</th><td>0.8000</td></tr>",
        "<tr><th>training time</th><td>6.0 s</td></tr>", "<tr><th>epochs</th><td>3</td></tr>");
    // per-class row: class 0 has 3 + 0 + 1 = 4 test examples
    assertThat(html).contains("<td class=\"n\">0</td><td class=\"n\">1.0000</td><td class=\"n\">0.7500</td>"
        + "<td class=\"n\">0.8570</td><td class=\"n\">4</td>");
    assertThat(html).doesNotContain("Sites: contributions", "Sweep leaderboard");
  }

  @Test
  void confusionMatrixCellsAreShadedByCount() throws Exception {
    BufferedImage m = images(ReportPage.html(compute(computeMetrics()))).get("Confusion matrix");

    // the heat map's cells differ in colour: a blank or single-colour image would have few
    long colours = java.util.stream.IntStream.range(0, m.getWidth() * m.getHeight())
        .map(i -> m.getRGB(i % m.getWidth(), i / m.getWidth())).distinct().count();
    assertThat(colours).isGreaterThan(20);
  }

  @Test
  void withoutATestSetThereIsNoConfusionMatrixAndOnlyTheTrainingLoss() throws Exception {
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("epochs", List.of(epoch(1, 1.1, null, null), epoch(2, 0.8, null, null)));

    String html = ReportPage.html(compute(metrics));

    assertThat(images(html).keySet()).containsExactly("Loss per epoch");
    assertThat(html).contains("Test accuracy per epoch: nothing recorded to plot.",
        "No test evaluation: the request has no test set");
    assertThat(html).doesNotContain("<tr><th>test accuracy</th>");
  }

  private static Map<String, Object> contribution(int round, String site, long examples, double share, double loss) {
    return new Contribution(round, site, examples, share, loss, Double.NaN).toMap();
  }

  private static Map<String, Object> round(int r, double acc, double loss, Map<String, String> rejected) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("round", r);
    m.put("testAccuracy", acc);
    m.put("testLoss", loss);
    m.put("selected", List.of("site-a", "site-b"));
    m.put("accepted", rejected.isEmpty() ? List.of("site-a", "site-b") : List.of("site-a"));
    m.put("rejected", rejected);
    m.put("seconds", 1.5);
    m.put("slowestSiteSeconds", 1.2);
    return m;
  }

  /** Round 0: a 0.3, b 0.1 -> 75 / 25 of 100; round 1: a 0.2, b -0.1 (counts 0) -> 100 / 0. */
  private static ReportInputs tree(boolean rightTotals) {
    List<Map<String, Object>> contributions = List.of(contribution(0, "site-a", 300, 0.6, 0.3),
        contribution(0, "site-b", 200, 0.4, 0.1), contribution(1, "site-a", 300, 0.6, 0.2),
        contribution(1, "site-b", 200, 0.4, -0.1));
    List<SettlementPlan> plans = TreeRewards.plans("fed-1", new FederationFile(List.of(
        new FederationFile.Site("site-a", "", A, 1, List.of()), new FederationFile.Site("site-b", "", B, 1, List.of())),
        java.util.Set.of()), contributions.stream().map(Contribution::fromMap).toList(),
        new RewardSpec("100", "loss-improvement"));
    List<Map<String, Object>> payouts = new ArrayList<>();
    for (SettlementPlan p : plans) {
      payouts.add(Map.of("name", p.name(), "root", p.root().toString(),
          "total", rightTotals ? p.total().toString() : "99"));
    }
    Map<String, Object> lineage = new LinkedHashMap<>();
    lineage.put("job", "fed-1");
    lineage.put("mode", "tree");
    lineage.put("sites", List.of(Map.of("id", "site-a", "account", A), Map.of("id", "site-b", "account", B)));
    lineage.put("strategy", "fedavg");
    lineage.put("contributions", contributions);
    lineage.put("payouts", payouts);
    Map<String, Object> metrics = Map.of("accuracy", 0.7, "loss", 0.8, "rounds",
        List.of(round(0, 0.6, 1.0, Map.of()), round(1, 0.7, 0.8, Map.of("site-b", "missed the round deadline"))));
    Map<String, Object> request = Map.of("id", "fed-1", "mode", "tree",
        "reward", Map.of("poolPerRound", "100", "scoring", "loss-improvement"));
    return new ReportInputs("fed-1", "fed@1", "file:/store/models/fed/1", metrics, lineage, request, List.of());
  }

  @Test
  void treeJobHasRoundsAndEachSitesContributionAndReward() throws Exception {
    ReportInputs in = tree(true);

    String html = ReportPage.html(in);
    SiteRewards sr = SiteRewards.of("fed-1", in.lineage(), in.request());

    assertThat(images(html).keySet()).containsExactly("Test loss per round", "Test accuracy per round",
        "Contribution per site", "Reward per site");
    assertThat(sr.notes()).isEmpty();
    assertThat(sr.sites()).extracting(SiteRewards.Site::id, SiteRewards.Site::rounds, SiteRewards.Site::examples,
        SiteRewards.Site::reward).containsExactly(
            org.assertj.core.groups.Tuple.tuple("site-a", 2, 600L, BigInteger.valueOf(175)),
            org.assertj.core.groups.Tuple.tuple("site-b", 2, 400L, BigInteger.valueOf(25)));
    assertThat(sr.sites().get(0).lossImprovement()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(html).contains("<td>site-a</td><td>" + A + "</td>", "<td class=\"n\">175</td>",
        "site-b (missed the round deadline)", "Payouts recorded (no chain configured: nothing was paid)",
        "<td>fed-1/round-1</td><td class=\"n\">100</td>");
    assertThat(html).doesNotContain("Confusion matrix\"");
  }

  @Test
  void aDpFedAvgJobShowsTheEpsilonSpentEachRoundAndInAll() {
    // Prepare: the tree fixture with epsilon 1.25 after round 1 and 2.5 after round 2
    ReportInputs in = tree(true);
    List<Map<String, Object>> rounds = new ArrayList<>();
    double[] epsilons = {1.25, 2.5};
    for (Map<String, Object> r : JsonValues.maps(in.metrics(), "rounds")) {
      Map<String, Object> withEpsilon = new LinkedHashMap<>(r);
      withEpsilon.put("epsilon", epsilons[rounds.size()]);
      rounds.add(withEpsilon);
    }
    Map<String, Object> metrics = new LinkedHashMap<>(in.metrics());
    metrics.put("rounds", rounds);

    // Execute
    String dp = ReportPage.html(new ReportInputs("fed-1", "fed@1", "x", metrics, in.lineage(), in.request(), List.of()));
    String plain = ReportPage.html(in);

    // Assert: the summary's last epsilon, an epsilon column; neither without privacy accounting
    assertThat(dp).contains("<tr><th>privacy spent (epsilon)</th><td>2.5000</td></tr>", "<th>epsilon</th>",
        "<td class=\"n\">1.2500</td>");
    assertThat(plain).doesNotContain("epsilon");
  }

  @Test
  void eachRoundsPhaseSplitIsAStackedChartAndATableWithTheCoordinatorsShare() throws Exception {
    // Prepare: round 1 coordinator 30+40+20+10+0 of 1000 ms (10 %), round 2 50+50+0+0+100 of 1000 ms
    // (20 %), round 3 written before phases were recorded
    ReportInputs in = tree(true);
    List<Map<String, Object>> rounds = new ArrayList<>();
    List<Map<String, Double>> phases = List.of(
        Map.of("sites", 900.0, "merge", 30.0, "scoring", 40.0, "evaluation", 20.0, "checkpoint", 10.0,
            "settlement", 0.0),
        Map.of("sites", 800.0, "merge", 50.0, "scoring", 50.0, "evaluation", 0.0, "checkpoint", 0.0,
            "settlement", 100.0));
    for (Map<String, Object> r : JsonValues.maps(in.metrics(), "rounds")) {
      Map<String, Object> withPhases = new LinkedHashMap<>(r);
      withPhases.put("phasesMs", phases.get(rounds.size()));
      rounds.add(withPhases);
    }
    rounds.add(round(2, 0.75, 0.7, Map.of()));
    Map<String, Object> metrics = new LinkedHashMap<>(in.metrics());
    metrics.put("rounds", rounds);

    // Execute
    String html = ReportPage.html(new ReportInputs("fed-1", "fed@1", "x", metrics, in.lineage(), in.request(),
        List.of()));
    String without = ReportPage.html(in);

    // Assert
    assertThat(images(html)).containsKey("Time per round by phase");
    assertThat(images(html).get("Time per round by phase").getWidth()).isEqualTo(ReportCharts.WIDTH);
    assertThat(html).contains("<h3>Where each round's time went</h3>",
        "<tr><th>round</th><th>sites ms</th><th>merge ms</th><th>scoring ms</th><th>evaluation ms</th>"
            + "<th>checkpoint ms</th><th>settlement ms</th><th>coordinator share</th></tr>",
        "<tr><td class=\"n\">1</td><td class=\"n\">900</td><td class=\"n\">30</td><td class=\"n\">40</td>"
            + "<td class=\"n\">20</td><td class=\"n\">10</td><td class=\"n\">0</td><td>10.0 %</td></tr>",
        "<tr><td class=\"n\">2</td><td class=\"n\">800</td><td class=\"n\">50</td><td class=\"n\">50</td>"
            + "<td class=\"n\">0</td><td class=\"n\">0</td><td class=\"n\">100</td><td>20.0 %</td></tr>",
        "checkpoint: the time the round loop waited for the checkpoint (written in the background");
    assertThat(html.split(" %</td></tr>", -1)).as("two rows in the phase table: round 3 has no phases").hasSize(3);
    assertThat(without).doesNotContain("Where each round's time went", "Time per round by phase");
  }

  @Test
  void aRecordedTotalThatDiffersFromTheRecomputedPlanIsReported() {
    ReportInputs in = tree(false);

    String html = ReportPage.html(in);

    assertThat(html).contains("fed-1/round-0: lineage.json records total 99", "but recomputing the plan gives 100");
  }

  @Test
  void settlementsOnChainShowTheirTransactions() {
    ReportInputs in = tree(true);
    Map<String, Object> lineage = new LinkedHashMap<>(in.lineage());
    List<Map<String, Object>> settled = new ArrayList<>();
    for (Map<String, Object> p : JsonValues.maps(lineage, "payouts")) {
      Map<String, Object> s = new LinkedHashMap<>(p);
      s.put("transactionHash", "0xabc" + settled.size());
      settled.add(s);
    }
    lineage.remove("payouts");
    lineage.put("settlements", settled);

    String html = ReportPage.html(new ReportInputs("fed-1", "fed@1", "x", in.metrics(), lineage, in.request(), List.of()));

    assertThat(html).contains("Settled on chain, one transaction per round:", "<td>0xabc1</td>");
  }

  @Test
  void treeJobWithoutRewardSectionShowsContributionsOnly() throws Exception {
    ReportInputs in = tree(true);

    String html = ReportPage.html(new ReportInputs("fed-1", "fed@1", "x", in.metrics(), in.lineage(),
        Map.of("mode", "tree"), List.of()));

    assertThat(images(html).keySet()).contains("Contribution per site").doesNotContain("Reward per site");
    assertThat(html).contains("The request has no <code>reward</code> section");
  }

  private static final String DIVERGED = "training diverged: loss is NaN at epoch 1";

  private static TrialOutcome trial(int n, double lr, double accuracy, double loss) {
    return TrialOutcome.succeeded(n, "sw-1-trial-" + n, Map.of("training.updater.learningRate", lr),
        Map.of("accuracy", accuracy, "loss", loss, "trainSeconds", 2.0));
  }

  /** Four trials, trial 2 failed; as a sweep registers them: metrics.json's {@code sweep}, through JSON. */
  private static ReportInputs sweep(String select) throws IOException {
    Leaderboard board = new Leaderboard("grid", select, List.of(trial(0, 0.0005, 0.81, 0.50),
        trial(1, 0.001, 0.86, 0.41), TrialOutcome.failed(2, "sw-1-trial-2", Map.of("training.updater.learningRate", 0.05),
            DIVERGED), trial(3, 0.005, 0.84, 0.38)));
    Map<String, Object> metrics = new LinkedHashMap<>(computeMetrics());
    metrics.put("sweep", board.toMap());
    TrialOutcome winner = board.best().orElseThrow();
    Map<String, Object> lineage = Map.of("job", "sw-1", "sweep", Map.of("trial", winner.trial(), "trialJob", winner.id(),
        "overrides", winner.overrides()));
    return new ReportInputs("sw-1", "mlp@4", "x", stored(metrics), stored(lineage), Map.of("mode", "compute"), List.of());
  }

  /** The map as it comes back from the store's JSON file. */
  private static Map<String, Object> stored(Map<String, Object> m) throws IOException {
    ObjectMapper json = new ObjectMapper();
    return json.readValue(json.writeValueAsBytes(m), new TypeReference<LinkedHashMap<String, Object>>() {});
  }

  /** The trial column of the leaderboard table, top to bottom. */
  private static List<Integer> trialColumn(String html) {
    Matcher m = Pattern.compile("<tr(?: class=\"best\")?><td[^>]*>[^<]*</td><td class=\"n\">(\\d+)</td>")
        .matcher(html.substring(html.indexOf("<h2>Sweep leaderboard</h2>")));
    List<Integer> trials = new ArrayList<>();
    while (m.find()) {
      trials.add(Integer.parseInt(m.group(1)));
    }
    return trials;
  }

  @Test
  void sweepLeaderboardRanksTrialsByAccuracyHighestFirstAndHighlightsTheWinner() throws Exception {
    String html = ReportPage.html(sweep("accuracy"));

    assertThat(trialColumn(html)).containsExactly(1, 3, 0, 2);
    assertThat(images(html)).containsKey("Sweep trials");
    assertThat(html).contains(
        "4 trials (grid sweep) ranked by test accuracy (highest first); the best, trial 1, is the registered model.",
        "<th>rank</th><th>trial</th><th>overrides</th><th>accuracy</th><th>loss</th><th>trainSeconds</th>"
            + "<th>status</th><th>error</th>",
        "<tr class=\"best\"><td class=\"n\">1</td><td class=\"n\">1</td><td>training.updater.learningRate=0.001</td>"
            + "<td class=\"n\">0.8600</td><td class=\"n\">0.4100</td><td class=\"n\">2.0</td><td>succeeded</td><td></td></tr>",
        "<tr><td class=\"n\">2</td><td class=\"n\">3</td><td>training.updater.learningRate=0.005</td>");
    assertThat(html).containsOnlyOnce("<tr class=\"best\">");
  }

  @Test
  void sweepSelectingLossRanksLowestFirst() throws Exception {
    String html = ReportPage.html(sweep("loss"));

    assertThat(trialColumn(html)).containsExactly(3, 1, 0, 2);
    assertThat(html).contains("ranked by test loss (lowest first); the best, trial 3, is the registered model.",
        "<tr class=\"best\"><td class=\"n\">1</td><td class=\"n\">3</td>");
  }

  @Test
  void aFailedTrialIsListedLastUnrankedWithItsError() throws Exception {
    String html = ReportPage.html(sweep("accuracy"));

    assertThat(html).contains("<tr><td>-</td><td class=\"n\">2</td><td>training.updater.learningRate=0.05</td>"
        + "<td></td><td></td><td></td><td>failed</td><td>" + DIVERGED + "</td></tr>");
  }

  @Test
  void aSweepThatCannotBeReadIsReportedNamingWhy() throws Exception {
    Map<String, Object> metrics = Map.of("sweep", Map.of("method", "grid", "select", "f1", "trials", List.of()));

    String html = ReportPage.html(new ReportInputs("sw-2", "mlp@1", "x", metrics, Map.of(), Map.of(), List.of()));

    assertThat(html).contains("<h2>Sweep leaderboard</h2>",
        "metrics.json has a sweep that cannot be read: select must be accuracy or loss, got f1");
    assertThat(images(html)).doesNotContainKey("Sweep trials");
  }

  @Test
  void textFromTheStoresIsEscaped() {
    String html = ReportPage.html(new ReportInputs("job-<x>", null, "x", Map.of(), Map.of(), Map.of(),
        List.of("failed: <script>alert(1)</script>")));

    assertThat(html).contains("job-&lt;x&gt;", "failed: &lt;script&gt;alert(1)&lt;/script&gt;")
        .doesNotContain("<script>alert");
    assertThat(html).contains("<tr><th>model</th><td>not registered</td></tr>", "No per-epoch figures recorded.");
  }
}
