package org.sparkgrid.jobs.eval;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkgrid.core.run.EvaluationResult;
import org.sparkgrid.jobs.model.NetworkFactory;

/**
 * Scores a classifier on a test set spread over a Spark cluster: one Spark job, one network per
 * partition, one small partial (a confusion matrix and a loss sum) per partition back to the
 * driver. Counts exactly as {@link LocalEvaluator} does.
 *
 * <pre>{@code
 * JavaRDD<DataSet> test = ...;  // normalized minibatches, one-hot labels
 * EvaluationResult result = SparkEvaluator.evaluate(sc, test, net, 10);
 * System.out.print(result.summary());
 * }</pre>
 */
public final class SparkEvaluator {

  private SparkEvaluator() {}

  /**
   * Scores a network held on the driver; see {@link #evaluate(JavaSparkContext, JavaRDD, String,
   * float[], int)}.
   */
  public static EvaluationResult evaluate(
      JavaSparkContext sc, JavaRDD<DataSet> testBatches, MultiLayerNetwork net, int numClasses) {
    return evaluate(sc, testBatches, net.getLayerWiseConfigurations().toJson(), NetworkFactory.params(net), numClasses);
  }

  /**
   * Broadcasts the network, builds it once in every non-empty partition (with ND4J limited to one
   * thread per task), runs it on the partition's batches in inference mode and merges the
   * partitions' counts on the driver.
   *
   * @param sc          the Spark context
   * @param testBatches test minibatches, features already normalized as the network expects and
   *                    one-hot labels {@code [batch, numClasses]}
   * @param confJson    the network's configuration as JSON
   * @param params      the network's flattened parameters
   * @param numClasses  the number of classes, at least 2
   * @return the scores
   * @throws IllegalArgumentException if {@code confJson} does not parse, {@code params} does not
   *     fit the configuration, the batches hold no examples, or an output or label array is not
   *     {@code [batch, numClasses]}
   */
  public static EvaluationResult evaluate(
      JavaSparkContext sc, JavaRDD<DataSet> testBatches, String confJson, float[] params, int numClasses) {
    Objects.requireNonNull(testBatches, "testBatches");
    long expected = NetworkFactory.numParams(NetworkFactory.parse(confJson));
    if (params.length != expected) {
      throw new IllegalArgumentException(
          "params holds " + params.length + " values but the configuration has " + expected + " parameters");
    }
    EvaluationCounts total = new EvaluationCounts(numClasses);
    Broadcast<String> conf = sc.broadcast(confJson);
    Broadcast<float[]> weights = sc.broadcast(params);
    try {
      List<EvaluationCounts> partials = testBatches
          .mapPartitions(batches -> evaluatePartition(batches, conf.value(), weights.value(), numClasses))
          .collect();
      partials.forEach(total::merge);
    } finally {
      conf.destroy();
      weights.destroy();
    }
    return total.toResult();
  }

  private static Iterator<EvaluationCounts> evaluatePartition(
      Iterator<DataSet> batches, String confJson, float[] params, int numClasses) {
    if (!batches.hasNext()) {
      return Collections.emptyIterator();
    }
    NetworkFactory.limitThreads(1);
    MultiLayerNetwork net = NetworkFactory.fromParams(confJson, params, null);
    EvaluationCounts counts = new EvaluationCounts(numClasses);
    batches.forEachRemaining(batch -> counts.add(net, batch));
    return List.of(counts).iterator();
  }
}
