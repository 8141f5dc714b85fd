package org.sparkgrid.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sparkgrid.core.config.Validator.atLeast;
import static org.sparkgrid.core.config.Validator.between;

import org.junit.jupiter.api.Test;

class ConfigKeyTest {

  @Test
  void refusesADeclarationWhoseDefaultFailsItsOwnCheck() {
    assertThatThrownBy(() -> ConfigKey.ofInt("spark.sparkgrid.bad", 0, atLeast(1), "doc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spark.sparkgrid.bad must be at least 1. Current value is 0.");
  }

  @Test
  void parsesALongAndChecksIt() {
    ConfigKey<Long> timeout = ConfigKey.ofLong("spark.sparkgrid.x.timeoutMs", 1000L, atLeast(1L), "doc");

    assertThat(timeout.parse("120000")).isEqualTo(120_000L);
    assertThatThrownBy(() -> timeout.parse("-1"))
        .hasMessage("spark.sparkgrid.x.timeoutMs must be at least 1. Current value is -1.");
  }

  @Test
  void parsesADoubleAndRefusesNonFiniteOnes() {
    ConfigKey<Double> fraction = ConfigKey.ofDouble("spark.sparkgrid.x.fraction", 0.5, between(0.0, 1.0), "doc");

    assertThat(fraction.parse("0.25")).isEqualTo(0.25);
    assertThatThrownBy(() -> fraction.parse("NaN"))
        .hasMessage("spark.sparkgrid.x.fraction must be a finite number. Current value is \"NaN\".");
    assertThatThrownBy(() -> fraction.parse("1.5"))
        .hasMessage("spark.sparkgrid.x.fraction must be between 0.0 and 1.0. Current value is 1.5.");
  }

  @Test
  void refusesAnIntegerBeyondInt() {
    assertThatThrownBy(() -> SparkGridConfig.CHECKPOINT_KEEP.parse("3000000000"))
        .hasMessage("spark.sparkgrid.checkpoint.keep must be an integer. Current value is \"3000000000\".");
  }

  @Test
  void refusesAnEmptyRange() {
    assertThatThrownBy(() -> between(2, 1)).hasMessage("empty range: min 2 > max 1");
  }

  @Test
  void describesItsTypeAndValidValues() {
    assertThat(SparkGridConfig.EVAL_BATCH_SIZE.typeName()).isEqualTo("int");
    assertThat(SparkGridConfig.EVAL_BATCH_SIZE.validValues()).isEqualTo("1 to 100000");
    assertThat(SparkGridConfig.CHECKPOINT_KEEP.validValues()).isEqualTo(">= 1");
    assertThat(SparkGridConfig.PROGRESS_ENABLED.typeName()).isEqualTo("boolean");
    assertThat(SparkGridConfig.HOME.typeName()).isEqualTo("string");
  }
}
