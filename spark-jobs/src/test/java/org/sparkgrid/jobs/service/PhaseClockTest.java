package org.sparkgrid.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.TimeoutSpec;
import org.sparkgrid.jobs.run.JobPhase;

/** Phase time against limits, on a clock the test moves by hand (1 ms = 1,000,000 ns). */
class PhaseClockTest {
  private long now;

  private PhaseClock clock(Map<JobPhase, Long> limitsMs) {
    return new PhaseClock(limitsMs, () -> now);
  }

  private void advanceMs(long ms) {
    now += ms * 1_000_000L;
  }

  @Test
  void aLimitedPhaseStartsWithItsWholeLimitLeft() {
    PhaseClock c = clock(Map.of(JobPhase.TRAIN, 100L));

    assertThat(c.enter(JobPhase.TRAIN)).hasValue(100_000_000L);
  }

  @Test
  void anUnlimitedPhaseHasNoDeadline() {
    PhaseClock c = clock(Map.of(JobPhase.TRAIN, 100L));

    assertThat(c.enter(JobPhase.DATA)).isEmpty();
    advanceMs(10_000);
    assertThat(c.left()).isEmpty();
  }

  @Test
  void timeInAPhaseAddsUpAcrossItsStretches() {
    PhaseClock c = clock(Map.of(JobPhase.TRAIN, 100L, JobPhase.CHECKPOINT, 50L));
    c.enter(JobPhase.TRAIN);
    advanceMs(60);
    c.enter(JobPhase.CHECKPOINT);
    advanceMs(20);

    OptionalLong trainLeft = c.enter(JobPhase.TRAIN);      // 60 of 100 used
    advanceMs(30);

    assertThat(trainLeft).hasValue(40_000_000L);
    assertThat(c.left()).hasValue(10_000_000L);
    assertThat(c.enter(JobPhase.CHECKPOINT)).hasValue(30_000_000L); // 20 of 50 used
  }

  @Test
  void aPhaseOverItsLimitHasNothingLeft() {
    PhaseClock c = clock(Map.of(JobPhase.DATA, 5L));
    c.enter(JobPhase.DATA);

    advanceMs(7);

    assertThat(c.left()).hasValue(0L);
    assertThat(c.current()).isEqualTo(JobPhase.DATA);
  }

  @Test
  void theRequestsLimitWinsOverTheServiceDefaultAndZeroMeansNone() {
    SparkGridConfig config = SparkGridConfig.from(Map.of(
        "spark.sparkgrid.service.timeout.dataMs", "1000",
        "spark.sparkgrid.service.timeout.trainMs", "2000",
        "spark.sparkgrid.service.timeout.checkpointMs", "3000"));

    Map<JobPhase, Long> limits = PhaseClock.limits(new TimeoutSpec(null, 250L, 0L), config);

    assertThat(limits).containsExactly(Map.entry(JobPhase.DATA, 1000L), Map.entry(JobPhase.TRAIN, 250L));
  }

  @Test
  void noRequestLimitsAndNoDefaultsMeansNoLimits() {
    assertThat(PhaseClock.limits(TimeoutSpec.NONE, SparkGridConfig.defaults())).isEmpty();
  }

  @Test
  void refusesALimitBelowOneMillisecond() {
    assertThatThrownBy(() -> clock(Map.of(JobPhase.TRAIN, 0L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit of phase train must be at least 1 ms, got 0");
  }
}
