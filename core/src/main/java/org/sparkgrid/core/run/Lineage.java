package org.sparkgrid.core.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkgrid.core.reward.Contribution;

/**
 * A registered model's {@code lineage.json}, as one record: where the model came from. Compute and
 * tree mode write the same record ({@code org.sparkgrid.jobs.run.ModelPublisher}); parts only one
 * mode has are {@code null} (and left out of the file) in the other. The store adds
 * {@code publishedAt}; tree mode's settlement adds {@code payouts} or {@code settlements} afterwards, and
 * a dp-fedavg federation its {@code privacy} ({@link #privacyUpdate}).
 *
 * <pre>{@code
 * Lineage l = Lineage.fromMap(StoreJson.read(models.open(version, ModelStore.LINEAGE_FILE), "lineage.json"));
 * System.out.println(l.job() + " (" + l.mode() + ") on " + l.spark().master() + ", from " + l.initFrom());
 * }</pre>
 *
 * @param job           the job that registered the model (a sweep's job, not its trial's)
 * @param mode          the request's mode: {@code compute} or {@code tree}
 * @param request       the request the job ran, as the codec writes it (every default filled in)
 * @param engine        compute mode: the engine that trained ({@code sparkgrid}, {@code dl4j})
 * @param sites         tree mode: the federation's sites and their accounts
 * @param rounds        tree mode: rounds completed
 * @param strategy      tree mode: the aggregation strategy's type
 * @param contributions tree mode: each accepted site's contribution to each round
 * @param initFrom      the model it started from, {@code name@version}; {@code null} if none
 * @param spark         the Spark application that trained it
 * @param createdAt     when the job finished training (ISO-8601)
 * @param sweep         a sweep: the winning trial
 * @param payouts       tree mode with a reward and no chain: each round's plan, recorded only
 * @param settlements   tree mode with a reward and a chain: each round's settlement on chain
 * @param publishedAt   when the store published the version (the store writes it)
 */
