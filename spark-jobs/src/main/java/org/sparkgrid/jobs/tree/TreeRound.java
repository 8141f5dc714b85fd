package org.sparkgrid.jobs.tree;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.federation.round.Rejection;
import org.sparkgrid.federation.round.RoundAggregation;
import org.sparkgrid.federation.round.RoundState;
import org.sparkgrid.federation.round.UpdateCheck;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.strategy.Aggregation;
import org.sparkgrid.federation.strategy.AggregationStrategy;
import org.sparkgrid.federation.strategy.ShardedAggregation;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.jobs.data.ConfEntries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of a federation on Spark, from the selected sites to the next global parameters: the
 * sites train in one Spark job ({@link SiteRound}); their updates are checked, and merged under the
 * strategy either in a Spark stage where they stay on the executors ({@code spark}: the checks run in
 * each site's task, the merge in {@link SparkAggregation}'s stage) or on the driver ({@code driver}:
 * every update is sent to the driver, checked and merged there by {@link RoundAggregation#run}).
 * Both give the same global parameters ({@link ShardedAggregation}).
 */
final class TreeRound {
  private static final Logger LOG = LoggerFactory.getLogger(TreeRound.class);

  /** Where the updates are merged: {@code spark.sparkgrid.federation.aggregation}. */
  enum Mode {
    SPARK, DRIVER;

    static Mode of(String configured) {
      return configured.equals("driver") ? DRIVER : SPARK;
    }
  }

  /**
   * What a round produced.
   *
   * @param next     the state after it (contributions still to add)
   * @param accepted the merged sites, in selection order
   * @param examples their example counts
   * @param updates  their updates on the driver, or null where they stayed on the executors
   * @param rejected every selected site left out, with why
   * @param slowest  wall time of the slowest accepted site's training, seconds
   */
  record Merged(RoundState next, List<String> accepted, long[] examples, List<SiteUpdate> updates,
      Map<String, String> rejected, double slowest) {}

  private final JavaSparkContext sc;
  private final Mode mode;
  private final SiteTrainer trainer;
  private final TrainingRequest request;
  private final FederationFile federation;
  private final String networkJson;
  private final DataNormalization normalizer;
  private final int numClasses;
  private final AggregationStrategy strategy;
  private final ConfEntries conf;
  private final List<UpdateCheck> checks;

  TreeRound(JavaSparkContext sc, Mode mode, SiteTrainer trainer, TrainingRequest request, FederationFile federation,
      String networkJson, DataNormalization normalizer, int numClasses, AggregationStrategy strategy, ConfEntries conf,
      List<UpdateCheck> checks) {
    this.sc = sc;
    this.mode = mode;
    this.trainer = trainer;
    this.request = request;
    this.federation = federation;
    this.networkJson = networkJson;
    this.normalizer = normalizer;
    this.numClasses = numClasses;
    this.strategy = strategy;
    this.conf = conf;
    this.checks = checks;
  }

  /**
   * Trains the selected sites from {@code state} and merges what arrives in time.
   *
   * @param needUpdates bring the accepted updates to the driver even where they are merged in Spark
   *     (contribution scores that merge subsets of them)
   * @throws IllegalStateException if fewer than {@code minSites} (or the strategy's minimum) valid
   *     updates remain, naming both counts
   */
  Merged run(RoundState state, List<String> selected, boolean needUpdates) {
    int round = state.round();
    List<SiteTask> tasks = new ArrayList<>();
    List<List<String>> hosts = new ArrayList<>();
    for (String id : selected) {
      FederationFile.Site site = federation.site(id);
      tasks.add(new SiteTask(id, site.data(), request.data(), networkJson, null, normalizer, numClasses,
          request.training().batchSize(), request.federation().localEpochs(), strategy.proximalMu(),
          request.training().updater().learningRate(), request.training().seed() * 1_000_003L + round * 7919L
          + id.hashCode(), round));
      hosts.add(site.hosts());
    }
    sc.setJobDescription("SparkGrid federation round " + (round + 1) + ": " + selected.size() + " sites");
    long t0 = System.nanoTime();
    try (SiteRound sites = SiteRound.run(sc, tasks, hosts, state.global(), trainer, conf,
        request.federation().roundTimeoutMs(), mode == Mode.SPARK, checks)) {
      long t1 = System.nanoTime();
      Map<String, String> rejected = new LinkedHashMap<>(sites.missing());
      for (SiteOutcome o : sites.outcomes()) {
        if (o.failure() != null) {
          rejected.put(o.siteId(), "site training failed: " + o.failure());
          LOG.warn("site {} failed in round {}: {}", o.siteId(), round, o.failure());
        }
      }
      Merged merged = mode == Mode.DRIVER ? onDriver(state, sites, rejected)
          : inSpark(state, sites, rejected, needUpdates);
      LOG.debug("round {}: {} sites trained in {} ms, {} merged ({}) in {} ms", round + 1, selected.size(),
          (t1 - t0) / 1_000_000, merged.accepted().size(), mode, (System.nanoTime() - t1) / 1_000_000);
      return merged;
    } finally {
      sc.setJobDescription(null);
    }
  }

  private Merged onDriver(RoundState state, SiteRound sites, Map<String, String> rejected) {
    List<SiteUpdate> updates = new ArrayList<>();
    Map<String, Double> seconds = new LinkedHashMap<>();
    for (SiteOutcome o : sites.outcomes()) {
      if (o.failure() == null) {
        updates.add(new SiteUpdate(o.siteId(), o.result().delta(), o.result().examples()));
        seconds.put(o.siteId(), o.result().seconds());
      }
    }
    RoundAggregation.Outcome out = RoundAggregation.run(state, updates, strategy, request.federation().minSites(),
        checks);
    out.rejected().forEach(r -> rejected.put(r.siteId(), r.reason()));
    List<String> ids = out.accepted().stream().map(SiteUpdate::siteId).toList();
    return new Merged(out.next(), ids, out.accepted().stream().mapToLong(SiteUpdate::numExamples).toArray(),
        out.accepted(), rejected, ids.stream().mapToDouble(seconds::get).max().orElse(0));
  }

  private Merged inSpark(RoundState state, SiteRound sites, Map<String, String> rejected, boolean needUpdates) {
    List<String> ids = new ArrayList<>();
    List<Long> examples = new ArrayList<>();
    double slowest = 0;
    for (SiteOutcome o : sites.outcomes()) {
      if (o.failure() != null) {
        continue;
      }
      if (o.problem() != null) {
        rejected.put(o.siteId(), o.problem());
        continue;
      }
      ids.add(o.siteId());
      examples.add(o.result().examples());
      slowest = Math.max(slowest, o.result().seconds());
    }
    List<Rejection> all = new ArrayList<>();
    rejected.forEach((id, why) -> all.add(new Rejection(id, why)));
    RoundAggregation.checkEnough(state.round(), ids.size(), all, strategy, request.federation().minSites());
    long[] counts = examples.stream().mapToLong(Long::longValue).toArray();
    int length = state.global().length;
    Aggregation a;
    try (SparkAggregation ranges = sites.updates(ids, length,
        SparkAggregation.shards(sc.getConf(), sc.defaultParallelism(), length), exchange(sc))) {
      a = ShardedAggregation.aggregate(strategy, state.global(), counts, state.strategyState(), ranges);
    }
    return new Merged(RoundAggregation.next(state, a), ids, counts, needUpdates ? sites.collect(ids) : null,
        rejected, slowest);
  }

  /** In place where every task runs in the driver's JVM ({@code local} masters), else through a shuffle. */
  static SparkAggregation.Exchange exchange(JavaSparkContext sc) {
    return sc.master().startsWith("local") && !sc.master().startsWith("local-cluster")
        ? SparkAggregation.Exchange.IN_PLACE : SparkAggregation.Exchange.SHUFFLE;
  }
}
