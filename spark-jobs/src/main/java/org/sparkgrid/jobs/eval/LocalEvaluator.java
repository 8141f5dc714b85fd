package org.sparkgrid.jobs.eval;

import java.util.Objects;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkgrid.core.run.EvaluationResult;

/**
 * Scores a classifier on one machine, in this JVM. It counts exactly as {@link SparkEvaluator}
 * does, so the two agree on the same batches (the Spark tests use this one as their oracle).
 *
 * <pre>{@code
 * EvaluationResult result = LocalEvaluator.evaluate(net, testBatches, 10);
 * System.out.print(result.summary());
 * }</pre>
 */
public final class LocalEvaluator {

  private LocalEvaluator() {}

  /**
   * Runs the network on every batch in inference mode and scores its predictions.
   *
   * @param net        a classifier whose output is {@code [batch, numClasses]} probabilities
   * @param batches    test minibatches, features already normalized as the network expects and
   *                   one-hot labels {@code [batch, numClasses]}
   * @param numClasses the number of classes, at least 2
   * @return the scores
   * @throws IllegalArgumentException if the batches hold no examples, or an output or label array
   *     is not {@code [batch, numClasses]}
   */
  public static EvaluationResult evaluate(MultiLayerNetwork net, Iterable<DataSet> batches, int numClasses) {
    Objects.requireNonNull(net, "net");
    EvaluationCounts counts = new EvaluationCounts(numClasses);
    for (DataSet batch : batches) {
      counts.add(net, batch);
    }
    return counts.toResult();
  }
}
