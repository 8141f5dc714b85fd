package org.sparkgrid.jobs.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgrid.core.run.EvaluationResult;

class EvaluationCountsTest {

  @Test
  void countsArgmaxPredictionsAndSumsCrossEntropy() {
    EvaluationCounts counts = new EvaluationCounts(2);

    counts.add(new float[][] {{1, 0}, {0, 1}, {0, 1}}, new float[][] {{0.8f, 0.2f}, {0.6f, 0.4f}, {0.1f, 0.9f}});
    EvaluationResult result = counts.toResult();

    assertThat(result.confusion()).isEqualTo(new int[][] {{1, 0}, {1, 1}});
    double lossSum = -(Math.log(0.8f) + Math.log(0.4f) + Math.log(0.9f));
    assertThat(result.loss()).isCloseTo(lossSum / 3, within(1e-12));
  }

  @Test
  void zeroProbabilityIsClippedLikeDl4jMcxent() {
    EvaluationCounts counts = new EvaluationCounts(2);

    counts.add(new float[][] {{1, 0}}, new float[][] {{0, 1}});

    assertThat(counts.toResult().loss()).isCloseTo(-Math.log(1e-10), within(1e-12));
  }

  @Test
  void mergeAddsCountsAndLoss() {
    EvaluationCounts a = new EvaluationCounts(2);
    a.add(new float[][] {{1, 0}}, new float[][] {{0.5f, 0.25f}});
    EvaluationCounts b = new EvaluationCounts(2);
    b.add(new float[][] {{0, 1}, {0, 1}}, new float[][] {{0.5f, 0.25f}, {0.25f, 0.5f}});

    EvaluationResult merged = a.merge(b).toResult();

    assertThat(merged.confusion()).isEqualTo(new int[][] {{1, 0}, {1, 1}});
    assertThat(merged.loss()).isCloseTo(-(Math.log(0.5) + Math.log(0.25) + Math.log(0.5)) / 3, within(1e-12));
  }

  @Test
  void agreesWithDl4jEvaluation() {
    Random random = new Random(11);
    int n = 400;
    int classes = 4;
    float[][] labels = new float[n][classes];
    float[][] probabilities = new float[n][classes];
    for (int i = 0; i < n; i++) {
      int actual = random.nextInt(classes);
      labels[i][actual] = 1;
      float sum = 0;
      for (int c = 0; c < classes; c++) {
        // a noisy classifier that leans towards the right class
        probabilities[i][c] = random.nextFloat() + (c == actual ? 0.4f : 0);
        sum += probabilities[i][c];
      }
      for (int c = 0; c < classes; c++) {
        probabilities[i][c] /= sum;
      }
    }
    Evaluation oracle = new Evaluation(classes);
    oracle.eval(Nd4j.createFromArray(labels), Nd4j.createFromArray(probabilities));
    EvaluationCounts counts = new EvaluationCounts(classes);

    counts.add(labels, probabilities);
    EvaluationResult result = counts.toResult();

    assertThat(result.accuracy()).isCloseTo(oracle.accuracy(), within(1e-12));
    assertThat(result.macroF1()).isCloseTo(oracle.f1(), within(1e-12));
    for (int c = 0; c < classes; c++) {
      assertThat(result.precision()[c]).isCloseTo(oracle.precision(c), within(1e-12));
      assertThat(result.recall()[c]).isCloseTo(oracle.recall(c), within(1e-12));
      assertThat(result.f1()[c]).isCloseTo(oracle.f1(c), within(1e-12));
      for (int p = 0; p < classes; p++) {
        assertThat(result.confusion()[c][p]).isEqualTo(oracle.getConfusionMatrix().getCount(c, p));
      }
    }
  }
}
