package org.sparkgrid.federation.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SiteSelectionTest {

  private static final List<String> TEN = List.of("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9");

  @Test
  void theSameSeedAndRoundSelectTheSameSitesWhateverTheListOrder() {
    List<String> reversed = new ArrayList<>(TEN);
    Collections.reverse(reversed);

    List<String> a = SiteSelection.select(TEN, Set.of(), 0.3, 1, 42, 5);
    List<String> b = SiteSelection.select(reversed, Set.of(), 0.3, 1, 42, 5);

    assertThat(a).hasSize(3).isEqualTo(b).isSorted();
  }

  @Test
  void roundsDrawDifferentSamples() {
    Set<List<String>> samples = new HashSet<>();
    for (int round = 0; round < 10; round++) {
      samples.add(SiteSelection.select(TEN, Set.of(), 0.3, 1, 42, round));
    }

    assertThat(samples.size()).isGreaterThan(5);
  }

  @Test
  void excludedSitesAreNeverSelected() {
    for (int round = 0; round < 100; round++) {
      assertThat(SiteSelection.select(TEN, Set.of("s3", "s7"), 0.5, 1, 1, round)).doesNotContain("s3", "s7").hasSize(4);
    }
  }

  @ParameterizedTest
  @CsvSource({
      "10, 0.3, 1, 3",    // 0.3 * 10 is 3.0000000000000004 in binary: still 3
      "10, 0.25, 1, 3",   // rounded up
      "10, 0.1, 4, 4",    // at least minSites
      "3, 0.5, 5, 3",     // but never more than there are
      "10, 1.0, 1, 10",
      "1, 0.01, 1, 1"})
  void sampleSize(int eligible, double fraction, int minSites, int expected) {
    assertThat(SiteSelection.sampleSize(eligible, fraction, minSites)).isEqualTo(expected);
  }

  @Test
  void refusesAFractionOfZero() {
    assertThatThrownBy(() -> SiteSelection.select(TEN, Set.of(), 0, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fraction is 0.0; must be in (0, 1]");
  }
}
