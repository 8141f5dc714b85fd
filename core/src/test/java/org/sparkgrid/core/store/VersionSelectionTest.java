package org.sparkgrid.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class VersionSelectionTest {

  private static ModelVersion v(int version, Double accuracy) {
    return new ModelVersion("m", version, "file:/store/models/m/" + version, Instant.EPOCH, accuracy);
  }

  @Test
  void latestIsTheHighestNumberWhateverTheOrder() {
    List<ModelVersion> versions = List.of(v(2, 0.9), v(3, 0.1), v(1, null));

    assertThat(VersionSelection.select(ModelRef.parse("m@latest"), versions).version()).isEqualTo(3);
    assertThat(VersionSelection.select(ModelRef.parse("m"), versions).version()).isEqualTo(3);
  }

  @Test
  void versionSelectsThatNumber() {
    List<ModelVersion> versions = List.of(v(1, null), v(2, null), v(3, null));

    assertThat(VersionSelection.select(ModelRef.parse("m@2"), versions)).isEqualTo(v(2, null));
  }

  @Test
  void bestIsTheHighestAccuracy() {
    List<ModelVersion> versions = List.of(v(1, 0.80), v(2, 0.90), v(3, 0.85));

    assertThat(VersionSelection.select(ModelRef.parse("m@best"), versions).version()).isEqualTo(2);
  }

  @Test
  void bestTiesGoToTheNewest() {
    List<ModelVersion> versions = List.of(v(3, 0.90), v(1, 0.90), v(2, 0.90), v(4, 0.80));

    assertThat(VersionSelection.select(ModelRef.parse("m@best"), versions).version()).isEqualTo(3);
  }

  @Test
  void bestIgnoresVersionsWithoutAccuracy() {
    List<ModelVersion> versions = List.of(v(1, null), v(2, 0.5), v(3, null));

    assertThat(VersionSelection.select(ModelRef.parse("m@best"), versions).version()).isEqualTo(2);
  }

  @Test
  void bestFailsWhenNoVersionHasAnAccuracy() {
    List<ModelVersion> versions = List.of(v(2, null), v(1, null));

    assertThatThrownBy(() -> VersionSelection.select(ModelRef.parse("m@best"), versions))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("cannot resolve m@best: no version of model 'm' has an accuracy in metrics.json (versions: [1, 2])");
  }

  @Test
  void missingVersionNamesTheVersionsThatExist() {
    List<ModelVersion> versions = List.of(v(1, null), v(2, null));

    assertThatThrownBy(() -> VersionSelection.select(ModelRef.parse("m@7"), versions))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("cannot resolve m@7: model 'm' has no version 7 (versions: [1, 2])");
  }

  @Test
  void noVersionsMeansTheModelDoesNotExist() {
    assertThatThrownBy(() -> VersionSelection.select(ModelRef.parse("m@best"), List.of()))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("cannot resolve m@best: model 'm' does not exist");
  }

  @Test
  void versionsOfAnotherModelAreRefused() {
    List<ModelVersion> versions = List.of(v(1, null));

    assertThatThrownBy(() -> VersionSelection.select(ModelRef.parse("other"), versions))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("version m@1 is not a version of model 'other'");
  }
}
