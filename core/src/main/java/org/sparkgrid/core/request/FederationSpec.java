package org.sparkgrid.core.request;

/**
 * Tree mode: sites train locally, their updates merge on Spark each round.
 *
 * @param sites          path of the federation file (sites, their data and accounts; required)
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
 */
public record FederationSpec(
    String sites, int rounds, int localEpochs, double fraction, int minSites, long roundTimeoutMs,
    StrategySpec strategy, String belowMinSites, int minSitesRetries, long minSitesRetryDelayMs) {

  /** {@code belowMinSites}: stop the federation. */
  public static final String FAIL = "fail";
  /** {@code belowMinSites}: ask the sites that missed again. */
  public static final String WAIT = "wait";
  /** The default of {@code minSitesRetries}. */
  public static final int DEFAULT_MIN_SITES_RETRIES = 3;
  /** The default of {@code minSitesRetryDelayMs}. */
  public static final long DEFAULT_MIN_SITES_RETRY_DELAY_MS = 10_000;

  /** A federation whose rounds fail when they have too few updates. */
  public FederationSpec(String sites, int rounds, int localEpochs, double fraction, int minSites, long roundTimeoutMs,
      StrategySpec strategy) {
    this(sites, rounds, localEpochs, fraction, minSites, roundTimeoutMs, strategy, FAIL, DEFAULT_MIN_SITES_RETRIES,
        DEFAULT_MIN_SITES_RETRY_DELAY_MS);
  }

  /** Whether a round short of updates retries the sites that missed ({@code belowMinSites: wait}). */
  public boolean waitsForMinSites() {
    return WAIT.equals(belowMinSites);
  }
}
