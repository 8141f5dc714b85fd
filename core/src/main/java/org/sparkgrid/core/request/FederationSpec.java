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
 */
public record FederationSpec(
    String sites, int rounds, int localEpochs, double fraction, int minSites, long roundTimeoutMs,
    StrategySpec strategy) {}
