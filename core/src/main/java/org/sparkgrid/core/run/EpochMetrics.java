package org.sparkgrid.core.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch's figures, as written to metrics.json.
 *
 * @param epoch             1-based epoch
 * @param trainLoss         mean training loss per example over the epoch
 * @param testAccuracy      test accuracy after the epoch (NaN without a test set)
 * @param testLoss          mean test loss per example after the epoch (NaN without a test set)
 * @param examples          training examples fitted in the epoch, all workers together
 * @param trainSeconds      wall time of the epoch's training (Spark jobs), without evaluation
 * @param examplesPerSecond {@code examples / trainSeconds}
 */
public record EpochMetrics(
    int epoch, double trainLoss, double testAccuracy, double testLoss, long examples, double trainSeconds,
    double examplesPerSecond) {

  /** As a JSON-ready map; NaN values are left out. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", epoch);
    putFinite(m, "trainLoss", trainLoss);
    putFinite(m, "testAccuracy", testAccuracy);
    putFinite(m, "testLoss", testLoss);
    m.put("examples", examples);
    putFinite(m, "trainSeconds", trainSeconds);
    putFinite(m, "examplesPerSecond", examplesPerSecond);
    return m;
  }

  /** Reads {@link #toMap()} back. */
  public static EpochMetrics fromMap(Map<String, Object> m) {
    return new EpochMetrics(
        ((Number) m.get("epoch")).intValue(),
        num(m, "trainLoss"), num(m, "testAccuracy"), num(m, "testLoss"),
        ((Number) m.get("examples")).longValue(),
        num(m, "trainSeconds"), num(m, "examplesPerSecond"));
  }

  private static double num(Map<String, Object> m, String k) {
    Object v = m.get(k);
    return v == null ? Double.NaN : ((Number) v).doubleValue();
  }

  private static void putFinite(Map<String, Object> m, String k, double v) {
    if (Double.isFinite(v)) {
      m.put(k, v);
    }
  }
}
