package org.sparkgrid.jobs.tree;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.federation.round.Rejection;
import org.sparkgrid.federation.round.RoundAggregation;
import org.sparkgrid.federation.round.RoundState;
import org.sparkgrid.federation.round.UpdateCheck;
import org.sparkgrid.federation.round.UpdateValidation;
import org.sparkgrid.federation.scoring.LeaveOneOut;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.strategy.Aggregation;
import org.sparkgrid.federation.strategy.AggregationStrategy;
import org.sparkgrid.federation.strategy.Scaffold;
import org.sparkgrid.federation.strategy.ShardedAggregation;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.federation.strategy.UpdateFacts;
import org.sparkgrid.jobs.data.ConfEntries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of a federation on Spark, from the selected sites to the next global parameters: the
 * sites train and sign in one Spark job ({@link SiteRound}); their updates are checked, and merged
 * under the strategy either in a Spark stage where they stay on the executors ({@code spark}: each
 * site's task checks its update's shape and reports the delta's hash, the merge runs in
 * {@link SparkAggregation}'s stage) or on the driver ({@code driver}: every update is sent to the
 * driver, checked and merged there by {@link RoundAggregation#run}). Both give the same global
 * parameters ({@link ShardedAggregation}). In both, the allowlist and the signature
 * ({@link SignatureCheck}) are checked on the driver: in {@code spark} mode over the hash the task
 * reported, in {@code driver} mode over the delta received. Which way the updates travel beside the
 * merge follows the contribution scoring ({@link Plan}); while they are still cached, the round runs
 * the coordinator's stage of scoring and test evaluation ({@link RoundEvaluation}).
 *
 * <p>A round with fewer valid updates than it needs ({@code minSites}, and the strategy's minimum)
 * stops the federation, naming both counts and why each missing site is missing; with
 * {@code belowMinSites: wait} it first runs the round's job again for the sites without a valid
 * update, after {@code minSitesRetryDelayMs}, up to {@code minSitesRetries} times, each with a fresh
 * {@code roundTimeoutMs}. A site that delivers on a retry counts as if it had delivered at once (the
 * same task: same global model, same seed).
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
   * How a round's updates travel beside the merge, chosen by the contribution scoring so that no
   * update is moved twice. In {@code spark} mode:
   * <ul>
   *   <li>{@link #MERGE} ({@code reward.scoring: examples}): merged in the Spark stage, nothing collected;
   *   <li>{@link #MERGE_AND_SCORE} ({@code loss-improvement}): merged in the Spark stage, then scored
   *       where they are cached ({@link RoundEvaluation}'s leave-one-out tasks), nothing collected;
   *   <li>{@link #COLLECT} ({@code shapley}, whose many subset merges run on the driver): collected
   *       once and merged on the driver;
   *   <li>{@link #MERGE_THEN_COLLECT}: the path before scoring moved to the executors, merged in the
   *       Spark stage and then collected for scoring on the driver; kept only to measure against
   *       ({@code CoordinatorBenchmark}).
   * </ul>
   * In {@code driver} mode every update goes to the driver once, whatever the plan, and is scored there.
   */
  enum Plan {
    MERGE, MERGE_AND_SCORE, COLLECT, MERGE_THEN_COLLECT;

    /** The plan of a {@code reward.scoring} ({@code loss-improvement} where null). */
    static Plan of(String scoring) {
      return switch (scoring == null ? "loss-improvement" : scoring) {
        case "examples" -> MERGE;
        case "shapley" -> COLLECT;
        default -> MERGE_AND_SCORE;
      };
    }
  }

  /**
   * What a round produced.
   *
   * @param next     the state after it (contributions still to add)
   * @param accepted the merged sites, in selection order
   * @param examples their example counts
   * @param updates  their updates on the driver, or null where they stayed on the executors
   * @param rejected every selected site left out, with why, in selection order
   * @param slowest  wall time of the slowest accepted site's training, seconds
   * @param sitesMs  the sites' training job(s) and the checks of their updates, milliseconds
   * @param mergeMs  the merge, milliseconds
   * @param collectMs the scoring's part of the merge, milliseconds: bringing the updates to the
   *     driver after a Spark-stage merge ({@link Plan#MERGE_THEN_COLLECT}), or the weighted-sum pass
   *     of leave-one-out scoring on the executors ({@link Plan#MERGE_AND_SCORE}); 0 where neither ran
   * @param evaluated what the coordinator's stage computed after the merge ({@link RoundEvaluation}):
   *     leave-one-out losses where the updates stayed on the executors, the test evaluation; null
   *     where the round ran without that stage (the driver scores and evaluates)
   */
  record Merged(RoundState next, List<String> accepted, long[] examples, List<SiteUpdate> updates,
      Map<String, String> rejected, double slowest, double sitesMs, double mergeMs, double collectMs,
      RoundEvaluation.Outcome evaluated) {

    /** This result with the time of the sites' job and of the merge, the collect's split off the merge's. */
    Merged timed(double sites, double mergeAndCollect) {
      return new Merged(next, accepted, examples, updates, rejected, slowest, sites, mergeAndCollect - collectMs,
          collectMs, evaluated);
    }

    /** This result with the time it took to bring the updates to the driver. */
    Merged timedCollect(double ms) {
      return new Merged(next, accepted, examples, updates, rejected, slowest, sitesMs, mergeMs, ms, evaluated);
    }

    /** This result with what the coordinator's stage computed. */
    Merged evaluated(RoundEvaluation.Outcome outcome) {
      return new Merged(next, accepted, examples, updates, rejected, slowest, sitesMs, mergeMs, collectMs, outcome);
    }
  }

  /** A merge, and what the leave-one-out tasks read where they score ({@link Plan#MERGE_AND_SCORE}), else null. */
  private record Merging(Merged merged, RoundEvaluation.LeaveOneOutInputs leaveOneOut) {}

  /** A valid update and the job (attempt) that holds it. */
  private record Valid(SiteRound from, SiteOutcome outcome) {}

  private final JavaSparkContext sc;
  private final Mode mode;
  private final SiteTrainer trainer;
  private final TrainingRequest request;
  private final String jobId;
  private final FederationFile federation;
  private final String networkJson;
  private final DataNormalization normalizer;
  private final int numClasses;
  private final AggregationStrategy strategy;
  private final ConfEntries conf;
  private final Consumer<String> say;

  /** @param say where a round that waits for sites says so (the job's progress) */
  TreeRound(JavaSparkContext sc, Mode mode, SiteTrainer trainer, TrainingRequest request, String jobId,
      FederationFile federation, String networkJson, DataNormalization normalizer, int numClasses,
      AggregationStrategy strategy, ConfEntries conf, Consumer<String> say) {
    this.sc = sc;
    this.mode = mode;
    this.trainer = trainer;
    this.request = request;
    this.jobId = jobId;
    this.federation = federation;
    this.networkJson = networkJson;
    this.normalizer = normalizer;
    this.numClasses = numClasses;
    this.strategy = strategy;
    this.conf = conf;
    this.say = say;
  }

  /**
   * Trains the selected sites from {@code state}, merges what arrives in time and passes the checks,
   * and runs the coordinator's stage while the updates are still cached.
   *
   * @param plan        how the updates travel beside the merge (by the contribution scoring)
   * @param coordinator the stage of leave-one-out scoring (where the plan scores on the executors) and
   *     test evaluation; null to leave both to the driver
   * @throws IllegalStateException if fewer than {@code minSites} (or the strategy's minimum) valid
   *     updates remain (after the retries, with {@code belowMinSites: wait}), naming both counts and
   *     why each missing site is missing
   */
  Merged run(RoundState state, List<String> selected, Plan plan, RoundEvaluation coordinator) {
    FederationSpec fed = request.federation();
    int round = state.round();
    int need = Math.max(fed.minSites(), strategy.minUpdates());
    List<SiteRound> attempts = new ArrayList<>();
    long started = System.nanoTime();
    Map<String, Valid> valid = new HashMap<>();
    Map<String, String> rejected = new HashMap<>();
    try {
      List<String> ask = selected;
      for (int retry = 0; ; retry++) {
        ask.forEach(rejected::remove);
        sc.setJobDescription("SparkGrid federation round " + (round + 1) + ": " + ask.size() + " sites"
            + (retry == 0 ? "" : ", retry " + retry));
        long t0 = System.nanoTime();
        SiteRound sites = train(state, ask);
        attempts.add(sites);
        rejected.putAll(sites.missing());
        check(round, state.global().length, sites, valid, rejected);
        LOG.debug("round {}: {} sites trained and checked in {} ms, {} valid", round + 1, ask.size(),
            (System.nanoTime() - t0) / 1_000_000, valid.size());
        if (valid.size() >= need) {
          break;
        }
        ask = selected.stream().filter(id -> !valid.containsKey(id)).toList();
        String shortBy = "round " + round + " has " + valid.size() + " valid updates but " + (valid.size()
            < fed.minSites() ? "minSites is " + fed.minSites() : strategy.type() + " needs at least "
            + strategy.minUpdates());
        if (!fed.waitsForMinSites() || retry == fed.minSitesRetries() || ask.isEmpty()) {
          Map<String, String> why = inOrder(selected, rejected);
          throw new IllegalStateException(shortBy
              + (ask.isEmpty() ? " (only " + selected.size() + " sites were selected)" : "")
              + (retry > 0 ? " after " + retry + (retry == 1 ? " retry" : " retries")
                  + " of the sites that missed (federation.belowMinSites: wait)" : "")
              + (why.isEmpty() ? "" : "; left out: " + why));
        }
        say.accept(shortBy + "; asking " + ask + " again in " + fed.minSitesRetryDelayMs() + " ms (retry "
            + (retry + 1) + " of " + fed.minSitesRetries() + ")");
        pause(fed.minSitesRetryDelayMs(), round);
      }
      List<String> ids = selected.stream().filter(valid::containsKey).toList();
      long t1 = System.nanoTime();
      Merging merged = mode == Mode.DRIVER
          ? new Merging(onDriver(state, ids.stream().map(id -> update(valid.get(id).outcome())).toList(), valid,
              inOrder(selected, rejected)), null)
          : inSpark(state, ids, valid, inOrder(selected, rejected), plan);
      long t2 = System.nanoTime();
      LOG.debug("round {}: {} merged ({}, {}) in {} ms", round + 1, ids.size(), mode, plan, (t2 - t1) / 1_000_000);
      Merged out = merged.merged().timed((t1 - started) / 1e6, (t2 - t1) / 1e6);
      return coordinator == null ? out
          : out.evaluated(coordinator.run(round, out.next().global(), merged.leaveOneOut()));
    } finally {
      attempts.forEach(SiteRound::close);
      sc.setJobDescription(null);
    }
  }

  /** One job for the sites in {@code ask}, with the request's worker resources. */
  private SiteRound train(RoundState state, List<String> ask) {
    int round = state.round();
    int length = state.global().length;
    boolean controls = strategy.needsControlVariates();
    List<SiteTask> tasks = new ArrayList<>();
    List<FederationFile.SiteKey> keys = new ArrayList<>();
    List<List<String>> hosts = new ArrayList<>();
    for (String id : ask) {
      FederationFile.Site site = federation.site(id);
      tasks.add(new SiteTask(id, site.data(), request.data(), networkJson, null, normalizer, numClasses,
          request.training().batchSize(), request.federation().localEpochs(), strategy.proximalMu(),
          request.federation().siteLearningRate(request.training().updater().learningRate(), round),
          request.training().seed() * 1_000_003L + round * 7919L
          + id.hashCode(), round, controls
          ? new SiteTask.Controls(null, Scaffold.siteControl(state.strategyState(), id, length)) : null));
      keys.add(site.key());
      hosts.add(SitePlacement.locations(sc.sc(), id, site.hosts()));
    }
    return SiteRound.run(sc, jobId, tasks, keys, hosts, request.engine().resources(), state.global(),
        controls ? Scaffold.serverControl(state.strategyState(), length) : null, trainer, conf,
        request.federation().roundTimeoutMs(), mode == Mode.SPARK);
  }

  /**
   * Sorts one job's outcomes into {@code valid} and {@code rejected}. Everything but the shape
   * checks of {@code spark} mode runs here, on the driver: the allowlist and the signature (over the
   * delta's hash the task reported in {@code spark} mode, over the delta itself in {@code driver} mode).
   */
  private void check(int round, int length, SiteRound sites, Map<String, Valid> valid, Map<String, String> rejected) {
    Map<String, String> signatures = new HashMap<>();
    List<SiteOutcome> trained = new ArrayList<>();
    for (SiteOutcome o : sites.outcomes()) {
      if (o.failure() != null) {
        rejected.put(o.siteId(), "site training failed: " + o.failure());
        LOG.warn("site {} failed in round {}: {}", o.siteId(), round, o.failure());
      } else if (o.problem() != null) {
        rejected.put(o.siteId(), o.problem());
      } else {
        trained.add(o);
        if (o.result().signature() != null) {
          signatures.put(o.siteId(), o.result().signature());
        }
      }
    }
    SignatureCheck signature = new SignatureCheck(jobId, round, federation, signatures);
    if (mode == Mode.DRIVER) {
      UpdateValidation.Result v = UpdateValidation.validate(trained.stream().map(TreeRound::update).toList(), length,
          List.of(allowlist(), signature));
      v.rejected().forEach(r -> rejected.put(r.siteId(), r.reason()));
      Map<String, SiteOutcome> byId = new HashMap<>();
      trained.forEach(o -> byId.put(o.siteId(), o));
      v.accepted().forEach(u -> valid.put(u.siteId(), new Valid(sites, byId.get(u.siteId()))));
      return;
    }
    for (SiteOutcome o : trained) {
      Optional<String> problem = refused(o.siteId())
          .or(() -> signature.problem(o.siteId(), o.result().examples(), o.deltaHash(), o.result().localSteps(),
              o.result().controlDelta()));
      if (problem.isPresent()) {
        rejected.put(o.siteId(), problem.get());
      } else {
        valid.put(o.siteId(), new Valid(sites, o));
      }
    }
  }

  /** Merges updates held on the driver. */
  private Merged onDriver(RoundState state, List<SiteUpdate> updates, Map<String, Valid> valid,
      Map<String, String> rejected) {
    // checked in check(); the merge re-runs only the cheap built-in checks
    RoundAggregation.Outcome out = RoundAggregation.run(state, updates, strategy, request.federation().minSites(),
        List.of());
    out.rejected().forEach(r -> rejected.put(r.siteId(), r.reason()));
    List<String> accepted = out.accepted().stream().map(SiteUpdate::siteId).toList();
    return new Merged(out.next(), accepted, out.accepted().stream().mapToLong(SiteUpdate::numExamples).toArray(),
        out.accepted(), rejected, slowest(accepted, valid), 0, 0, 0, null);
  }

  private Merging inSpark(RoundState state, List<String> ids, Map<String, Valid> valid, Map<String, String> rejected,
      Plan plan) {
    List<Rejection> all = new ArrayList<>();
    rejected.forEach((id, why) -> all.add(new Rejection(id, why)));
    RoundAggregation.checkEnough(state.round(), ids.size(), all, strategy, request.federation().minSites());
    List<SiteRound> from = ids.stream().map(id -> valid.get(id).from()).toList();
    if (plan == Plan.COLLECT) { // the driver merges subsets anyway: bring every update once, merge there
      long t0 = System.nanoTime();
      List<SiteUpdate> collected = collect(ids, from);
      return new Merging(onDriver(state, collected, valid, rejected).timedCollect((System.nanoTime() - t0) / 1e6),
          null);
    }
    long[] counts = ids.stream().mapToLong(id -> valid.get(id).outcome().result().examples()).toArray();
    List<SiteResult> results = ids.stream().map(id -> valid.get(id).outcome().result()).toList();
    UpdateFacts facts = new UpdateFacts(counts, results.stream().mapToLong(SiteResult::localSteps).toArray(), ids,
        results.stream().map(SiteResult::controlDelta).toList());
    int length = state.global().length;
    SiteRound.Held held = SiteRound.held(sc, from, ids);
    Aggregation a;
    double[] weightedSum = null;
    long t0;
    try (SparkAggregation ranges = SparkAggregation.over(held.deltas(), held.partitions(), length,
        SparkAggregation.shards(sc.getConf(), sc.defaultParallelism(), length), exchange(sc))) {
      a = ShardedAggregation.aggregate(strategy, state.global(), facts, state.strategyState(), ranges);
      t0 = System.nanoTime();
      if (plan == Plan.MERGE_AND_SCORE) { // S for every leave-one-out merge, whatever the strategy merged
        weightedSum = LeaveOneOut.weightedSum(ranges, counts);
      }
    }
    List<SiteUpdate> collected = plan == Plan.MERGE_THEN_COLLECT ? collect(ids, from) : null;
    Merged merged = new Merged(RoundAggregation.next(state, a), ids, counts, collected, rejected, slowest(ids, valid),
        0, 0, (System.nanoTime() - t0) / 1e6, null);
    return new Merging(merged, weightedSum == null ? null
        : new RoundEvaluation.LeaveOneOutInputs(held.deltas(), held.partitions(), counts, state.global(), weightedSum));
  }

  /** The kept updates of {@code ids}, brought to the driver in that order (one collect per job that holds some). */
  private static List<SiteUpdate> collect(List<String> ids, List<SiteRound> from) {
    Map<String, SiteUpdate> got = new HashMap<>();
    for (SiteRound job : from.stream().distinct().toList()) {
      List<String> held = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        if (from.get(i) == job) {
          held.add(ids.get(i));
        }
      }
      job.collect(held).forEach(u -> got.put(u.siteId(), u));
    }
    return ids.stream().map(got::get).toList();
  }

  /** A site's update as the strategies merge it, named by the site the task ran for. */
  private static SiteUpdate update(SiteOutcome o) {
    SiteResult r = o.result();
    return new SiteUpdate(o.siteId(), r.delta(), r.examples(), r.localSteps(), r.controlDelta());
  }

  /** The allowlist as a driver-side check of the site id alone. */
  private Optional<String> refused(String siteId) {
    FederationFile.Site site = federation.site(siteId);
    return federation.allowed(site) ? Optional.empty()
        : Optional.of("account " + site.account() + " of site " + siteId + " is not on the federation's allowlist");
  }

  private UpdateCheck allowlist() {
    return u -> refused(u.siteId());
  }

  private static double slowest(List<String> ids, Map<String, Valid> valid) {
    return ids.stream().mapToDouble(id -> valid.get(id).outcome().result().seconds()).max().orElse(0);
  }

  private static Map<String, String> inOrder(List<String> selected, Map<String, String> rejected) {
    Map<String, String> out = new LinkedHashMap<>();
    selected.stream().filter(rejected::containsKey).forEach(id -> out.put(id, rejected.get(id)));
    return out;
  }

  private static void pause(long ms, int round) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry round " + round, e);
    }
  }

  /** In place where every task runs in the driver's JVM ({@code local} masters), else through a shuffle. */
  static SparkAggregation.Exchange exchange(JavaSparkContext sc) {
    return sc.master().startsWith("local") && !sc.master().startsWith("local-cluster")
        ? SparkAggregation.Exchange.IN_PLACE : SparkAggregation.Exchange.SHUFFLE;
  }
}
