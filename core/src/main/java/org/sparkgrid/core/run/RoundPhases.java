package org.sparkgrid.core.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where one federated round's wall time went, in milliseconds, phase by phase as the coordinator runs
 * them: the sites' training job (with the signature and shape checks), the merge, contribution
 * scoring (with bringing updates to the driver for it), the test evaluation, the checkpoint and the
 * settlement on chain. A phase that did not run is 0; one not measured (a round written by an older
 * version, or a checkpoint and settlement still to come when the round's own checkpoint was
 * written) is NaN.
 *
 * <pre>{@code
 * RoundPhases p = new RoundPhases(6100, 30, 180, 410, 220, 0);
 * p.coordinatorMs();      // 840: everything but the sites' training
 * p.toMap();              // {sites=6100.0, merge=30.0, scoring=180.0, evaluation=410.0, checkpoint=220.0, settlement=0.0}
 * }</pre>
 *
 * @param sitesMs      the sites' training job, until the round's updates are checked
 * @param mergeMs      the merge under the strategy (Spark stage or driver)
 * @param scoringMs    contribution scoring, including collecting the updates it needs
 * @param evaluationMs the new global model's evaluation on the coordinator's test set
 * @param checkpointMs the time the round loop waits for the checkpoint: it is written in the background
 *                     while the next round trains, so this is the wait for the previous round's write to
 *                     finish (and, with a chain to settle on, for this round's); the write's own duration
 *                     is logged by the writer ({@code checkpoint <job>/<round> written in the background})
 * @param settlementMs settling the round's rewards on chain
 */
public record RoundPhases(double sitesMs, double mergeMs, double scoringMs, double evaluationMs, double checkpointMs,
    double settlementMs) {

  /** Nothing measured: a round written before phases were recorded. */
  public static final RoundPhases UNKNOWN = new RoundPhases(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
      Double.NaN);

  /** These phases with the checkpoint's and the settlement's times, measured after the rest. */
  public RoundPhases withCheckpointAndSettlement(double checkpoint, double settlement) {
    return new RoundPhases(sitesMs, mergeMs, scoringMs, evaluationMs, checkpoint, settlement);
  }

  /** The coordinator's own share: every phase but the sites' training, the phases not measured left out. */
  public double coordinatorMs() {
    double sum = 0;
    for (double v : new double[] {mergeMs, scoringMs, evaluationMs, checkpointMs, settlementMs}) {
      sum += Double.isNaN(v) ? 0 : v;
    }
    return sum;
  }

  /** {@code {"sites": ms, "merge": ms, ...}}, phases not measured left out. */
  public Map<String, Double> toMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    put(m, "sites", sitesMs);
    put(m, "merge", mergeMs);
    put(m, "scoring", scoringMs);
    put(m, "evaluation", evaluationMs);
    put(m, "checkpoint", checkpointMs);
    put(m, "settlement", settlementMs);
    return m;
  }

  /** Reads {@link #toMap()} back; a phase the map leaves out reads as NaN. */
  public static RoundPhases fromMap(Map<?, ?> m) {
    return new RoundPhases(get(m, "sites"), get(m, "merge"), get(m, "scoring"), get(m, "evaluation"),
        get(m, "checkpoint"), get(m, "settlement"));
  }

  private static void put(Map<String, Double> m, String key, double v) {
    if (!Double.isNaN(v)) {
      m.put(key, v);
    }
  }

  private static double get(Map<?, ?> m, String key) {
    Double v = JsonFields.number(m, key);
    return v == null ? Double.NaN : v;
  }
}
