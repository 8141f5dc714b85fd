package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrategyStateTest {

  @Test
  void roundTripsThroughJsonBitForBit() throws Exception {
    // Prepare: awkward floats included
    Map<String, float[]> vectors = new LinkedHashMap<>();
    vectors.put("m", new float[] {0.1f, -0f, Float.MIN_VALUE, 3.4e38f});
    vectors.put("v", new float[] {1e-30f});
    StrategyState state = new StrategyState(42, vectors);
    ObjectMapper mapper = new ObjectMapper();

    // Execute
    byte[] json = mapper.writeValueAsBytes(state.toMap());
    StrategyState back = StrategyState.fromMap(mapper.readValue(json, Map.class));

    // Assert
    assertThat(back).isEqualTo(state);
    assertThat(back.vector("m")).containsExactly(0.1f, -0f, Float.MIN_VALUE, 3.4e38f);
    assertThat(back.vectors().keySet()).containsExactly("m", "v");
  }

  @Test
  void encodesFloatsAsLittleEndianBase64() {
    assertThat(FloatCodec.encode(new float[] {1f})).isEqualTo("AACAPw==");
    assertThat(FloatCodec.decode("AACAPw==")).containsExactly(1f);
  }

  @Test
  void refusesAMapWithoutVectors() {
    assertThatThrownBy(() -> StrategyState.fromMap(Map.of("rounds", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("strategy state: vectors must be an object, got null");
  }

  @Test
  void theEmptyStateHasNoRoundsAndNoVectors() {
    assertThat(StrategyState.EMPTY.toMap()).isEqualTo(Map.of("rounds", 0L, "vectors", Map.of()));
  }
}
