package org.sparkgrid.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExampleShardTest {

  private static final int[] SHAPE = {1, 2, 2};

  private static ExampleShard three() {
    return ExampleShard.of(SHAPE, new float[] {0, 1, 2, 3, 10, 11, 12, 255, 100, 101, 102, 103}, new int[] {2, 0, 1});
  }

  @Test
  void exposesCountShapeAndFeatures() {
    ExampleShard s = three();

    assertThat(s.count()).isEqualTo(3);
    assertThat(s.shape()).containsExactly(1, 2, 2);
    assertThat(s.numFeatures()).isEqualTo(4);
    assertThat(s.labels()).containsExactly(2, 0, 1);
  }

  @Test
  void rejectsFeaturesThatDoNotMatchLabelsTimesShape() {
    assertThatThrownBy(() -> ExampleShard.of(SHAPE, new float[7], new int[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("features has 7 values but 2 labels x 4 features per example [1, 2, 2] need 8");
  }

  @Test
  void rejectsNonPositiveDimension() {
    assertThatThrownBy(() -> ExampleShard.of(new int[] {1, 0, 2}, new float[0], new int[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shape [1, 0, 2] has a dimension < 1");
  }

  @Test
  void rejectsNegativeLabel() {
    assertThatThrownBy(() -> ExampleShard.of(new int[] {1}, new float[2], new int[] {0, -1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label of example 1 is -1, must be >= 0");
  }

  @Test
  void sliceCopiesTheRange() {
    ExampleShard s = three().slice(1, 3);

    assertThat(s.count()).isEqualTo(2);
    assertThat(s.features()).containsExactly(10, 11, 12, 255, 100, 101, 102, 103);
    assertThat(s.labels()).containsExactly(0, 1);
  }

  @Test
  void concatOfSlicesIsTheWhole() {
    ExampleShard s = three();

    ExampleShard joined = ExampleShard.concat(List.of(s.slice(0, 1), s.slice(1, 1), s.slice(1, 3)));

    assertThat(joined).isEqualTo(s);
  }

  @Test
  void concatRejectsDifferentShapes() {
    ExampleShard other = ExampleShard.of(new int[] {4}, new float[4], new int[] {0});

    assertThatThrownBy(() -> ExampleShard.concat(List.of(three(), other)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shard 1 has shape [4] but shard 0 has [1, 2, 2]");
  }

  @Test
  void concatRejectsEmptyList() {
    assertThatThrownBy(() -> ExampleShard.concat(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty list");
  }

  @Test
  void blockBoundsSplitSevenIntoTwoTwoThree() {
    assertThat(ExampleShard.blockBounds(7, 0, 3)).containsExactly(0, 2);
    assertThat(ExampleShard.blockBounds(7, 1, 3)).containsExactly(2, 4);
    assertThat(ExampleShard.blockBounds(7, 2, 3)).containsExactly(4, 7);
  }

  @Test
  void blockBoundsRejectShardOutOfRange() {
    assertThatThrownBy(() -> ExampleShard.blockBounds(7, 3, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shard must be in [0, 3), was 3");
  }

  @Test
  void survivesJavaSerialization() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(three());
    }

    Object back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = in.readObject();
    }

    assertThat(back).isEqualTo(three());
  }
}
