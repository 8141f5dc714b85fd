package org.sparkgrid.core.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A sweep's expansion into trials, checked by hand. */
class SweepTrialsTest {

  private static TrainingRequest sweep(String sweep) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "s1", "model": {"name": "m", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:/d/train", "test": "file:/d/test"},
         "training": {"epochs": 2, "seed": 7}, "sweep": %s}""".formatted(sweep));
  }

  @Test
  void aGridIsEveryCombinationWithTheFirstParameterOutermost() {
    // Prepare
    TrainingRequest r = sweep("{\"parameters\": {\"training.updater.learningRate\": [0.1, 0.01],"
        + " \"training.batchSize\": [32, 64, 128]}}");

    // Execute
    List<SweepTrials.Trial> trials = SweepTrials.expand(r, "s1");

    // Assert
    assertThat(trials).extracting(SweepTrials.Trial::overrides).containsExactly(
        Map.of("training.updater.learningRate", 0.1, "training.batchSize", 32),
        Map.of("training.updater.learningRate", 0.1, "training.batchSize", 64),
        Map.of("training.updater.learningRate", 0.1, "training.batchSize", 128),
        Map.of("training.updater.learningRate", 0.01, "training.batchSize", 32),
        Map.of("training.updater.learningRate", 0.01, "training.batchSize", 64),
        Map.of("training.updater.learningRate", 0.01, "training.batchSize", 128));
    assertThat(trials).extracting(SweepTrials.Trial::index).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void eachTrialIsTheWholeRequestWithItsValuesItsIdAndNoSweep() {
    // Prepare
    TrainingRequest r = sweep("{\"parameters\": {\"training.updater.learningRate\": [0.1, 0.01]}}");

    // Execute
    SweepTrials.Trial t = SweepTrials.expand(r, "job-9").get(1);

    // Assert
    assertThat(t.id()).isEqualTo("job-9-trial-1");
    assertThat(t.request().id()).isEqualTo("job-9-trial-1");
    assertThat(t.request().sweep()).isNull();
    assertThat(t.request().training().updater().learningRate()).isEqualTo(0.01);
    assertThat(t.request().training().seed()).isEqualTo(7L);
    assertThat(t.request().model()).isEqualTo(r.model());
    assertThat(t.request().data()).isEqualTo(r.data());
  }

  @Test
  void overridesKeepTheSweepsParameterOrder() {
    // Prepare
    TrainingRequest r = sweep("{\"parameters\": {\"training.seed\": [1], \"model.mlp.activation\": [\"tanh\"],"
        + " \"training.batchSize\": [16]}}");

    // Execute
    Map<String, Object> overrides = SweepTrials.expand(r, "s1").get(0).overrides();

    // Assert
    assertThat(overrides.keySet()).containsExactly("training.seed", "model.mlp.activation", "training.batchSize");
    assertThat(SweepTrials.expand(r, "s1").get(0).request().model().mlp().activation()).isEqualTo("tanh");
  }

  @Test
  void aRandomSweepDrawsDistinctCombinationsTheSameWayForTheSameSeed() {
    // Prepare
    String spec = "{\"parameters\": {\"training.updater.learningRate\": [0.1, 0.01, 0.001],"
        + " \"training.batchSize\": [32, 64]}, \"method\": \"random\", \"trials\": 6}";
    TrainingRequest r = sweep(spec);

    // Execute
    List<SweepTrials.Trial> first = SweepTrials.expand(r, "s1");
    List<SweepTrials.Trial> again = SweepTrials.expand(r, "s1");

    // Assert: 6 of 6 combinations, each once, in the same draw order both times
    assertThat(first).extracting(SweepTrials.Trial::overrides).doesNotHaveDuplicates().hasSize(6);
    assertThat(again).extracting(SweepTrials.Trial::overrides)
        .containsExactlyElementsOf(first.stream().map(SweepTrials.Trial::overrides).toList());
  }

  @Test
  void aRandomSweepsDrawsFollowTheSeed() {
    // Prepare: 10 x 10 combinations, 5 drawn
    String values = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]";
    String spec = "{\"parameters\": {\"training.batchSize\": " + values + ", \"training.epochs\": " + values + "},"
        + " \"method\": \"random\", \"trials\": 5}";
    TrainingRequest seven = sweep(spec);
    TrainingRequest eight = RequestCodec.withOverrides(seven, Map.of("training.seed", 8L));

    // Execute
    List<Map<String, Object>> a = SweepTrials.expand(seven, "s").stream().map(SweepTrials.Trial::overrides).toList();
    List<Map<String, Object>> b = SweepTrials.expand(eight, "s").stream().map(SweepTrials.Trial::overrides).toList();

    // Assert
    assertThat(a).hasSize(5).doesNotHaveDuplicates();
    assertThat(b).hasSize(5).isNotEqualTo(a);
  }

  @Test
  void aRandomSweepDrawsEachValueFromItsList() {
    // Prepare
    TrainingRequest r = sweep("{\"parameters\": {\"training.updater.type\": [\"sgd\", \"adam\"],"
        + " \"training.l2\": [0.0, 0.001, 0.01]}, \"method\": \"random\", \"trials\": 4}");

    // Execute
    List<SweepTrials.Trial> trials = SweepTrials.expand(r, "s1");

    // Assert
    for (SweepTrials.Trial t : trials) {
      assertThat(t.overrides().get("training.updater.type")).isIn("sgd", "adam");
      assertThat(t.overrides().get("training.l2")).isIn(0.0, 0.001, 0.01);
      assertThat(t.request().training().updater().type()).isEqualTo(t.overrides().get("training.updater.type"));
    }
  }

  @Test
  void refusesAJobIdWithNoRoomForTrialNumbers() {
    // Prepare
    TrainingRequest r = sweep("{\"parameters\": {\"training.batchSize\": [32]}}");
    String longId = "j".repeat(SweepTrials.MAX_JOB_ID_LENGTH + 1);

    // Execute, Assert
    assertThat(SweepTrials.MAX_JOB_ID_LENGTH).isEqualTo(117);
    assertThatThrownBy(() -> SweepTrials.expand(r, longId))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("job id '" + longId + "' has 118 characters; a sweep's job id may have at most 117 so that its"
            + " trial ids fit in 128");
  }

  @Test
  void refusesARequestWithoutASweep() {
    // Prepare
    TrainingRequest r = RequestCodec.parse(RequestCodecTest.MINIMAL);

    // Execute, Assert
    assertThatThrownBy(() -> SweepTrials.expand(r, "r1")).hasMessage("request r1 has no sweep");
  }

  @Test
  void countsCombinationsAndTrials() {
    // Prepare
    Map<String, List<Object>> p = new LinkedHashMap<>();
    p.put("training.batchSize", List.of(1, 2, 3));
    p.put("training.epochs", List.of(1, 2));

    // Execute, Assert
    assertThat(new SweepSpec(p, "grid", null, 2, "accuracy").combinations()).isEqualTo(6);
    assertThat(new SweepSpec(p, "grid", null, 2, "accuracy").trialCount()).isEqualTo(6);
    assertThat(new SweepSpec(p, "random", 4, 2, "accuracy").trialCount()).isEqualTo(4);
  }

  @Test
  void combinationsSaturateInsteadOfOverflowing() {
    // Prepare: 2^64 combinations
    Map<String, List<Object>> p = new LinkedHashMap<>();
    for (int i = 0; i < 64; i++) {
      p.put("f" + i, List.of(0, 1));
    }

    // Execute, Assert
    assertThat(new SweepSpec(p, "random", 1, 2, "accuracy").combinations()).isEqualTo(Long.MAX_VALUE);
  }
}
