package org.sparkgrid.core.request;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Tree mode: sites train locally, their updates merge on Spark each round.
 *
 * <p>Which federation: {@code name}, a federation the operator registered ({@code bin/sparkgrid
 * federation add}), optionally narrowed to {@code siteIds}; or, only for {@code bin/sparkgrid
 * train|federate} run by the operator, {@code sites}, the path of a federation file. Exactly one of
 * {@code name} and {@code sites} is set; the service refuses {@code sites} (docs/tree-mode.md,
 * "Registered federations").
 *
 * @param sites          path of a federation file (sites, their data and accounts); {@code null} when
 *                       the request names a registered federation
 * @param rounds         rounds to run, 1..100000 (required)
 * @param localEpochs    epochs each site trains per round, 1..1000 (default 1)
 * @param fraction       fraction of sites sampled per round, (0, 1] (default 1.0)
 * @param minSites       fewest updates a round needs, >= 1 (default 1)
 * @param roundTimeoutMs deadline of a round in ms; later updates are dropped, >= 1000 (default 600000)
 * @param strategy       how updates merge (default {@code {"type": "fedavg"}})
 * @param belowMinSites  what a round with fewer valid updates than it needs does: {@code fail} (stop the
 *                       federation, the default) or {@code wait} (ask the sites that missed again)
 * @param minSitesRetries      with {@code wait}: how many times, 1..1000 (default 3)
 * @param minSitesRetryDelayMs with {@code wait}: pause before each retry in ms, 0..3600000 (default 10000)
 * @param name           the registered federation this request runs in ({@link #isValidName}); {@code null}
 *                       with {@code sites}
 * @param siteIds        with {@code name}: the sites of it that take part, each at most once (empty: all of them)
 * @param learningRateDecay the sites' learning rate is {@code training.updater.learningRate * learningRateDecay^r}
 *                       in round {@code r} (counted from 0), in (0, 1] (default 1: constant)
 */
public record FederationSpec(
    String sites, int rounds, int localEpochs, double fraction, int minSites, long roundTimeoutMs,
    StrategySpec strategy, String belowMinSites, int minSitesRetries, long minSitesRetryDelayMs,
    String name, List<String> siteIds, double learningRateDecay) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** {@code belowMinSites}: stop the federation. */
  public static final String FAIL = "fail";
  /** {@code belowMinSites}: ask the sites that missed again. */
  public static final String WAIT = "wait";
  /** The default of {@code minSitesRetries}. */
  public static final int DEFAULT_MIN_SITES_RETRIES = 3;
  /** The default of {@code minSitesRetryDelayMs}. */
  public static final long DEFAULT_MIN_SITES_RETRY_DELAY_MS = 10_000;

  /** Copies the site ids; {@code null} is none. */
  public FederationSpec {
    siteIds = siteIds == null ? List.of() : List.copyOf(siteIds);
  }

  /** The same federation with a constant site learning rate ({@code learningRateDecay} 1). */
  public FederationSpec(String sites, int rounds, int localEpochs, double fraction, int minSites, long roundTimeoutMs,
      StrategySpec strategy, String belowMinSites, int minSitesRetries, long minSitesRetryDelayMs, String name,
      List<String> siteIds) {
    this(sites, rounds, localEpochs, fraction, minSites, roundTimeoutMs, strategy, belowMinSites, minSitesRetries,
        minSitesRetryDelayMs, name, siteIds, 1.0);
  }

  /**
   * The sites' learning rate in round {@code round} (from 0): {@code base * learningRateDecay^round}.
   *
   * <pre>{@code new FederationSpec(...).siteLearningRate(0.001, 10)  // 0.001 * 0.95^10 with decay 0.95}</pre>
   */
  public double siteLearningRate(double base, int round) {
    return learningRateDecay == 1.0 ? base : base * Math.pow(learningRateDecay, round);
  }

  /** A federation file's federation whose rounds fail when they have too few updates. */
  public FederationSpec(String sites, int rounds, int localEpochs, double fraction, int minSites, long roundTimeoutMs,
      StrategySpec strategy) {
    this(sites, rounds, localEpochs, fraction, minSites, roundTimeoutMs, strategy, FAIL, DEFAULT_MIN_SITES_RETRIES,
        DEFAULT_MIN_SITES_RETRY_DELAY_MS, null, List.of());
  }

  /** A registered federation, narrowed to {@code siteIds} (empty: all), whose short rounds fail. */
  public static FederationSpec registered(String name, List<String> siteIds, int rounds, int localEpochs,
      double fraction, int minSites, long roundTimeoutMs, StrategySpec strategy) {
    return new FederationSpec(null, rounds, localEpochs, fraction, minSites, roundTimeoutMs, strategy, FAIL,
        DEFAULT_MIN_SITES_RETRIES, DEFAULT_MIN_SITES_RETRY_DELAY_MS, name, siteIds);
  }

  /**
   * Whether {@code name} can name a registered federation: 1-64 of {@code [A-Za-z0-9._-]}, starting
   * with a letter or digit (so it is also a safe file name).
   */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** Whether the request names a registered federation ({@code name}) rather than a file ({@code sites}). */
  public boolean isRegistered() {
    return name != null;
  }

  /** Whether a round short of updates retries the sites that missed ({@code belowMinSites: wait}). */
  public boolean waitsForMinSites() {
    return WAIT.equals(belowMinSites);
  }
}
