package org.sparkgrid.federation.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.federation.strategy.StrategyState;

class RoundStateBinaryTest {

  /** FedAdam-like state: two strategy vectors in a fixed order, contributions, an exclusion. */
  private static RoundState sample() {
    Map<String, float[]> vectors = new LinkedHashMap<>();
    vectors.put("m", new float[] {0.5f, -0.25f});
    vectors.put("v", new float[] {Float.MIN_VALUE, 1e30f});
    List<Contribution> contributions = List.of(
        new Contribution(2, "s1", 600, 0.6, 0.125, Double.NaN),
        new Contribution(2, "s2", 400, 0.4, -0.5, 0.75));
    return new RoundState(3, new float[] {1.5f, -2f}, new StrategyState(3, vectors), contributions, Set.of("s9", "s4"));
  }

  @Test
  void roundTripsExactlyKeepingTheVectorsOrder() {
    RoundState state = sample();

    RoundState back = RoundStateBinary.read(RoundStateBinary.toBytes(state));

    assertThat(back).isEqualTo(state);
    assertThat(back.strategyState().vectors().keySet()).containsExactly("m", "v");
    assertThat(back.contributions().get(0).shapley()).isNaN();
  }

  @Test
  void layoutIsHeaderMetadataRawLittleEndianFloatsThenTheChecksum() {
    byte[] bytes = RoundStateBinary.toBytes(sample());
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

    int metaLength = b.getInt(8);
    String meta = new String(bytes, 12, metaLength, StandardCharsets.UTF_8);

    assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("SGRS");
    assertThat(b.getShort(4)).isEqualTo((short) 1);
    assertThat(meta).startsWith("{\"round\":3,\"global\":2,\"strategyRounds\":3,"
        + "\"strategyVectors\":[{\"name\":\"m\",\"length\":2},{\"name\":\"v\",\"length\":2}]");
    // 6 floats of 4 bytes after the metadata, then 4 bytes of checksum: nothing else
    assertThat(bytes.length).isEqualTo(12 + metaLength + 6 * 4 + 4);
    assertThat(b.getFloat(12 + metaLength)).isEqualTo(1.5f);        // global[0]
    assertThat(b.getFloat(12 + metaLength + 4)).isEqualTo(-2f);     // global[1]
    assertThat(b.getFloat(12 + metaLength + 8)).isEqualTo(0.5f);    // m[0]
    assertThat(b.getFloat(12 + metaLength + 20)).isEqualTo(1e30f);  // v[1]
  }

  @Test
  void aMillionParametersTakeFourBytesEachAndAQuarterOfTheJson() {
    float[] global = new float[1_000_000];
    for (int i = 0; i < global.length; i++) {
      global[i] = (float) Math.sin(i);
    }
    RoundState state = RoundState.initial(global);

    byte[] binary = RoundStateBinary.toBytes(state);

    assertThat(binary.length).isBetween(4_000_000, 4_000_200);
    assertThat(state.toJson().length).isGreaterThan(5_300_000);
    assertThat(RoundStateBinary.read(binary)).isEqualTo(state);
  }

  @Test
  void aFlippedByteIsACheckSumMismatch() {
    byte[] bytes = RoundStateBinary.toBytes(sample());
    bytes[bytes.length - 10] ^= 1; // inside the floats

    assertThatThrownBy(() -> RoundStateBinary.read(bytes)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("binary round state: checksum mismatch (stored ")
        .hasMessageEndingWith("): the file is torn or corrupted");
  }

  @Test
  void aTornFileIsRefusedNotReadAsAShorterModel() {
    byte[] whole = RoundStateBinary.toBytes(sample());
    byte[] torn = Arrays.copyOf(whole, whole.length - 9);

    assertThatThrownBy(() -> RoundStateBinary.read(torn)).hasMessageContaining("checksum mismatch");
  }

  @Test
  void anotherVersionIsRefusedNamingIt() {
    byte[] bytes = RoundStateBinary.toBytes(sample());
    bytes[4] = 2;

    assertThatThrownBy(() -> RoundStateBinary.read(bytes))
        .hasMessage("binary round state: format version must be 1, got 2");
  }

  @Test
  void readTakesTheBinaryFormAndTheJsonOfOlderCheckpoints() {
    RoundState state = sample();

    assertThat(RoundState.read(RoundStateBinary.toBytes(state))).isEqualTo(state);
    assertThat(RoundState.read(state.toJson())).isEqualTo(state);
    assertThat(RoundStateBinary.isBinary(state.toJson())).isFalse();
  }

  @Test
  void somethingElseIsNotAnSgrsCheckpoint() {
    assertThatThrownBy(() -> RoundStateBinary.read(new byte[] {'S', 'G'}))
        .hasMessage("binary round state: not an SGRS checkpoint (2 bytes, must start with \"SGRS\")");
  }
}
