package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VectorsTest {

  @Test
  void clipScalesALongVectorToTheNorm() {
    float[] v = {3, 4};

    float[] clipped = Vectors.clipToNorm(v, 1);

    assertThat(clipped).containsExactly(0.6f, 0.8f);
    assertThat(v).containsExactly(3f, 4f);
  }

  @Test
  void clipLeavesAShortVectorAsItIs() {
    float[] v = {3, 4};

    assertThat(Vectors.clipToNorm(v, 5)).isSameAs(v);
    assertThat(Vectors.clipToNorm(v, 6)).isSameAs(v);
  }

  @Test
  void clipRefusesANonPositiveNorm() {
    assertThatThrownBy(() -> Vectors.clipToNorm(new float[] {1}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxNorm is 0.0; must be > 0 and finite");
  }

  @Test
  void normAndDistance() {
    assertThat(Vectors.norm(new float[] {3, 4})).isEqualTo(5);
    assertThat(Vectors.squaredDistance(new float[] {1, 1}, new float[] {4, 5})).isEqualTo(25);
  }
}
