package org.sparkgrid.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelArtifactsTest {

  @Test
  void accuracyComesFromTheMetrics() {
    ModelArtifacts a = ModelArtifacts.builder().model(out -> {}).metric("accuracy", 0.91).metric("loss", 0.3).build();

    assertThat(a.accuracy()).isEqualTo(0.91);
    assertThat(a.metrics()).containsExactly(Map.entry("accuracy", 0.91), Map.entry("loss", 0.3));
  }

  @Test
  void accuracyIsNullWithoutTheMetric() {
    ModelArtifacts a = ModelArtifacts.builder().model(out -> {}).metric("loss", 0.3).build();

    assertThat(a.accuracy()).isNull();
  }

  @Test
  void modelWriterIsRequired() {
    assertThatThrownBy(() -> ModelArtifacts.builder().metric("accuracy", 0.5).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a model writer is required: call model(out -> ...) before build()");
  }

  @Test
  void accuracyMustBeAFiniteNumber() {
    assertThatThrownBy(() -> ModelArtifacts.builder().model(out -> {}).metric("accuracy", "high").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metric 'accuracy' must be a finite number. Current value is high");
    assertThatThrownBy(() -> ModelArtifacts.builder().model(out -> {}).metric("accuracy", Double.NaN).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("metric 'accuracy' must be a finite number. Current value is NaN");
  }

  @Test
  void publishedAtIsReservedForTheStore() {
    assertThatThrownBy(() -> ModelArtifacts.builder().model(out -> {}).lineage("publishedAt", "yesterday").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lineage key 'publishedAt' is reserved: the store sets it when it publishes");
  }

  @Test
  void mapsAreCopiedAtBuild() {
    Map<String, Object> lineage = new HashMap<>(Map.of("job", "j1"));
    ModelArtifacts a = ModelArtifacts.builder().model(out -> {}).lineage(lineage).build();
    lineage.put("job", "j2");

    assertThat(a.lineage()).containsExactly(Map.entry("job", "j1"));
    assertThatThrownBy(() -> a.lineage().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void bytesWriterWritesACopy() throws IOException {
    byte[] bytes = {1, 2, 3};
    ArtifactWriter w = ArtifactWriter.ofBytes(bytes);
    bytes[0] = 9;
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    w.writeTo(out);

    assertThat(out.toByteArray()).containsExactly(1, 2, 3);
  }

  @Test
  void jsonRoundTripKeepsKeyOrder() {
    Map<String, Object> metrics = new java.util.LinkedHashMap<>();
    metrics.put("loss", List.of(0.5, 0.25));
    metrics.put("accuracy", 0.75);

    Map<String, Object> read = StoreJson.read(new java.io.ByteArrayInputStream(StoreJson.write(metrics)), "metrics.json");

    assertThat(read).containsExactly(Map.entry("loss", List.of(0.5, 0.25)), Map.entry("accuracy", 0.75));
  }
}
