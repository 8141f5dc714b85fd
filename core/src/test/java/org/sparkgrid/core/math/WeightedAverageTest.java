package org.sparkgrid.core.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightedAverageTest {

  @Test
  void weightsByExampleCountLikeFlower() {
    // Prepare: Flower's aggregate_test, [(1, 2.0), (2, 1.0), (1, 2.0)] -> 1.5
    List<float[]> vectors = List.of(new float[] {2.0f}, new float[] {1.0f}, new float[] {2.0f});
    long[] weights = {1, 2, 1};

    // Execute
    float[] average = WeightedAverage.average(vectors, weights);

    // Assert
    assertThat(average).containsExactly(1.5f);
  }

  @Test
  void unequalWeightsPullTowardsTheLargerSite() {
    // Prepare: (3 * [1, 10] + 1 * [5, 2]) / 4 = [2, 8]
    List<float[]> vectors = List.of(new float[] {1, 10}, new float[] {5, 2});

    // Execute
    float[] average = WeightedAverage.average(vectors, new long[] {3, 1});

    // Assert
    assertThat(average).containsExactly(2f, 8f);
  }

  @Test
  void equalWeightsGiveThePlainMean() {
    float[] average = WeightedAverage.average(List.of(new float[] {1, 4}, new float[] {3, 0}), new long[] {7, 7});

    assertThat(average).containsExactly(2f, 2f);
  }

  @Test
  void aZeroWeightVectorContributesNothingNotEvenNaN() {
    float[] average = WeightedAverage.average(
        List.of(new float[] {4}, new float[] {Float.NaN}), new long[] {2, 0});

    assertThat(average).containsExactly(4f);
  }

  @Test
  void passesNaNAndInfinityThrough() {
    float[] average = WeightedAverage.average(
        List.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1}, new float[] {1, 1, 1}), new long[] {1, 1});

    assertThat(average).containsExactly(Float.NaN, Float.POSITIVE_INFINITY, 1f);
  }

  @Test
  void leavesItsInputsUnchanged() {
    float[] a = {1, 2};
    float[] b = {3, 4};

    WeightedAverage.average(List.of(a, b), new long[] {1, 1});

    assertThat(a).containsExactly(1, 2);
    assertThat(b).containsExactly(3, 4);
  }

  @Test
  void parallelEqualsSequentialBitForBit() {
    // Prepare: magnitudes over eight decades, so any change in the order of operations would show
    Random random = new Random(7);
    List<float[]> vectors = new ArrayList<>();
    long[] weights = new long[9];
    for (int k = 0; k < weights.length; k++) {
      float[] v = new float[1003];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8) - 4));
      }
      vectors.add(v);
      weights[k] = 1 + random.nextInt(60_000);
    }
    float[] sequential = WeightedAverage.average(vectors, weights);

    for (int threads : new int[] {1, 2, 3, 7, 16, 5000}) {
      // Execute
      float[] parallel = WeightedAverage.averageParallel(vectors, weights, threads);

      // Assert: Arrays.equals on float[] compares bit patterns (NaN == NaN, 0.0 != -0.0)
      assertThat(Arrays.equals(parallel, sequential)).as("threads=%d", threads).isTrue();
    }
  }

  @Test
  void parallelHandlesAnEmptyVector() {
    float[] average = WeightedAverage.averageParallel(List.of(new float[0], new float[0]), new long[] {1, 1}, 4);

    assertThat(average).isEmpty();
  }

  @Test
  void accumulateAndScaleTouchOnlyTheirRange() {
    // Prepare
    float[] sum = {1, 1, 1, 1};

    // Execute
    WeightedAverage.accumulate(sum, new float[] {5, 5, 5, 5}, 2f, 1, 3);
    WeightedAverage.scale(sum, 0.5f, 2, 4);

    // Assert
    assertThat(sum).containsExactly(1f, 11f, 5.5f, 0.5f);
  }

  @Test
  void refusesVectorsOfDifferentLengthsNamingTheIndex() {
    assertThatThrownBy(() -> WeightedAverage.average(
        List.of(new float[2], new float[2], new float[3]), new long[] {1, 1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("vectors[2] has length 3 but vectors[0] has length 2");
  }

  @Test
  void refusesANegativeWeightNamingTheIndex() {
    assertThatThrownBy(() -> WeightedAverage.average(List.of(new float[1], new float[1]), new long[] {1, -3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weights[1] is -3; weights must be >= 0");
  }

  @Test
  void refusesAllZeroWeights() {
    assertThatThrownBy(() -> WeightedAverage.average(List.of(new float[1], new float[1]), new long[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("every weight is 0; at least one must be positive");
  }

  @Test
  void refusesACountMismatch() {
    assertThatThrownBy(() -> WeightedAverage.average(List.of(new float[1]), new long[] {1, 1}))
        .hasMessage("1 vectors but 2 weights; need one weight per vector");
  }

  @Test
  void refusesAnEmptyList() {
    assertThatThrownBy(() -> WeightedAverage.average(List.of(), new long[0])).hasMessage("no vectors to average");
  }

  @Test
  void refusesANullVectorNamingTheIndex() {
    List<float[]> vectors = Arrays.asList(new float[1], null);

    assertThatThrownBy(() -> WeightedAverage.average(vectors, new long[] {1, 1})).hasMessage("vectors[1] is null");
  }

  @Test
  void refusesZeroThreads() {
    assertThatThrownBy(() -> WeightedAverage.averageParallel(List.of(new float[1]), new long[] {1}, 0))
        .hasMessage("threads is 0; must be at least 1");
  }

  @Test
  void refusesAccumulatingArraysOfDifferentLengths() {
    assertThatThrownBy(() -> WeightedAverage.accumulate(new float[2], new float[3], 1f, 0, 2))
        .hasMessage("sum has length 2 but v has length 3");
  }

  @Test
  void refusesARangeOutsideTheArray() {
    assertThatThrownBy(() -> WeightedAverage.scale(new float[2], 1f, 1, 3))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
