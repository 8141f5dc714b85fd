package org.sparkgrid.jobs.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StateFileTest {

  private static byte[] written(float[] params, float[] updater) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StateFile.write(params, updater, out);
    return out.toByteArray();
  }

  @Test
  void readsBackWhatItWroteBitForBit() throws IOException {
    float[] params = {1.5f, -0.0f, Float.MIN_VALUE, 3.4e38f};
    float[] updater = {0.25f, Float.NaN};

    float[][] read = StateFile.read(new ByteArrayInputStream(written(params, updater)));

    assertThat(read[0]).containsExactly(params);
    assertThat(Float.floatToRawIntBits(read[1][1])).isEqualTo(Float.floatToRawIntBits(Float.NaN));
    assertThat(read[1][0]).isEqualTo(0.25f);
  }

  @Test
  void anEmptyUpdaterStateIsKept() throws IOException {
    float[][] read = StateFile.read(new ByteArrayInputStream(written(new float[] {1f}, new float[0])));

    assertThat(read[1]).isEmpty();
  }

  @Test
  void isMagicThenLengthThenLittleEndianFloats() throws IOException {
    assertThat(written(new float[] {1f}, new float[0])).containsExactly(
        0x53, 0x47, 0x53, 0x31, 0, 0, 0, 1, 0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0);
  }

  @Test
  void refusesAFileThatIsNotAStateFile() {
    assertThatThrownBy(() -> StateFile.read(new ByteArrayInputStream("PK\u0003\u0004zip".getBytes())))
        .isInstanceOf(IOException.class)
        .hasMessage("not a SparkGrid state file: starts with 0x504b0304, expected 0x53475331");
  }

  @Test
  void refusesATruncatedFileSayingHowMuchIsThere() throws IOException {
    byte[] whole = written(new float[] {1f, 2f, 3f}, new float[0]);

    assertThatThrownBy(() -> StateFile.read(new ByteArrayInputStream(Arrays.copyOf(whole, 12))))
        .isInstanceOf(IOException.class)
        .hasMessage("state file ends early: 1 of 3 floats of the parameters");
  }
}
