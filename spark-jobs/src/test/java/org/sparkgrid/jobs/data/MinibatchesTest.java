package org.sparkgrid.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;

class MinibatchesTest {

  /** 3 examples of 2 features: example i is {10i, 10i+1}; labels 2, 0, 1. */
  private static final ExampleShard SHARD =
      ExampleShard.of(new int[] {2}, new float[] {0, 1, 10, 11, 20, 21}, new int[] {2, 0, 1});

  @Test
  void featuresAreFlatAndLabelsOneHot() {
    DataSet ds = Minibatches.batch(SHARD, null, 0, 2, 3, null);

    assertThat(ds.getFeatures().shape()).containsExactly(2, 2);
    assertThat(ds.getFeatures().toFloatMatrix()).isDeepEqualTo(new float[][] {{0, 1}, {10, 11}});
    assertThat(ds.getLabels().toFloatMatrix()).isDeepEqualTo(new float[][] {{0, 0, 1}, {1, 0, 0}});
  }

  @Test
  void orderPicksTheExamples() {
    DataSet ds = Minibatches.batch(SHARD, new int[] {2, 0, 1}, 1, 3, 3, null);

    assertThat(ds.getFeatures().toFloatMatrix()).isDeepEqualTo(new float[][] {{0, 1}, {10, 11}});
    assertThat(ds.getLabels().toFloatMatrix()).isDeepEqualTo(new float[][] {{0, 0, 1}, {1, 0, 0}});
  }

  @Test
  void appliesTheNormalizer() {
    ExampleShard pixels = ExampleShard.of(new int[] {2}, new float[] {0, 255}, new int[] {0});

    DataSet ds = Minibatches.batch(pixels, null, 0, 1, 2, new ImagePreProcessingScaler(0, 1));

    assertThat(ds.getFeatures().toFloatMatrix()).isDeepEqualTo(new float[][] {{0, 1}});
  }

  @Test
  void leavesTheShardUntouched() {
    Minibatches.batch(SHARD, null, 0, 3, 3, new ImagePreProcessingScaler(0, 1));

    assertThat(SHARD.features()).containsExactly(0, 1, 10, 11, 20, 21);
  }

  @Test
  void labelNotBelowNumClassesIsRejected() {
    assertThatThrownBy(() -> Minibatches.batch(SHARD, null, 0, 3, 2, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("example 0 has label 2, not below numClasses 2");
  }

  @Test
  void emptyOrOutOfBoundsRangeIsRejected() {
    assertThatThrownBy(() -> Minibatches.batch(SHARD, null, 2, 4, 3, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch range [2, 4) must be non-empty and within [0, 3)");
  }

  @Test
  void orderOfTheWrongLengthIsRejected() {
    assertThatThrownBy(() -> Minibatches.batch(SHARD, new int[] {0, 1}, 0, 1, 3, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("order has 2 indices but the shard has 3 examples");
  }

  @Test
  void shuffledOrderIsAPermutation() {
    int[] order = Minibatches.shuffledOrder(100, 42);

    int[] sorted = order.clone();
    Arrays.sort(sorted);
    assertThat(sorted).isEqualTo(range(100));
    assertThat(order).isNotEqualTo(range(100));
  }

  @Test
  void shuffledOrderIsTheSameForTheSameSeed() {
    assertThat(Minibatches.shuffledOrder(50, 7)).isEqualTo(Minibatches.shuffledOrder(50, 7));
    assertThat(Minibatches.shuffledOrder(50, 7)).isNotEqualTo(Minibatches.shuffledOrder(50, 8));
  }

  @Test
  void shuffledOrderOfZeroAndOne() {
    assertThat(Minibatches.shuffledOrder(0, 1)).isEmpty();
    assertThat(Minibatches.shuffledOrder(1, 1)).containsExactly(0);
  }

  @Test
  void numBatchesRoundsUp() {
    assertThat(Minibatches.numBatches(0, 64)).isZero();
    assertThat(Minibatches.numBatches(64, 64)).isEqualTo(1);
    assertThat(Minibatches.numBatches(65, 64)).isEqualTo(2);
    assertThat(Minibatches.numBatches(Integer.MAX_VALUE, 2)).isEqualTo(1 << 30);
  }

  @Test
  void numBatchesRejectsBatchSizeBelowOne() {
    assertThatThrownBy(() -> Minibatches.numBatches(10, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchSize must be >= 1, was 0");
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    Arrays.setAll(r, i -> i);
    return r;
  }
}
