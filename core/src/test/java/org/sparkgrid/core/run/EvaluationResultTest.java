package org.sparkgrid.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluationResultTest {

  // rows: actual class, columns: predicted class
  private static final int[][] CONFUSION = {{3, 1, 0}, {0, 2, 0}, {1, 0, 0}};

  @Test
  void scoresAreComputedFromTheConfusionMatrix() {
    EvaluationResult result = EvaluationResult.fromCounts(CONFUSION, 6.0);

    assertThat(result.examples()).isEqualTo(7);
    assertThat(result.accuracy()).isCloseTo(5.0 / 7, within(1e-12));
    assertThat(result.loss()).isCloseTo(6.0 / 7, within(1e-12));
    // class 0: 3 of 4 predictions right, 3 of 4 examples found; class 1: 2/3 and 2/2;
    // class 2: never predicted (precision 0 by convention), its one example missed
    assertThat(result.precision()).containsExactly(new double[] {0.75, 2.0 / 3, 0}, within(1e-12));
    assertThat(result.recall()).containsExactly(new double[] {0.75, 1, 0}, within(1e-12));
    assertThat(result.f1()).containsExactly(new double[] {0.75, 0.8, 0}, within(1e-12));
    assertThat(result.macroF1()).isCloseTo(1.55 / 3, within(1e-12));
    assertThat(result.numClasses()).isEqualTo(3);
  }

  @Test
  void noExamplesIsRefused() {
    assertThatThrownBy(() -> EvaluationResult.fromCounts(new int[2][2], 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the test set holds no examples");
  }

  @Test
  void resultIsImmutable() {
    int[][] confusion = {{1, 0}, {0, 1}};
    EvaluationResult result = EvaluationResult.fromCounts(confusion, 0);

    confusion[0][0] = 9;
    result.confusion()[1][1] = 9;
    result.precision()[0] = 9;

    assertThat(result.confusion()).isEqualTo(new int[][] {{1, 0}, {0, 1}});
    assertThat(result.precision()).containsExactly(1, 1);
  }

  @Test
  void toMapHoldsPlainValuesForMetricsJson() {
    Map<String, Object> map = EvaluationResult.fromCounts(CONFUSION, 6.0).toMap();

    assertThat(map).containsOnlyKeys("accuracy", "loss", "examples", "macroF1", "precision", "recall", "f1",
        "confusion");
    assertThat(map.get("examples")).isEqualTo(7L);
    assertThat(map.get("recall")).isEqualTo(List.of(0.75, 1.0, 0.0));
    assertThat(map.get("confusion")).isEqualTo(List.of(List.of(3, 1, 0), List.of(0, 2, 0), List.of(1, 0, 0)));
  }

  @Test
  void jacksonRoundTripGivesAnEqualResult() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    EvaluationResult result = EvaluationResult.fromCounts(CONFUSION, 6.0);

    EvaluationResult back = mapper.readValue(mapper.writeValueAsString(result), EvaluationResult.class);

    assertThat(back).isEqualTo(result);
  }

  @Test
  void summaryHasTheHeadlineAndOneLinePerClass() {
    String summary = EvaluationResult.fromCounts(CONFUSION, 6.0).summary();

    assertThat(summary.lines().toList()).containsExactly(
        "accuracy 0.7143  loss 0.8571  macro F1 0.5167  examples 7",
        " class precision    recall        f1   support",
        "     0    0.7500    0.7500    0.7500         4",
        "     1    0.6667    1.0000    0.8000         2",
        "     2    0.0000    0.0000    0.0000         1");
  }
}
