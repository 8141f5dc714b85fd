package org.sparkgrid.jobs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AveragingTest {

  private static String msg(long weight, float... v) {
    return new VectorMessage(weight, v).encode();
  }

  @Test
  void messagesRoundTrip() {
    VectorMessage m = VectorMessage.decode(msg(7, 1.5f, -2f, Float.MIN_VALUE));

    assertThat(m.weight()).isEqualTo(7);
    assertThat(m.vector()).containsExactly(1.5f, -2f, Float.MIN_VALUE);
  }

  @Test
  void weightZeroSendsNoVector() {
    assertThat(VectorMessage.decode(msg(0, 1f, 2f)).vector()).isEmpty();
  }

  @Test
  void meanIsWeightedByExamples() {
    // (1 x 2.0 + 2 x 1.0 + 1 x 2.0) / 4 = 1.5
    float[] mean = Averaging.merge(new String[] {msg(1, 2f), msg(2, 1f), msg(1, 2f)});

    assertThat(mean).containsExactly(1.5f);
  }

  @Test
  void workersWithoutExamplesTakeNoPart() {
    float[] mean = Averaging.merge(new String[] {msg(30, 1f, 4f), msg(0), msg(10, 5f, 0f)});

    assertThat(mean).containsExactly(2f, 3f);
  }

  @Test
  void allWeightsZeroGivesNull() {
    assertThat(Averaging.merge(new String[] {msg(0), msg(0)})).isNull();
  }

  @Test
  void truncatedMessageIsRefused() {
    String bad = java.util.Base64.getEncoder().encodeToString(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1});

    assertThatThrownBy(() -> VectorMessage.decode(bad))
        .hasMessage("averaging message declares 3 floats but carries 1 bytes");
  }
}
