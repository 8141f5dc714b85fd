package org.sparkgrid.jobs.tree;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.DataSpec;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.core.run.EvaluationResult;
import org.sparkgrid.core.run.Lineage;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.core.run.RoundPhases;
import org.sparkgrid.core.run.RunMetrics;
import org.sparkgrid.core.store.CheckpointStore;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.federation.round.RoundState;
import org.sparkgrid.federation.round.RoundStateBinary;
import org.sparkgrid.federation.round.SiteSelection;
import org.sparkgrid.federation.scoring.ContributionScores;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.strategy.AggregationStrategy;
import org.sparkgrid.federation.strategy.DpFedAvg;
import org.sparkgrid.federation.strategy.Strategies;
import org.sparkgrid.federation.strategy.StrategyState;
import org.sparkgrid.jobs.data.ConfEntries;
import org.sparkgrid.jobs.data.CsvReader;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxReader;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.data.Normalizers;
import org.sparkgrid.jobs.eval.LocalEvaluator;
import org.sparkgrid.jobs.model.ModelZip;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.run.JobPhase;
import org.sparkgrid.jobs.run.JobRuns;
import org.sparkgrid.jobs.run.JobSetup;
import org.sparkgrid.jobs.run.ModelPublisher;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.run.RoundReport;
import org.sparkgrid.jobs.run.RunResult;
import org.sparkgrid.jobs.run.RunSoFar;
import org.sparkgrid.jobs.run.TrainingRun;
import org.sparkgrid.jobs.store.CheckpointWriter;
import org.sparkgrid.settlement.JobDeposit;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one tree-mode (federated) request on Spark. Each round: sample sites, run the selected sites'
 * local training as one Spark job with a task per site (the task reads only that site's data path,
 * prefers the site's hosts and signs the update: {@link SiteSigning}), take the updates that arrive
 * before the round's deadline, validate them (shape, NaN/Inf, allowlist, and on the driver the site's
 * signature: {@link SignatureCheck}), merge them with the request's strategy (in a Spark stage or on
 * the driver: {@code spark.sparkgrid.federation.aggregation}, see {@link TreeRound}), score each
 * site's contribution on the coordinator's validation set, evaluate on the coordinator's test set,
 * and checkpoint (compact binary, written in the background while the next round's sites train: {@link
 * CheckpointWriter}; the round's checkpoint phase is what the round loop waits for it). A site that fails, misses
 * the deadline or sends an update that fails a check is recorded and the round goes on; a round with
 * fewer than {@code minSites} valid updates stops the federation with a message naming both counts,
 * or with {@code federation.belowMinSites: wait} first asks the sites that missed again. Sites an
 * admin excluded ({@link SiteExclusions}, read at the start of every round) train in no later round.
 * At the end the model is registered (lineage names the sites, rounds and contributions) and a copy
 * is written for every site.
 *
 * <p>The coordinator's data: {@code data.train} is its validation set (contribution scores, and
 * the normalizer when one is fitted), {@code data.test} its test set. Sites' data are named in the
 * federation ({@link Federations#resolve}: the registered federation the request names, narrowed as
 * it asks and re-checked against the registry at every start and resume, or the operator's own
 * federation file) and never read by the driver.
 *
 * <pre>{@code
 * FederationRunner runner = new FederationRunner(sc, config, models, checkpoints, progress, new LocalSiteTrainer());
 * FederationRunner.Result r = runner.run(request, request.id());
 * }</pre>
 */
public final class FederationRunner implements TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(FederationRunner.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int VALIDATION_LIMIT = 2_000;
  /**
   * A checkpoint's round state ({@code RoundState}: global model, strategy state, contributions so
   * far) in {@link org.sparkgrid.federation.round.RoundStateBinary}'s compact form.
   */
  public static final String STATE_BIN = "round-state.bin";
  /** The round state as JSON, as versions before {@link #STATE_BIN} wrote it: still read on resume. */
  public static final String STATE_JSON = "round-state.json";
  /** A checkpoint's per-round figures so far, as metrics.json's {@code rounds}. */
  public static final String ROUNDS_JSON = "rounds.json";

  /**
   * @param jobId      the job
   * @param version    the registered model
   * @param evaluation final test evaluation ({@code null} without a test set)
   * @param rounds     per-round figures
   * @param state      the final round state (global model, contributions)
   */
  public record Result(String jobId, ModelVersion version, EvaluationResult evaluation, List<RoundMetrics> rounds,
      RoundState state) implements RunResult {

    /** The final test accuracy; empty without a test set. */
    @Override
    public Map<String, Double> metrics() {
      return evaluation == null ? Map.of() : RunResult.figures("accuracy", evaluation.accuracy());
    }
  }

  /** Where the coordinator scores contributions and evaluates on the test set after each round's merge. */
  public enum Coordinator {
    /**
     * In a Spark stage (the default): leave-one-out scoring where the sites' updates are cached and
     * the test evaluation, side by side ({@link RoundEvaluation}); updates reach the driver only for
     * Shapley scoring, once, and are merged there.
     */
    EXECUTORS,
    /**
     * On the driver, the updates merged in Spark collected again for scoring (the path before scoring
     * moved to the executors); kept only so that {@code CoordinatorBenchmark} can measure against it.
     */
    DRIVER
  }

  private final JavaSparkContext sc;
  private final SparkGridConfig config;
  private final ModelStore models;
  private final CheckpointStore checkpoints;
  private final ProgressListener progress;
  private final SiteTrainer trainer;
  private final JobSetup setup;
  private final ModelPublisher publisher;
  private final Coordinator coordinator;

  public FederationRunner(JavaSparkContext sc, SparkGridConfig config, ModelStore models, CheckpointStore checkpoints,
      ProgressListener progress, SiteTrainer trainer) {
    this(sc, config, models, checkpoints, progress, trainer, Coordinator.EXECUTORS);
  }

  private FederationRunner(JavaSparkContext sc, SparkGridConfig config, ModelStore models, CheckpointStore checkpoints,
      ProgressListener progress, SiteTrainer trainer, Coordinator coordinator) {
    this.coordinator = coordinator;
    this.sc = sc;
    this.config = config;
    this.models = models;
    this.checkpoints = checkpoints;
    this.progress = progress;
    this.trainer = trainer;
    this.setup = new JobSetup(sc, config, models, progress);
    this.publisher = new ModelPublisher(sc, models);
  }

  /** This runner with the coordinator's scoring and test evaluation where {@code where} says. */
  public FederationRunner coordinatedOn(Coordinator where) {
    return new FederationRunner(sc, config, models, checkpoints, progress, trainer, where);
  }

  /** Runs a tree-mode request from round 0. */
  @Override
  public Result run(TrainingRequest request, String jobId) throws IOException {
    if (request.federation() == null) {
      throw new IllegalArgumentException("mode: tree mode needs a federation section; this request has mode "
          + request.mode().wire());
    }
    JobRuns.start(checkpoints, jobId, request);
    return execute(request, jobId, null);
  }

  /** Resumes a federation from its last completed round. */
  @Override
  public Result resume(String jobId) throws IOException {
    TrainingRequest request = JobRuns.request(checkpoints, jobId);
    OptionalLong step = checkpoints.latest(jobId);
    return execute(request, jobId, step.isPresent() ? step.getAsLong() : null);
  }

  /** Runs the rounds with a background checkpoint writer, whose last write is finished even when a round fails. */
  private Result execute(TrainingRequest request, String jobId, Long resumeRound) throws IOException {
    try (CheckpointWriter writer = new CheckpointWriter(checkpoints)) {
      return execute(request, jobId, resumeRound, writer);
    }
  }

  private Result execute(TrainingRequest request, String jobId, Long resumeRound, CheckpointWriter writer)
      throws IOException {
    AggregationStrategy strategy = Strategies.create(request.federation());
    setup.prepare(request, 1); // each site trains as one task
    Configuration hadoop = sc.hadoopConfiguration();
    FederationSpec fed = request.federation();
    // the registry is read again at every start and resume: the operator's registration, not the request, decides
    FederationFile federation = Federations.resolve(fed, request.reward(), Federations.registry(config), hadoop,
        Federations.Files.ALLOWED);
    // a chain to pay on needs the coordinator's key: check before any training, not after it
    org.sparkgrid.settlement.chain.ChainKey chainKey = request.reward() != null
        && RewardSettlement.target(config).isPresent() ? RewardSettlement.coordinatorKey(config) : null;
    if (chainKey != null) { // paid from the requester's deposit: refused before training if it cannot cover every round
      JobDeposit.State deposit = RewardSettlement.checkDeposit(config, jobId, request.reward(), fed.rounds());
      progress.phase("Rewards of " + jobId + " paid from its requester's deposit of " + deposit.fee() + " in the escrow "
          + deposit.deposit().escrow() + " (" + deposit.remaining() + " left)");
    }
    DataSpec data = request.data();

    ExampleShard validation = read(data, data.train(), Math.min(VALIDATION_LIMIT,
        data.limit() == null ? Integer.MAX_VALUE : data.limit()), data.classes(), hadoop);
    int numClasses = data.classes() != null ? data.classes() : validation.maxLabel() + 1;
    DataNormalization normalizer = Normalizers.fit(data.normalization(), validation);
    MultiLayerConfiguration conf = NetworkFactory.build(request.model(), request.training(), validation.shape(),
        numClasses);
    String networkJson = conf.toJson();
    List<DataSet> validationBatches = batches(validation, numClasses, normalizer);
    ExampleShard test = data.test() == null ? null : read(data, data.test(), null, data.classes(), hadoop);
    List<DataSet> testBatches = test == null ? null : batches(test, numClasses, normalizer);

    RoundState state;
    List<RoundMetrics> history = new ArrayList<>();
    String initFrom = null;
    if (resumeRound != null) {
      state = readState(checkpoints, jobId, resumeRound);
      try (InputStream in = checkpoints.open(jobId, resumeRound, ROUNDS_JSON)) {
        List<Map<String, Object>> h = JSON.readValue(in, new TypeReference<>() {});
        h.forEach(m -> history.add(RoundMetrics.fromMap(m)));
      }
      progress.phase("Resuming federation " + jobId + " after round " + state.round());
    } else {
      JobSetup.Start start = setup.start(request, conf);
      state = RoundState.initial(start.state().params());
      initFrom = start.initFrom();
    }

    MultiLayerNetwork scorer = NetworkFactory.init(NetworkFactory.parse(networkJson));
    EvaluationResult evaluation = null;
    ConfEntries executorConf = new ConfEntries(hadoop);
    SiteExclusions exclusions = new SiteExclusions(checkpoints);
    TreeRound rounds = new TreeRound(sc, TreeRound.Mode.of(config.get(SparkGridConfig.FEDERATION_AGGREGATION)), trainer,
        request, jobId, federation, networkJson, normalizer, numClasses, strategy, executorConf, progress::phase);
    TreeRound.Plan plan = TreeRound.Plan.of(request.reward() == null ? null : request.reward().scoring());
    // a failed federation leaves this broadcast to Spark's ContextCleaner, which removes it once unreachable
    RoundEvaluation stage = null;
    if (coordinator == Coordinator.DRIVER) {
      plan = plan == TreeRound.Plan.MERGE ? plan : TreeRound.Plan.MERGE_THEN_COLLECT;
    } else {
      stage = RoundEvaluation.start(sc, networkJson, validation, test, normalizer, numClasses);
    }
    progress.phase("Federation " + jobId + ": " + federation.sites().size() + " sites, " + fed.rounds()
        + " rounds, strategy " + strategy.type() + ", minSites " + fed.minSites()
        + (fed.waitsForMinSites() ? " (short rounds retry up to " + fed.minSitesRetries() + " times)" : ""));
    warnOfDevelopmentKeys(federation);
    if (resumeRound != null && chainKey != null) {
      // rounds checkpointed before the stop but not settled (it came between the two) are settled now;
      // the ones settled before are found in the receipt store and sent again to no one
      settleRounds("Settling", jobId, TreeRewards.plans(jobId, federation, state.contributions(), request.reward()),
          chainKey);
    }
    progress.enter(JobPhase.TRAIN);
    SiteRefusals refusals = SiteRefusals.on(sc); // listening before the first round's site tasks start
    while (state.round() < fed.rounds()) {
      int round = state.round();
      if (strategy instanceof DpFedAvg dp) {
        dp.checkBudget(fed.fraction(), round); // fails the job before a round that would exceed the budget
      }
      long t0 = System.nanoTime();
      state = applyExclusions(state, exclusions.excluded(jobId), federation);
      List<String> selected = SiteSelection.select(federation.ids(), state.excludedSites(), fed.fraction(),
          fed.minSites(), request.training().seed(), round);
      TreeRound.Merged out = rounds.run(state, selected, plan, stage);
      refusals.report(round, progress::phase);
      Map<String, String> rejected = out.rejected();
      float[] before = state.global();
      long scored = System.nanoTime();
      List<Contribution> contributions = contributions(request, round, before, out,
          params -> loss(scorer, params, validationBatches, numClasses));
      state = out.next().withContributions(contributions);
      long evaluated = System.nanoTime();
      double accuracy = Double.NaN;
      double testLoss = Double.NaN;
      RoundEvaluation.Outcome staged = out.evaluated(); // the Spark stage's part, where it ran
      if (testBatches != null) {
        if (staged != null && staged.test() != null) {
          evaluation = staged.test();
        } else {
          NetworkFactory.setState(scorer, state.global(), null);
          evaluation = LocalEvaluator.evaluate(scorer, testBatches, numClasses);
        }
        accuracy = evaluation.accuracy();
        testLoss = evaluation.loss();
      }
      RoundPhases phases = new RoundPhases(out.sitesMs(), out.mergeMs(), out.collectMs() + ms(scored, evaluated)
          + (staged == null ? 0 : staged.scoringMs()), ms(evaluated, System.nanoTime())
          + (staged == null ? 0 : staged.evaluationMs()), Double.NaN, Double.NaN);
      double epsilon = epsilon(strategy, fed.fraction(), round + 1L);
      RoundMetrics m = new RoundMetrics(round, accuracy, testLoss, selected, out.accepted(), rejected,
          (System.nanoTime() - t0) / 1e9, out.slowest(), epsilon, phases);
      history.add(m);
      progress.phase(String.format("round %d/%d: %s, %d of %d sites merged%s%s%s, %.1f s (%s)", round + 1, fed.rounds(),
          Double.isNaN(accuracy) ? "no test set" : String.format("test accuracy %.4f, test loss %.4f", accuracy, testLoss),
          m.accepted().size(), selected.size(), rejected.isEmpty() ? "" : " (left out: " + rejected + ")",
          state.excludedSites().isEmpty() ? "" : ", excluded " + new java.util.TreeSet<>(state.excludedSites()),
          Double.isNaN(epsilon) ? "" : String.format(", epsilon %.4f at delta %s", epsilon,
              ((DpFedAvg) strategy).delta()),
          m.seconds(), phasesText(phases)));
      // the checkpoint is written in the background while the next round trains; its phase is the loop's wait
      double checkpointMs = saveRound(writer, jobId, state, history, chainKey != null);
      long settling = System.nanoTime();
      if (chainKey != null) { // each round is paid as it ends, after its checkpoint is durable (saveRound waited)
        long roundSaved = System.nanoTime();
        settleRounds("Settling", jobId, TreeRewards.plans(jobId, federation, contributions, request.reward()),
            chainKey);
        progress.settled(java.time.Duration.ofNanos(System.nanoTime() - roundSaved));
      }
      // the next round's checkpoint and metrics.json hold these two; this round's checkpoint could not
      m = m.withPhases(phases.withCheckpointAndSettlement(checkpointMs, ms(settling, System.nanoTime())));
      history.set(history.size() - 1, m);
      progress.roundDone(new RoundReport(m, fed.rounds(), contributions, state.excludedSites()));
    }

    if (stage != null) {
      stage.close();
    }
    if (evaluation == null && testBatches != null) {
      NetworkFactory.setState(scorer, state.global(), null);
      evaluation = LocalEvaluator.evaluate(scorer, testBatches, numClasses);
    }
    progress.enter(JobPhase.CHECKPOINT);
    writer.await(); // the last round's checkpoint is durable before the model is registered
    ModelVersion version = publish(request, jobId, federation, networkJson, normalizer, state, evaluation, history,
        initFrom);
    if (strategy instanceof DpFedAvg dp) {
      models.updateLineage(version, Lineage.privacyUpdate(new Lineage.Privacy(
          epsilon(strategy, fed.fraction(), state.round()), dp.delta(), dp.noiseMultiplier(), fed.fraction(),
          state.round())));
    }
    if (request.reward() != null) {
      List<SettlementPlan> plans = TreeRewards.plans(jobId, federation, state.contributions(), request.reward());
      progress.enter(JobPhase.SETTLE);
      if (chainKey != null) {
        // every round was settled as it ended: this reads their receipts back, sending no transaction
        models.updateLineage(version, Lineage.settlementsUpdate(
            settleRounds("Reading the receipts of", jobId, plans, chainKey)
            .stream().map(Lineage.Settlement::fromMap).toList()));
        BigInteger rest = RewardSettlement.releaseRest(config, jobId, chainKey);
        progress.phase("Released the rest of " + jobId + "'s deposit to its requester: " + rest);
      } else {
        progress.phase("reward: no chain configured (spark.sparkgrid.chain.rpcUrl): " + plans.size()
            + " rounds' payouts recorded in lineage, nothing paid");
        models.updateLineage(version, Lineage.payoutsUpdate(plans.stream()
            .map(p -> Lineage.Settlement.recorded(p.name(), p.root().toString(), p.total().toString())).toList()));
      }
    }
    return new Result(jobId, version, evaluation, history, state);
  }

  private static double ms(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e6;
  }

  /** The console line's split of a round: the sites' job, then each coordinator phase measured so far. */
  static String phasesText(RoundPhases p) {
    return String.format("sites %.1f s, merge %.0f ms, scoring %.0f ms, evaluation %.0f ms", p.sitesMs() / 1000,
        p.mergeMs(), p.scoringMs(), p.evaluationMs());
  }

  /**
   * Epsilon spent after {@code rounds} rounds: dp-fedavg's, by the RDP accountant with
   * {@code federation.fraction} as the sampling rate; NaN for a strategy without privacy accounting.
   */
  static double epsilon(AggregationStrategy strategy, double fraction, long rounds) {
    return strategy instanceof DpFedAvg dp ? dp.epsilon(fraction, rounds) : Double.NaN;
  }

  /**
   * Settles rounds' plans on the configured chain, one transaction each (none for a round whose
   * receipt is stored under SparkGrid's home or whose root is on chain already: the settler is
   * idempotent by settlement name, {@code <job>/round-<n>}). Each is retried as {@link
   * org.sparkgrid.settlement.Settler} does; one that finally fails stops the federation.
   *
   * @param doing the console line's first words
   * @return what lineage records, per plan
   * @throws IllegalStateException naming the settlement (the round) and the reason, if one fails
   */
  private List<Map<String, Object>> settleRounds(String doing, String jobId, List<SettlementPlan> plans,
      org.sparkgrid.settlement.chain.ChainKey chainKey) throws IOException {
    if (plans.isEmpty()) {
      return List.of();
    }
    progress.phase(doing + " " + plans.stream().map(SettlementPlan::name).toList() + " on "
        + RewardSettlement.target(config).map(RewardSettlement.Target::rpcUrl).orElse("?"));
    try {
      return RewardSettlement.settle(config, plans, chainKey, jobId);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("federation " + jobId + ": interrupted while settling rewards", e);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("federation " + jobId + " stopped: " + e.getMessage()
          + " (the rounds before it are paid; resuming the federation settles it again)", e);
    }
  }

  /** Moves the sites an admin excluded since the last round into the round state. */
  private RoundState applyExclusions(RoundState state, Set<String> excluded, FederationFile federation) {
    RoundState next = state;
    for (String site : excluded) {
      if (next.excludedSites().contains(site)) {
        continue;
      }
      if (!federation.ids().contains(site)) {
        LOG.warn("exclusion of site {} ignored: the federation has no such site (sites: {})", site, federation.ids());
        continue;
      }
      next = next.withExcluded(site);
      progress.phase("site " + site + " excluded by an admin: it trains in no round from round " + (state.round() + 1)
          + " on");
    }
    return next;
  }

  private void warnOfDevelopmentKeys(FederationFile federation) {
    List<String> dev = federation.sites().stream().filter(s -> s.key() instanceof FederationFile.SiteKey.Dev)
        .map(FederationFile.Site::id).toList();
    if (!dev.isEmpty()) {
      progress.phase("sites " + dev + " sign with development keys of the public test mnemonic: anyone can forge"
          + " their updates (for tests and trying only)");
    }
  }

  /**
   * Each accepted site's contribution to the round, by {@code reward.scoring}: {@code examples}
   * (example share only: no extra evaluation), {@code loss-improvement} (the default: also
   * leave-one-out loss improvement on the validation set, one merge and one evaluation per site,
   * computed on the executors where the round's stage ran them, else here), or {@code shapley}
   * (also a sampled Shapley estimate, 20 permutations, here).
   */
  private static List<Contribution> contributions(TrainingRequest request, int round, float[] global,
      TreeRound.Merged merged, org.sparkgrid.federation.scoring.LossFunction loss) {
    String scoring = request.reward() == null ? "loss-improvement" : request.reward().scoring();
    if ("examples".equals(scoring)) {
      double[] shares = ContributionScores.exampleShares(merged.examples());
      List<Contribution> out = new ArrayList<>();
      for (int k = 0; k < shares.length; k++) {
        out.add(new Contribution(round, merged.accepted().get(k), merged.examples()[k], shares[k], Double.NaN,
            Double.NaN));
      }
      return out;
    }
    RoundEvaluation.Outcome staged = merged.evaluated();
    if (staged != null && staged.withoutLoss() != null) {
      return ContributionScores.fromLeaveOneOut(round, merged.accepted(), merged.examples(), staged.scores());
    }
    return ContributionScores.score(round, global, merged.updates(), Strategies.fedAvg(), StrategyState.EMPTY, loss,
        "shapley".equals(scoring) ? 20 : 0, request.training().seed() + round);
  }

  private static double loss(MultiLayerNetwork net, float[] params, List<DataSet> batches, int numClasses) {
    NetworkFactory.setState(net, params, null);
    return LocalEvaluator.evaluate(net, batches, numClasses).loss();
  }

  /**
   * Hands the round's checkpoint ({@link #STATE_BIN} and {@link #ROUNDS_JSON}) to the background
   * writer, which writes it while the next round's sites train.
   *
   * @param durable wait until it is written (a round settled on chain must be checkpointed first)
   * @return the round's checkpoint phase: the milliseconds the round loop waited (for the previous
   *     round's write, and with {@code durable} for this one); the write's own duration is logged by
   *     {@link CheckpointWriter}
   */
  private double saveRound(CheckpointWriter writer, String jobId, RoundState state, List<RoundMetrics> history,
      boolean durable) {
    if (!config.get(SparkGridConfig.CHECKPOINT_ENABLED)) {
      return 0;
    }
    progress.enter(JobPhase.CHECKPOINT);
    long t0 = System.nanoTime();
    RoundState snapshot = snapshot(state); // the next round must not change what is being written
    List<Map<String, Object>> rounds = history.stream().map(RoundMetrics::toMap).toList();
    writer.submit(jobId, state.round(), Map.of(
        STATE_BIN, out -> RoundStateBinary.write(snapshot, out),
        ROUNDS_JSON, out -> out.write(JSON.writeValueAsBytes(rounds))), config.get(SparkGridConfig.CHECKPOINT_KEEP));
    if (durable) {
      writer.await();
    }
    progress.enter(JobPhase.TRAIN);
    return ms(t0, System.nanoTime());
  }

  /** A copy of the state's vectors, so that the background write reads what this round ended with. */
  private static RoundState snapshot(RoundState s) {
    Map<String, float[]> vectors = new java.util.LinkedHashMap<>();
    s.strategyState().vectors().forEach((name, v) -> vectors.put(name, v.clone()));
    return new RoundState(s.round(), s.global().clone(), new StrategyState(s.strategyState().rounds(), vectors),
        s.contributions(), s.excludedSites());
  }

  /**
   * A checkpoint's round state: {@link #STATE_BIN}, or {@link #STATE_JSON} in a checkpoint an
   * older version wrote.
   *
   * @throws java.util.NoSuchElementException if the checkpoint has neither
   * @throws IllegalArgumentException if the file is torn, corrupted or not a round state
   */
  public static RoundState readState(CheckpointStore checkpoints, String jobId, long round) throws IOException {
    InputStream opened;
    try {
      opened = checkpoints.open(jobId, round, STATE_BIN);
    } catch (java.util.NoSuchElementException e) {
      opened = checkpoints.open(jobId, round, STATE_JSON);
    }
    try (InputStream in = opened) {
      return RoundState.read(in.readAllBytes());
    }
  }

  private ModelVersion publish(TrainingRequest request, String jobId, FederationFile federation, String networkJson,
      DataNormalization normalizer, RoundState state, EvaluationResult evaluation, List<RoundMetrics> history,
      String initFrom) {
    MultiLayerNetwork net = NetworkFactory.fromParams(networkJson, state.global(), null);
    List<Lineage.Site> sites = federation.sites().stream().map(s -> new Lineage.Site(s.id(), s.account())).toList();
    ModelVersion v = publisher.publish(request, net, normalizer, RunMetrics.tree(evaluation, history),
        publisher.treeLineage(request, jobId, initFrom, sites, state.round(), state.contributions()));
    // every site ends with the final merged model
    for (FederationFile.Site s : federation.sites()) {
      checkpoints.putRunFile(jobId, "site-" + s.id() + "-model.zip", out -> ModelZip.write(net, normalizer, out));
    }
    SiteStores.publish(sc, jobId, federation.sites(), net, normalizer, progress::phase); // sites with a store
    return v;
  }

  /**
   * The rounds and contributions a federation's checkpoint {@code round} records.
   *
   * @throws java.util.NoSuchElementException if the checkpoint lacks its files
   */
  public static RunSoFar soFar(CheckpointStore checkpoints, String jobId, long round) throws IOException {
    List<RoundMetrics> rounds = new ArrayList<>();
    try (InputStream in = checkpoints.open(jobId, round, ROUNDS_JSON)) {
      List<Map<String, Object>> h = JSON.readValue(in, new TypeReference<>() {});
      h.forEach(m -> rounds.add(RoundMetrics.fromMap(m)));
    }
    return new RunSoFar(RunMetrics.tree(null, rounds), readState(checkpoints, jobId, round).contributions());
  }

  /**
   * Reads and checks a federation file from any Hadoop file system.
   *
   * @throws IllegalArgumentException naming the field if the file is not a valid federation
   * @throws IOException if it cannot be read
   */
  public static FederationFile readFederation(String path, Configuration conf) throws IOException {
    Path p = new Path(path);
    try (InputStream in = p.getFileSystem(conf).open(p)) {
      return FederationFile.parse(in.readAllBytes(), "federation.sites " + path);
    }
  }

  /**
   * Reads a coordinator or site dataset in the request's format; idx labels are checked against
   * {@code classes} when it is not null.
   */
  static ExampleShard read(DataSpec d, String path, Integer limit, Integer classes, Configuration conf)
      throws IOException {
    return d.format() == DataSpec.Format.IDX
        ? IdxReader.read(conf, path, limit, classes)
        : CsvReader.read(conf, path, d.labelColumn(), d.header(), limit);
  }

  private static List<DataSet> batches(ExampleShard s, int numClasses, DataNormalization norm) {
    return Minibatches.all(s, 1000, numClasses, norm);
  }
}
