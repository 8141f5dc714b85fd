package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.math.WeightedAverage;

/** The peer exchange's slicing and per-slice mean, as pure arithmetic. */
class SlicesTest {

  @Test
  void slicesAreContiguousNearEqualAndCoverTheVector() {
    // 10 floats among 3 workers: [0,3) [3,6) [6,10)
    assertThat(List.of(Slices.start(10, 3, 0), Slices.start(10, 3, 1), Slices.start(10, 3, 2), Slices.start(10, 3, 3)))
        .containsExactly(0, 3, 6, 10);
    assertThat(List.of(Slices.length(10, 3, 0), Slices.length(10, 3, 1), Slices.length(10, 3, 2)))
        .containsExactly(3, 3, 4);
    // fewer floats than workers: some slices are empty, all still cover [0, n)
    assertThat(List.of(Slices.length(2, 4, 0), Slices.length(2, 4, 1), Slices.length(2, 4, 2), Slices.length(2, 4, 3)))
        .containsExactly(0, 1, 0, 1);
  }

  @Test
  void aSliceOutOfRangeIsRefusedNamingIt() {
    assertThatThrownBy(() -> Slices.start(10, 3, 4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("slice 4 of 3 of 10 floats is out of range");
  }

  @Test
  void wireFloatsPerWorkerStayNearTwiceTheVectorWhateverTheWorkers() {
    int n = 1_000_000;
    assertThat(Slices.wireFloatsPerWorker(n, 1, 0)).isZero();
    // 2 workers: half out, half back
    assertThat(Slices.wireFloatsPerWorker(n, 2, 0)).isEqualTo(1_000_000L);
    // 4 workers: 750,000 out in the scatter, 3 x 250,000 in the gather
    assertThat(Slices.wireFloatsPerWorker(n, 4, 1)).isEqualTo(1_500_000L);
    for (int w = 2; w <= 64; w *= 2) {
      assertThat(Slices.wireFloatsPerWorker(n, w, 0)).isLessThan(2L * n);
    }
  }

  @Test
  void theMeanOfSlicesEqualsTheWholeVectorMeanBitForBit() {
    int n = 1001;
    float[][] v = {vector(n, 1), vector(n, 2), vector(n, 3)};
    long[] weights = {30, 0, 7};
    float[] whole = WeightedAverage.average(List.of(v[0], v[1], v[2]), weights);

    float[] assembled = new float[n];
    for (int s = 0; s < 3; s++) {
      int from = Slices.start(n, 3, s);
      int len = Slices.length(n, 3, s);
      float[] mean = Slices.weightedMean(v, new int[] {from, from, from}, weights, len);
      System.arraycopy(mean, 0, assembled, from, len);
    }

    assertThat(assembled).containsExactly(whole);
  }

  @Test
  void handComputedSliceMean() {
    // (1 x 2.0 + 2 x 1.0 + 1 x 2.0) / 4 = 1.5, on a slice that starts at different offsets per worker
    float[] mean = Slices.weightedMean(new float[][] {{9f, 2f}, {1f}, {9f, 9f, 2f}}, new int[] {1, 0, 2},
        new long[] {1, 2, 1}, 1);
    assertThat(mean).containsExactly(1.5f);
  }

  @Test
  void oneContributorsSliceComesBackUnchangedAndNoneGivesNull() {
    float[] v = {0.1f, 0.2f, 0.3f};
    assertThat(Slices.weightedMean(new float[][] {null, v}, new int[] {0, 1}, new long[] {0, 3}, 2))
        .containsExactly(0.2f, 0.3f);
    assertThat(Slices.weightedMean(new float[][] {null, null}, new int[] {0, 0}, new long[] {0, 0}, 2)).isNull();
  }

  private static float[] vector(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }
}
