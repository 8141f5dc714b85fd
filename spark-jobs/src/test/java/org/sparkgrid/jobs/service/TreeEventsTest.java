package org.sparkgrid.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.run.RoundMetrics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.jobs.run.RoundReport;

class TreeEventsTest {

  @Test
  void theRoundEventCarriesEpsilonOnlyForADpStrategy() {
    // Prepare: the same round without and with privacy accounting
    RoundMetrics plain = new RoundMetrics(1, 0.8, 0.5, List.of("a"), List.of("a"), Map.of(), 2.0, 1.5);
    RoundMetrics dp = new RoundMetrics(1, 0.8, 0.5, List.of("a"), List.of("a"), Map.of(), 2.0, 1.5, 3.25);

    // Execute
    JobEvent.Round without = TreeEvents.round(new RoundReport(plain, 3, List.of(), Set.of()));
    JobEvent.Round with = TreeEvents.round(new RoundReport(dp, 3, List.of(), Set.of()));

    // Assert
    assertThat(without.metrics()).doesNotContainKey("epsilon").containsEntry("seconds", 2.0);
    assertThat(with.metrics()).containsEntry("epsilon", 3.25).containsEntry("testAccuracy", 0.8);
  }

  @Test
  void theRoundEventCarriesEachPhasesMilliseconds() {
    RoundMetrics m = new RoundMetrics(1, 0.8, 0.5, List.of("a"), List.of("a"), Map.of(), 7.0, 6.0, Double.NaN,
        new org.sparkgrid.core.run.RoundPhases(6000, 30, 180, 410, 220, 0));

    JobEvent.Round e = TreeEvents.round(new RoundReport(m, 3, List.of(), Set.of()));

    assertThat(e.metrics()).containsEntry("sitesMs", 6000.0).containsEntry("mergeMs", 30.0)
        .containsEntry("scoringMs", 180.0).containsEntry("evaluationMs", 410.0).containsEntry("checkpointMs", 220.0)
        .containsEntry("settlementMs", 0.0);
  }
}