public record Lineage(String job, String mode, Map<String, Object> request, String engine, List<Site> sites,
    Integer rounds, String strategy, List<Contribution> contributions, String initFrom, SparkRun spark,
    String createdAt, Sweep sweep, List<Settlement> payouts, List<Settlement> settlements, String publishedAt) {

  public Lineage {
    request = request == null ? Map.of() : request;
    sites = sites == null ? null : List.copyOf(sites);
    contributions = contributions == null ? null : List.copyOf(contributions);
    payouts = payouts == null ? null : List.copyOf(payouts);
    settlements = settlements == null ? null : List.copyOf(settlements);
  }

  /**
   * A federation's site.
   *
   * @param id      the site
   * @param account the account its rewards are paid to
   */
  public record Site(String id, String account) {}

  /**
   * The Spark application a model was trained in.
   *
   * @param master        the master URL
   * @param applicationId the application
   * @param version       Spark's version
   */
  public record SparkRun(String master, String applicationId, String version) {}

  /**
   * The trial a sweep registered.
   *
   * @param trial     its number
   * @param trialJob  the job it trained under ({@code <job>-trial-<n>})
   * @param overrides what it changed in the sweep's request
   * @param request   the sweep's own request, as the codec writes it
   */
  public record Sweep(int trial, String trialJob, Map<String, Object> overrides, Map<String, Object> request) {

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("trial", trial);
      m.put("trialJob", trialJob);
      m.put("overrides", overrides);
      m.put("request", request);
      return m;
    }

    static Sweep fromMap(Map<String, Object> m) {
      return new Sweep(JsonFields.whole(m, "trial").intValue(), JsonFields.text(m, "trialJob"),
          JsonFields.map(m, "overrides"), JsonFields.map(m, "request"));
    }
  }

  /**
   * One round's settlement plan as lineage records it: its name, total and Merkle root; once paid on
   * chain also the settlement's id, transaction, chain and distributor.
   *
   * @param name            {@code <job>/round-<n>}
   * @param root            the Merkle root
   * @param total           tokens in the round (smallest unit), as a decimal string
   * @param settlementId    on chain: the distributor's settlement id; else {@code null}
   * @param transactionHash on chain: the transaction that published it; else {@code null}
   * @param chainId         on chain: the chain; else {@code null}
   * @param distributor     on chain: the distributor contract; else {@code null}
   */
  public record Settlement(String name, String root, String total, String settlementId, String transactionHash,
      Long chainId, String distributor) {

    /** A plan recorded without a chain. */
    public static Settlement recorded(String name, String root, String total) {
      return new Settlement(name, root, total, null, null, null, null);
    }

    /** As lineage holds it; absent parts left out. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      JsonFields.putIfPresent(m, "settlementId", settlementId);
      m.put("root", root);
      m.put("total", total);
      JsonFields.putIfPresent(m, "transactionHash", transactionHash);
      JsonFields.putIfPresent(m, "chainId", chainId);
      JsonFields.putIfPresent(m, "distributor", distributor);
      return m;
    }

    /** Reads {@link #toMap}. */
    public static Settlement fromMap(Map<String, Object> m) {
      return new Settlement(JsonFields.text(m, "name"), JsonFields.text(m, "root"), JsonFields.text(m, "total"),
          JsonFields.text(m, "settlementId"), JsonFields.text(m, "transactionHash"), JsonFields.whole(m, "chainId"),
          JsonFields.text(m, "distributor"));
    }
  }

  /** This lineage with a sweep's winning trial, under the sweep's job. */
  public Lineage withSweep(String sweepJob, Sweep trial) {
    return new Lineage(sweepJob, mode, request, engine, sites, rounds, strategy, contributions, initFrom, spark,
        createdAt, trial, payouts, settlements, publishedAt);
  }

  /**
   * The differential privacy a dp-fedavg federation spent, as {@code lineage.json}'s {@code privacy}
   * object: epsilon after its last round at {@code delta}, by the RDP accountant.
   *
   * @param epsilon         epsilon after {@code rounds} rounds (infinite with no noise)
   * @param delta           the delta it is reported at
   * @param noiseMultiplier z, the noise's standard deviation over the clip norm
   * @param samplingRate    the fraction of sites sampled each round, {@code federation.fraction}
   * @param rounds          rounds accounted
   */
  public record Privacy(double epsilon, double delta, double noiseMultiplier, double samplingRate, int rounds) {

    /** As lineage holds it; an infinite epsilon as the text {@code Infinity}, which JSON has no number for. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epsilon", Double.isInfinite(epsilon) ? "Infinity" : epsilon);
      m.put("delta", delta);
      m.put("noiseMultiplier", noiseMultiplier);
      m.put("samplingRate", samplingRate);
      m.put("rounds", rounds);
      return m;
    }
  }

  /** What {@code ModelStore.updateLineage} adds for a dp-fedavg federation: its final epsilon. */
  public static Map<String, Object> privacyUpdate(Privacy privacy) {
    return Map.of("privacy", privacy.toMap());
  }

  /** What {@code ModelStore.updateLineage} adds once a federation's rounds are recorded without a chain. */
  public static Map<String, Object> payoutsUpdate(List<Settlement> payouts) {
    return Map.of("payouts", payouts.stream().map(Settlement::toMap).toList());
  }

  /** What {@code ModelStore.updateLineage} adds once a federation's rounds are settled on chain. */
  public static Map<String, Object> settlementsUpdate(List<Settlement> settlements) {
    return Map.of("settlements", settlements.stream().map(Settlement::toMap).toList());
  }

  /** The settled rounds if any, else the recorded payouts, else none. */
  public List<Settlement> settledOrRecorded() {
    if (settlements != null && !settlements.isEmpty()) {
      return settlements;
    }
    return payouts == null ? List.of() : payouts;
  }

  /** As {@code lineage.json} holds it (without {@code publishedAt}, which the store writes). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job", job);
    JsonFields.putIfPresent(m, "mode", mode);
    m.put("request", request);
    JsonFields.putIfPresent(m, "engine", engine);
    if (sites != null) {
      m.put("sites", sites.stream().map(s -> {
        Map<String, Object> site = new LinkedHashMap<>();
        site.put("id", s.id());
        site.put("account", s.account());
        return site;
      }).toList());
    }
    JsonFields.putIfPresent(m, "rounds", rounds);
    JsonFields.putIfPresent(m, "strategy", strategy);
    if (contributions != null) {
      m.put("contributions", contributions.stream().map(Contribution::toMap).toList());
    }
    m.put("initFrom", initFrom);
    if (spark != null) {
      m.put("sparkMaster", spark.master());
      m.put("sparkApplicationId", spark.applicationId());
      m.put("sparkVersion", spark.version());
    }
    m.put("createdAt", createdAt);
    JsonFields.putIfPresent(m, "sweep", sweep == null ? null : sweep.toMap());
    if (payouts != null) {
      m.put("payouts", payouts.stream().map(Settlement::toMap).toList());
    }
    if (settlements != null) {
      m.put("settlements", settlements.stream().map(Settlement::toMap).toList());
    }
    return m;
  }

  /**
   * Reads {@code lineage.json}, leniently: a part that is missing reads as {@code null}, a
   * contribution or site that cannot be read is left out.
   */
  public static Lineage fromMap(Map<?, ?> m) {
    String master = JsonFields.text(m, "sparkMaster");
    String app = JsonFields.text(m, "sparkApplicationId");
    String sparkVersion = JsonFields.text(m, "sparkVersion");
    Long rounds = JsonFields.whole(m, "rounds");
    Map<String, Object> sweep = JsonFields.map(m, "sweep");
    return new Lineage(JsonFields.text(m, "job"), JsonFields.text(m, "mode"), JsonFields.map(m, "request"),
        JsonFields.text(m, "engine"),
        JsonFields.list(m, "sites", s -> new Site(require(JsonFields.text(s, "id"), "sites[].id"),
            JsonFields.text(s, "account"))),
        rounds == null ? null : rounds.intValue(), JsonFields.text(m, "strategy"),
        JsonFields.list(m, "contributions", Contribution::fromMap), JsonFields.text(m, "initFrom"),
        master == null && app == null && sparkVersion == null ? null : new SparkRun(master, app, sparkVersion),
        JsonFields.text(m, "createdAt"), sweep.isEmpty() ? null : Sweep.fromMap(sweep),
        JsonFields.list(m, "payouts", Settlement::fromMap), JsonFields.list(m, "settlements", Settlement::fromMap),
        JsonFields.text(m, "publishedAt"));
  }

  private static String require(String value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is missing");
    }
    return value;
  }
}
