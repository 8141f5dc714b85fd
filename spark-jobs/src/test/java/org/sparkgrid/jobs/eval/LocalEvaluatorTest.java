package org.sparkgrid.jobs.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkgrid.core.run.EvaluationResult;

class LocalEvaluatorTest {

  @Test
  void mlpLearnsASeparableProblem() {
    List<DataSet> train = SyntheticData.batches(1, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20);
    List<DataSet> test = SyntheticData.batches(2, 50, 50, 50);
    MultiLayerNetwork net = SyntheticData.mlp(train, 20);

    EvaluationResult result = LocalEvaluator.evaluate(net, test, SyntheticData.NUM_CLASSES);

    assertThat(result.examples()).isEqualTo(150);
    assertThat(result.accuracy()).isGreaterThan(0.9);
    assertThat(result.loss()).isLessThan(0.3);
  }

  @Test
  void lossIsDl4jScoreOfTheBatch() {
    // without L2, DL4J's score of a batch is the mean MCXENT of its examples
    DataSet batch = SyntheticData.batches(3, 40).get(0);
    MultiLayerNetwork net = SyntheticData.mlp(SyntheticData.batches(1, 20), 1);

    EvaluationResult result = LocalEvaluator.evaluate(net, List.of(batch), SyntheticData.NUM_CLASSES);

    assertThat(result.loss()).isCloseTo(net.score(batch), within(1e-5));
  }

  @Test
  void outputOfTheWrongWidthIsRefused() {
    MultiLayerNetwork net = SyntheticData.mlp(SyntheticData.batches(1, 20), 0);
    List<DataSet> test = SyntheticData.batches(2, 5);

    assertThatThrownBy(() -> LocalEvaluator.evaluate(net, test, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("labels must be [batch, 4] for 4 classes, but its shape is [5, 3]");
  }
}
