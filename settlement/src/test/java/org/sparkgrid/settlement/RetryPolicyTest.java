package org.sparkgrid.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void backoffDoublesUpToTheMaximum() {
    RetryPolicy p = new RetryPolicy(0, Duration.ofMillis(100), Duration.ofMillis(500));

    assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(p.backoff(3)).isEqualTo(Duration.ofMillis(400));
    assertThat(p.backoff(4)).isEqualTo(Duration.ofMillis(500));
    assertThat(p.backoff(60)).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void zeroAttemptsMeansNoLimitAndTheDefaultIsBounded() {
    assertThat(new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1)).allowsAnother(1_000_000)).isTrue();
    assertThat(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(1)).allowsAnother(3)).isFalse();
    assertThat(RetryPolicy.DEFAULT.allowsAnother(9)).isTrue();
    assertThat(RetryPolicy.DEFAULT.allowsAnother(10)).isFalse();
  }

  @Test
  void aShorterMaximumIsRefused() {
    assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBackoff must be >= initialBackoff (PT2S). Current value is PT1S.");
  }
}
