package org.sparkgrid.jobs.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.sparkgrid.ingest.jobs.JobState;

class JobCountsTest {
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicInteger reads = new AtomicInteger();

  private Supplier<Map<JobState, Long>> answers(Deque<Object> answers) {
    return () -> {
      reads.incrementAndGet();
      Object a = answers.removeFirst();
      if (a instanceof RuntimeException e) {
        throw e;
      }
      @SuppressWarnings("unchecked")
      Map<JobState, Long> m = (Map<JobState, Long>) a;
      return m;
    };
  }

  @Test
  void oneReadServesEveryStateUntilItIsOlderThanTheMaxAge() {
    Deque<Object> answers = new ArrayDeque<>();
    answers.add(Map.of(JobState.QUEUED, 3L, JobState.SUCCEEDED, 1L));
    answers.add(Map.of(JobState.QUEUED, 2L, JobState.SUCCEEDED, 2L));
    JobCounts counts = new JobCounts(answers(answers), 1_000, nanos::get);

    assertThat(counts.get(JobState.QUEUED)).isEqualTo(OptionalLong.of(3));
    nanos.set(1_000_000_000L); // exactly 1 s later: still the first read
    assertThat(counts.get(JobState.SUCCEEDED)).isEqualTo(OptionalLong.of(1));
    nanos.set(1_000_000_001L);
    assertThat(counts.get(JobState.QUEUED)).isEqualTo(OptionalLong.of(2));
    assertThat(reads).hasValue(2);
  }

  @Test
  void aStoreThatFailsGivesNoCountUntilItAnswersAgain() {
    Deque<Object> answers = new ArrayDeque<>();
    answers.add(new IllegalStateException("database down"));
    answers.add(Map.of(JobState.QUEUED, 4L));
    JobCounts counts = new JobCounts(answers(answers), 0, nanos::get);

    assertThat(counts.get(JobState.QUEUED)).isEmpty();
    nanos.set(1);
    assertThat(counts.get(JobState.QUEUED)).isEqualTo(OptionalLong.of(4));
    assertThat(counts.get(JobState.FAILED)).as("a state the store did not report").isEmpty();
  }

  @Test
  void refusesANegativeMaxAgeNamingIt() {
    assertThatThrownBy(() -> new JobCounts(Map::of, -1, nanos::get))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAgeMs must be at least 0, got -1");
  }
}
