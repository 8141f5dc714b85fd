package org.sparkgrid.jobs.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.jobs.run.RoundReport;

/** Tree-mode progress as events on {@code sparkgrid.events}. */
final class TreeEvents {
  private TreeEvents() {}

  /**
   * A finished round as a {@code round} event: test figures, epsilon (dp-fedavg), the milliseconds of
   * each phase ({@code sitesMs}, {@code mergeMs}, {@code scoringMs}, {@code evaluationMs},
   * {@code checkpointMs}, {@code settlementMs}), sites accepted, rejected and excluded, contributions.
   */
  static JobEvent.Round round(RoundReport r) {
    RoundMetrics m = r.metrics();
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (!Double.isNaN(m.testAccuracy())) {
      metrics.put("testAccuracy", m.testAccuracy());
      metrics.put("testLoss", m.testLoss());
    }
    metrics.put("seconds", m.seconds());
    if (!Double.isNaN(m.epsilon())) {
      metrics.put("epsilon", m.epsilon());
    }
    m.phases().toMap().forEach((phase, ms) -> metrics.put(phase + "Ms", ms));
    List<JobEvent.SiteContribution> contributions = r.contributions().stream()
        .map((Contribution c) -> new JobEvent.SiteContribution(c.siteId(), c.numExamples(), c.exampleShare(),
            c.lossImprovement(), c.shapley()))
        .toList();
    return new JobEvent.Round(m.round(), r.rounds(), metrics, m.accepted(), m.rejected(),
        r.excluded().stream().sorted().toList(), contributions);
  }
}
