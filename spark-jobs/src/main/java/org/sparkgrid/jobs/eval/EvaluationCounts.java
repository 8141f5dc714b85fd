package org.sparkgrid.jobs.eval;

import java.io.Serializable;
import java.util.Arrays;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkgrid.core.run.EvaluationResult;

/**
 * The running sums of an evaluation: a confusion matrix and the summed cross-entropy. Both
 * evaluators fill one per batch stream; the Spark one fills one per partition and merges them on
 * the driver. Plain arrays only, so it travels through any Spark serializer. Public for other
 * Spark stages that evaluate beside other work (tree mode's coordinator stage); they fill one per
 * task and merge them as {@link SparkEvaluator} does.
 *
 * <p>Prediction is the argmax of the network's output, the actual class the argmax of the label
 * row (the first index wins a tie). The loss of an example is {@code -sum_c label_c * ln(p_c)},
 * with {@code p_c} clipped below at {@value #MIN_PROBABILITY} as DL4J's MCXENT loss does.
 */
public final class EvaluationCounts implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Probabilities are clipped below at this value before their logarithm. */
  static final double MIN_PROBABILITY = 1e-10;

  private final int[][] confusion;
  private double lossSum;

  /** @throws IllegalArgumentException if {@code numClasses < 2} */
  public EvaluationCounts(int numClasses) {
    if (numClasses < 2) {
      throw new IllegalArgumentException("numClasses must be at least 2. Current value is " + numClasses);
    }
    this.confusion = new int[numClasses][numClasses];
  }

  /**
   * Runs the network on one batch (inference mode: no dropout) and adds its predictions.
   *
   * @throws IllegalArgumentException if the network's output or the labels are not {@code [batch,
   *     numClasses]}
   */
  public void add(MultiLayerNetwork net, DataSet batch) {
    INDArray output = net.output(batch.getFeatures(), false);
    add(matrix(batch.getLabels(), "labels"), matrix(output, "the network's output"));
  }

  /**
   * Adds a batch of predictions: {@code labels[i]} the one-hot (or soft) label of example i,
   * {@code probabilities[i]} the predicted distribution over the classes.
   */
  void add(float[][] labels, float[][] probabilities) {
    if (labels.length != probabilities.length) {
      throw new IllegalArgumentException(
          "the batch has " + labels.length + " label rows but " + probabilities.length + " output rows");
    }
    for (int i = 0; i < labels.length; i++) {
      confusion[argmax(labels[i])][argmax(probabilities[i])]++;
      for (int c = 0; c < labels[i].length; c++) {
        if (labels[i][c] != 0) {
          lossSum -= labels[i][c] * Math.log(Math.max(probabilities[i][c], MIN_PROBABILITY));
        }
      }
    }
  }

  /** Adds another partial's counts into this one and returns this one. */
  public EvaluationCounts merge(EvaluationCounts other) {
    if (other.confusion.length != confusion.length) {
      throw new IllegalArgumentException(
          "cannot merge counts over " + other.confusion.length + " classes into counts over " + confusion.length);
    }
    for (int a = 0; a < confusion.length; a++) {
      for (int p = 0; p < confusion.length; p++) {
        confusion[a][p] = Math.addExact(confusion[a][p], other.confusion[a][p]);
      }
    }
    lossSum += other.lossSum;
    return this;
  }

  /**
   * The scores of everything added so far.
   *
   * @throws IllegalArgumentException if nothing was added
   */
  public EvaluationResult toResult() {
    return EvaluationResult.fromCounts(confusion, lossSum);
  }

  private float[][] matrix(INDArray array, String what) {
    if (array.rank() != 2 || array.size(1) != confusion.length) {
      throw new IllegalArgumentException(what + " must be [batch, " + confusion.length + "] for "
          + confusion.length + " classes, but its shape is " + Arrays.toString(array.shape()));
    }
    return array.castTo(DataType.FLOAT).toFloatMatrix();
  }

  private static int argmax(float[] row) {
    int best = 0;
    for (int c = 1; c < row.length; c++) {
      if (row[c] > row[best]) {
        best = c;
      }
    }
    return best;
  }
}
