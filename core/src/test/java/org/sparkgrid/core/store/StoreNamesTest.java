package org.sparkgrid.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class StoreNamesTest {

  @Test
  void validNamesPassThrough() {
    assertThat(StoreNames.requireModelName("fmnist-cnn_2.1")).isEqualTo("fmnist-cnn_2.1");
    assertThat(StoreNames.requireJobId("fmnist-cnn-0001")).isEqualTo("fmnist-cnn-0001");
    assertThat(StoreNames.requireFileName("request.json")).isEqualTo("request.json");
  }

  @Test
  void pathSegmentsThatCouldEscapeOrHideAreRefused() {
    assertThatThrownBy(() -> StoreNames.requireModelName("a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model name 'a/b' must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}"
            + " (a letter or digit, then letters, digits, '.', '_' or '-'; at most 128 characters)");
    assertThatThrownBy(() -> StoreNames.requireFileName(".."))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("file name '..' must match");
    assertThatThrownBy(() -> StoreNames.requireJobId("_tmp-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("job id '_tmp-1' must match");
  }

  @Test
  void modelVersionNumbersStartAtOne() {
    assertThatThrownBy(() -> new ModelVersion("m", 0, "file:/s/models/m/0", Instant.EPOCH, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("version of model 'm' must be >= 1. Current value is 0");
  }

  @Test
  void modelVersionRefSelectsItself() {
    ModelVersion v = new ModelVersion("m", 3, "file:/s/models/m/3", Instant.EPOCH, 0.5);

    assertThat(v.ref()).isEqualTo(ModelRef.parse("m@3"));
  }
}
