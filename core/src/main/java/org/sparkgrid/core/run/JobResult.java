package org.sparkgrid.core.run;

import java.util.LinkedHashMap;
import java.util.Map;
import org.sparkgrid.core.sweep.Leaderboard;

/**
 * A succeeded job's result, as the service records it in the job store: the model version it
 * registered and, for a sweep, its leaderboard. Read back by {@code bin/sparkgrid job} and the report.
 *
 * @param model   the registered model's name
 * @param version its version
 * @param sweep   a sweep's leaderboard; {@code null} otherwise
 */
public record JobResult(String model, Long version, Leaderboard sweep) {

  /** As the job store holds it: {@code {"model": ..., "version": ..., "sweep": ...}}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    m.put("version", version);
    JsonFields.putIfPresent(m, "sweep", sweep == null ? null : sweep.toMap());
    return m;
  }

  /**
   * Reads {@link #toMap}; a missing part reads as {@code null}.
   *
   * @throws IllegalArgumentException if {@code sweep} is there but is not a leaderboard
   */
  public static JobResult fromMap(Map<?, ?> m) {
    return new JobResult(JsonFields.text(m, "model"), JsonFields.whole(m, "version"),
        m.get("sweep") instanceof Map<?, ?> s ? Leaderboard.fromMap(s) : null);
  }
}
