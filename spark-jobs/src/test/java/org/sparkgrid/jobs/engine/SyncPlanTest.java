package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SyncPlanTest {

  @Test
  void stepsCoverTheWorkerWithTheMostMinibatches() {
    // worker 0: 100 examples = 10 batches of 10; worker 1: 35 = 4 batches (last of 5)
    SyncPlan plan = new SyncPlan(new int[] {100, 35}, 10, 3, 1);

    assertThat(plan.steps()).isEqualTo(4); // ceil(10 / 3)
    assertThat(plan.firstBatch(0, 3)).isEqualTo(9);
    assertThat(plan.endBatch(0, 3)).isEqualTo(10);
    assertThat(plan.firstBatch(1, 1)).isEqualTo(3);
    assertThat(plan.endBatch(1, 1)).isEqualTo(4);
    assertThat(plan.firstBatch(1, 2)).isEqualTo(4);
    assertThat(plan.endBatch(1, 2)).isEqualTo(4);
  }

  @Test
  void examplesInStepAreTheAveragingWeights() {
    SyncPlan plan = new SyncPlan(new int[] {100, 35}, 10, 3, 1);

    assertThat(plan.examplesInStep(0, 0)).isEqualTo(30);
    assertThat(plan.examplesInStep(0, 3)).isEqualTo(10);
    assertThat(plan.examplesInStep(1, 0)).isEqualTo(30);
    assertThat(plan.examplesInStep(1, 1)).isEqualTo(5); // the short last minibatch
    assertThat(plan.examplesInStep(1, 2)).isZero(); // ran out: weight 0
  }

  @Test
  void everyExampleIsFittedExactlyOncePerEpoch() {
    SyncPlan plan = new SyncPlan(new int[] {97, 64, 0, 13}, 8, 5, 3);
    for (int w = 0; w < plan.workers(); w++) {
      int sum = 0;
      for (int s = 0; s < plan.steps(); s++) {
        sum += plan.examplesInStep(w, s);
      }
      assertThat(sum).as("worker %d", w).isEqualTo(plan.count(w));
    }
  }

  @Test
  void segmentsSplitTheStepsEvenly() {
    SyncPlan plan = new SyncPlan(new int[] {1000}, 10, 10, 4); // 10 steps, 4 jobs

    assertThat(plan.segments()).isEqualTo(4);
    assertThat(new int[] {plan.segmentStart(0), plan.segmentStart(1), plan.segmentStart(2), plan.segmentStart(3),
        plan.segmentStart(4)}).containsExactly(0, 2, 5, 7, 10);
    assertThat(plan.segmentOf(0)).isZero();
    assertThat(plan.segmentOf(6)).isEqualTo(2);
    assertThat(plan.segmentOf(9)).isEqualTo(3);
  }

  @Test
  void fewerSegmentsThanRequestedWhenStepsAreFew() {
    SyncPlan plan = new SyncPlan(new int[] {20}, 10, 1, 8);

    assertThat(plan.steps()).isEqualTo(2);
    assertThat(plan.segments()).isEqualTo(2);
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> new SyncPlan(new int[] {10}, 0, 1, 1))
        .hasMessage("batchSize must be at least 1, got 0");
    assertThatThrownBy(() -> new SyncPlan(new int[] {10, -1}, 2, 1, 1))
        .hasMessage("worker 1 has a negative example count -1");
    assertThatThrownBy(() -> new SyncPlan(new int[] {0, 0}, 2, 1, 1))
        .hasMessage("no worker holds any example");
  }
}
