package org.sparkgrid.jobs.report;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sparkgrid.core.run.Lineage;
import org.sparkgrid.core.run.RunMetrics;

/**
 * What a job's report is made from: the files of its registered model version as they parse, read
 * as core's records by {@link #runMetrics()} and {@link #lineageRecord()}.
 *
 * @param jobId    the job
 * @param model    the registered version, {@code name@version}; {@code null} when the job has none (yet)
 * @param location where the version's files (or, without a version, the job's run files) lie
 * @param metrics  {@code metrics.json}: {@code accuracy}, {@code loss}, {@code evaluation} (with
 *                 {@code confusion}, {@code precision}, {@code recall}, {@code f1}), {@code epochs}
 *                 (compute mode) or {@code rounds} (tree mode), timings, a sweep's {@code sweep}
 *                 (its leaderboard); without a version, the figures of the job's latest checkpoint
 * @param lineage  {@code lineage.json}: {@code job}, {@code mode}, {@code sites}, {@code contributions},
 *                 {@code payouts} or {@code settlements}, a sweep's {@code sweep} (the winning
 *                 trial), Spark details ...
 * @param request  the request the job ran, as the codec writes it (every default filled in); empty if unknown
 * @param notes    lines shown at the top of the page (the job's state in the job store, what is missing)
 */
public record ReportInputs(String jobId, String model, String location, Map<String, Object> metrics,
    Map<String, Object> lineage, Map<String, Object> request, List<String> notes) {

  /** @throws NullPointerException if the job id or a map is null */
  public ReportInputs {
    Objects.requireNonNull(jobId, "jobId");
    metrics = Objects.requireNonNull(metrics, "metrics");
    lineage = Objects.requireNonNull(lineage, "lineage");
    request = Objects.requireNonNull(request, "request");
    notes = List.copyOf(notes);
  }

  /** {@code tree} or {@code compute}: lineage's {@code mode}, else the request's, else compute. */
  public String mode() {
    String m = lineageRecord().mode();
    if (m == null) {
      m = JsonValues.text(request, "mode");
    }
    return m == null ? "compute" : m;
  }

  /** {@code metrics.json} as a record. */
  public RunMetrics runMetrics() {
    return RunMetrics.fromMap(metrics);
  }

  /** {@code lineage.json} as a record. */
  public Lineage lineageRecord() {
    return Lineage.fromMap(lineage);
  }
}
