package org.sparkgrid.jobs.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkgrid.core.run.EvaluationResult;
import org.sparkgrid.jobs.model.NetworkFactory;

/** The Spark path against {@link LocalEvaluator} as the single-machine oracle. */
class SparkEvaluatorTest {

  private static JavaSparkContext sc;
  private static MultiLayerNetwork net;
  // unequal batch sizes, so that the two partitions hold unequal numbers of examples
  private static final List<DataSet> TEST = SyntheticData.batches(2, 30, 30, 30, 17, 30, 30, 9);

  @BeforeAll
  static void start() {
    sc = new JavaSparkContext(new SparkConf()
        .setMaster("local[2]")
        .setAppName("SparkEvaluatorTest")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1"));
    // one short epoch, so that the network still makes mistakes to count
    net = SyntheticData.mlp(SyntheticData.batches(1, 10, 10), 1);
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  @Test
  void twoPartitionsScoreExactlyAsOneMachine() {
    EvaluationResult local = LocalEvaluator.evaluate(net, TEST, SyntheticData.NUM_CLASSES);
    JavaRDD<DataSet> batches = sc.parallelize(TEST, 2);

    EvaluationResult spark = SparkEvaluator.evaluate(sc, batches, net, SyntheticData.NUM_CLASSES);

    assertThat(batches.getNumPartitions()).isEqualTo(2);
    assertThat(local.accuracy()).isLessThan(1.0);
    assertThat(spark.examples()).isEqualTo(176);
    assertThat(spark.confusion()).isEqualTo(local.confusion());
    assertThat(spark.accuracy()).isEqualTo(local.accuracy());
    assertThat(spark.loss()).isCloseTo(local.loss(), within(1e-5));
  }

  @Test
  void emptyPartitionsAreSkipped() {
    List<DataSet> two = TEST.subList(0, 2);
    EvaluationResult local = LocalEvaluator.evaluate(net, two, SyntheticData.NUM_CLASSES);

    EvaluationResult spark = SparkEvaluator.evaluate(sc, sc.parallelize(two, 4),
        net.getLayerWiseConfigurations().toJson(), NetworkFactory.params(net), SyntheticData.NUM_CLASSES);

    assertThat(spark.confusion()).isEqualTo(local.confusion());
    assertThat(spark.loss()).isCloseTo(local.loss(), within(1e-5));
  }

  @Test
  void paramsThatDoNotFitAreRefusedOnTheDriver() {
    String json = net.getLayerWiseConfigurations().toJson();
    JavaRDD<DataSet> batches = sc.parallelize(TEST, 2);

    // 2-16-3: 2*16+16 + 16*3+3 = 99 parameters
    assertThatThrownBy(() -> SparkEvaluator.evaluate(sc, batches, json, new float[98], 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("params holds 98 values but the configuration has 99 parameters");
  }

  @Test
  void anEmptyTestSetIsRefused() {
    JavaRDD<DataSet> none = sc.parallelize(List.<DataSet>of(), 2);

    assertThatThrownBy(() -> SparkEvaluator.evaluate(sc, none, net, SyntheticData.NUM_CLASSES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the test set holds no examples");
  }
}
