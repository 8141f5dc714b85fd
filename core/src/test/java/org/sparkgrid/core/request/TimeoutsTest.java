package org.sparkgrid.core.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sparkgrid.core.request.RequestCodecTest.MINIMAL;
import static org.sparkgrid.core.request.RequestCodecTest.refusal;
import static org.sparkgrid.core.request.RequestCodecTest.with;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code training.timeouts}: reading, writing and refusals, each naming the field and the value. */
class TimeoutsTest {

  @Test
  void absentTimeoutsLeaveEveryPhaseToTheService() {
    TrainingRequest r = RequestCodec.parse(MINIMAL);

    assertThat(r.training().timeouts()).isEqualTo(TimeoutSpec.NONE);
    assertThat(r.training().timeouts().isNone()).isTrue();
  }

  @Test
  void readsEachPhaseLimitAndLeavesTheOthersUnset() {
    TrainingRequest r = RequestCodec.parse(with(MINIMAL, "training.timeouts", "{\"trainMs\": 250, \"dataMs\": 0}"));

    assertThat(r.training().timeouts()).isEqualTo(new TimeoutSpec(0L, 250L, null));
  }

  @Test
  void writesOnlyTheLimitsSetAndReadsThemBack() {
    TrainingRequest r = RequestCodec.parse(with(MINIMAL, "training.timeouts", "{\"checkpointMs\": 60000}"));

    String written = new String(RequestCodec.write(r), StandardCharsets.UTF_8);

    assertThat(written).contains("\"updater\":{\"type\":\"adam\",\"learningRate\":0.001,\"momentum\":0.9},"
        + "\"timeouts\":{\"checkpointMs\":60000}}");
    assertThat(RequestCodec.parse(written)).isEqualTo(r);
  }

  @Test
  void anEmptyTimeoutsObjectIsWrittenAsAbsent() {
    TrainingRequest r = RequestCodec.parse(with(MINIMAL, "training.timeouts", "{}"));

    assertThat(new String(RequestCodec.write(r), StandardCharsets.UTF_8)).doesNotContain("timeouts");
    assertThat(r).isEqualTo(RequestCodec.parse(MINIMAL));
  }

  @Test
  void aSweepTrialKeepsTheTimeouts() {
    TrainingRequest r = RequestCodec.parse(with(MINIMAL, "training.timeouts", "{\"trainMs\": 5000}"));

    TrainingRequest trial = RequestCodec.withOverrides(r, Map.of("training.batchSize", 32));

    assertThat(trial.training().timeouts()).isEqualTo(new TimeoutSpec(null, 5000L, null));
  }

  @Test
  void refusesANegativeLimit() {
    InvalidRequestException e = refusal(with(MINIMAL, "training.timeouts", "{\"trainMs\": -1}"));

    assertThat(e).hasMessage("training.timeouts.trainMs: must be between 0 and 2592000000, got -1");
    assertThat(e.field()).isEqualTo("training.timeouts.trainMs");
    assertThat(e.value()).isEqualTo("-1");
  }

  @Test
  void refusesALimitBeyondThirtyDays() {
    assertThat(refusal(with(MINIMAL, "training.timeouts", "{\"dataMs\": 2592000001}")))
        .hasMessage("training.timeouts.dataMs: must be between 0 and 2592000000, got 2592000001");
  }

  @Test
  void refusesAFractionalLimit() {
    assertThat(refusal(with(MINIMAL, "training.timeouts", "{\"checkpointMs\": 1.5}")))
        .hasMessage("training.timeouts.checkpointMs: must be an integer, got 1.5");
  }

  @Test
  void refusesALimitGivenAsText() {
    assertThat(refusal(with(MINIMAL, "training.timeouts", "{\"trainMs\": \"10s\"}")))
        .hasMessage("training.timeouts.trainMs: must be an integer, got \"10s\"");
  }

  @Test
  void refusesAnUnknownPhaseListingTheKnownOnes() {
    InvalidRequestException e = refusal(with(MINIMAL, "training.timeouts", "{\"queueMs\": 1000}"));

    assertThat(e).hasMessage("training.timeouts.queueMs: unknown field; known fields: dataMs, trainMs, checkpointMs");
    assertThat(e.value()).isEqualTo("1000");
  }

  @Test
  void refusesTimeoutsThatAreNotAnObject() {
    assertThat(refusal(with(MINIMAL, "training.timeouts", "60000")))
        .hasMessage("training.timeouts: must be an object, got 60000");
  }
}
