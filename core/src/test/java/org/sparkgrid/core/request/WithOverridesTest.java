package org.sparkgrid.core.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.sparkgrid.core.request.RequestCodecTest.MINIMAL;
import static org.sparkgrid.core.request.RequestCodecTest.SKETCH;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WithOverridesTest {

  @Test
  void replacesTheNamedFieldsAndKeepsTheRest() {
    // Prepare
    TrainingRequest r = RequestCodec.parse(SKETCH);
    Map<String, Object> overrides = new LinkedHashMap<>();
    overrides.put("training.updater.learningRate", 0.005);
    overrides.put("training.batchSize", 128);
    overrides.put("model.cnn.activation", "elu");

    // Execute
    TrainingRequest trial = RequestCodec.withOverrides(r, overrides);

    // Assert
    assertThat(trial.training()).isEqualTo(new TrainingSpec(5, 128, 42, new UpdaterSpec("adam", 0.005, 0.9), 0.0));
    assertThat(trial.model().cnn().activation()).isEqualTo("elu");
    assertThat(trial.model().cnn().conv()).isEqualTo(r.model().cnn().conv());
    assertThat(trial.sweep()).isEqualTo(r.sweep());
    assertThat(trial.data()).isEqualTo(r.data());
  }

  @Test
  void acceptsAnIntegerForARealField() {
    TrainingRequest r = RequestCodec.parse(MINIMAL);

    TrainingRequest trial = RequestCodec.withOverrides(r, Map.of("training.l2", 0));

    assertThat(trial.training().l2()).isEqualTo(0.0);
  }

  @Test
  void leavesTheOriginalUnchanged() {
    TrainingRequest r = RequestCodec.parse(MINIMAL);

    RequestCodec.withOverrides(r, Map.of("training.epochs", 9));

    assertThat(r.training().epochs()).isEqualTo(2);
  }

  @Test
  void refusesAPathThatIsNotSweepable() {
    TrainingRequest r = RequestCodec.parse(MINIMAL);

    InvalidRequestException e = catchThrowableOfType(
        () -> RequestCodec.withOverrides(r, Map.of("data.train", "x")), InvalidRequestException.class);

    assertThat(e.field()).isEqualTo("data.train");
    assertThat(e).hasMessageStartingWith("data.train: not a sweepable field; sweepable: training.updater.learningRate, ");
  }

  @Test
  void refusesAnOutOfRangeValueNamingTheField() {
    TrainingRequest r = RequestCodec.parse(MINIMAL);

    InvalidRequestException e = catchThrowableOfType(
        () -> RequestCodec.withOverrides(r, Map.of("training.batchSize", 0)), InvalidRequestException.class);

    assertThat(e).hasMessage("training.batchSize: must be between 1 and 65536, got 0");
  }

  @Test
  void refusesAValueOfTheWrongType() {
    TrainingRequest r = RequestCodec.parse(MINIMAL);

    InvalidRequestException e = catchThrowableOfType(
        () -> RequestCodec.withOverrides(r, Map.of("engine.workers", "4")), InvalidRequestException.class);

    assertThat(e).hasMessage("engine.workers: must be an integer, got \"4\"");
  }

  @Test
  void refusesAFieldOfAnotherArchitecture() {
    TrainingRequest mlp = RequestCodec.parse(MINIMAL);

    InvalidRequestException e = catchThrowableOfType(
        () -> RequestCodec.withOverrides(mlp, Map.of("model.cnn.dropout", 0.5)), InvalidRequestException.class);

    assertThat(e).hasMessage("model.cnn: only allowed when model.architecture is cnn, got architecture mlp");
  }

  @Test
  void refusesNull() {
    TrainingRequest r = RequestCodec.parse(MINIMAL);
    Map<String, Object> overrides = new LinkedHashMap<>();
    overrides.put("training.seed", null);

    InvalidRequestException e = catchThrowableOfType(
        () -> RequestCodec.withOverrides(r, overrides), InvalidRequestException.class);

    assertThat(e).hasMessage("training.seed: an override must not be null");
  }
}
