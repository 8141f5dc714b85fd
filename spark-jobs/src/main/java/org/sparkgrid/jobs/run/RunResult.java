package org.sparkgrid.jobs.run;

import java.util.Map;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.core.sweep.Leaderboard;

/**
 * What a finished {@link TrainingRun} registered and measured, whatever its mode. Each mode's
 * result record ({@code ComputeJob.Result}, {@code SweepRunner.Result}, {@code FederationRunner.Result})
 * implements it and adds what only that mode has (epochs, a leaderboard, rounds and contributions).
 */
public interface RunResult {

  /** The job. */
  String jobId();

  /** The registered model version. */
  ModelVersion version();

  /**
   * The headline figures the service's {@code succeeded} event carries (e.g. {@code accuracy},
   * {@code loss}); empty without a test set.
   */
  Map<String, Double> metrics();

  /** A sweep's leaderboard, the winner included; {@code null} for other runs. */
  default Leaderboard leaderboard() {
    return null;
  }

  /** Figures by name, in the order given: {@code figures("accuracy", 0.91, "loss", 0.3)}. */
  static Map<String, Double> figures(Object... namesAndValues) {
    Map<String, Double> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put((String) namesAndValues[i], (Double) namesAndValues[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
