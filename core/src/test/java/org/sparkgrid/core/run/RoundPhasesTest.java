package org.sparkgrid.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundPhasesTest {

  @Test
  void theCoordinatorsShareIsEveryPhaseButTheSites() {
    RoundPhases p = new RoundPhases(6100, 30, 180, 410, 220, 0);

    assertThat(p.coordinatorMs()).isEqualTo(840.0);
    assertThat(p.toMap()).containsExactly(Map.entry("sites", 6100.0), Map.entry("merge", 30.0),
        Map.entry("scoring", 180.0), Map.entry("evaluation", 410.0), Map.entry("checkpoint", 220.0),
        Map.entry("settlement", 0.0));
  }

  @Test
  void phasesNotMeasuredYetAreLeftOutAndReadBackAsNaN() {
    RoundPhases before = new RoundPhases(5000, 20, 100, 300, Double.NaN, Double.NaN);

    assertThat(before.toMap()).doesNotContainKeys("checkpoint", "settlement");
    assertThat(before.coordinatorMs()).isEqualTo(420.0);
    assertThat(RoundPhases.fromMap(before.toMap())).isEqualTo(before);
    assertThat(before.withCheckpointAndSettlement(250, 1200)).isEqualTo(new RoundPhases(5000, 20, 100, 300, 250, 1200));
  }

  @Test
  void aRoundsPhasesTravelInItsMapAndAnOlderRoundReadsAsUnknown() {
    RoundMetrics m = new RoundMetrics(2, 0.8, 0.5, List.of("a"), List.of("a"), Map.of(), 7.5, 6.0, Double.NaN,
        new RoundPhases(6000, 30, 180, 410, 220, 0));
    Map<String, Object> old = new java.util.LinkedHashMap<>(m.toMap());
    old.remove("phasesMs");

    assertThat(m.toMap()).containsEntry("phasesMs", m.phases().toMap());
    assertThat(RoundMetrics.fromMap(m.toMap())).isEqualTo(m);
    assertThat(RoundMetrics.fromMap(old).phases()).isEqualTo(RoundPhases.UNKNOWN);
    assertThat(RoundMetrics.fromMap(old).toMap()).doesNotContainKey("phasesMs");
  }
}
