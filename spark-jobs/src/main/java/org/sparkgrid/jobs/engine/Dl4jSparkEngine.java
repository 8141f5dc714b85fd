package org.sparkgrid.jobs.engine;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.model.NetworkFactory;

/**
 * {@code "engine": {"type": "dl4j"}}: DL4J's own dl4j-spark {@code ParameterAveragingTrainingMaster}
 * (release 1.0.0-M2, built for Spark 3.1, run here on 3.5), for comparison with
 * {@link AveragingEngine} and for users migrating from it. One {@code fit} per epoch; dl4j-spark
 * runs one Spark job per averaging and averages with an unweighted mean over workers (its own test
 * warns this matches one machine only when workers hold equal numbers of examples).
 */
public final class Dl4jSparkEngine implements TrainingEngine {
  private final JavaRDD<DataSet> batches;
  private final MultiLayerConfiguration conf;
  private final AveragingEngine.Settings settings;
  private final int workers;
  private final long batchCount;
  private final long exampleCount;

  /**
   * @param sc       the Spark context
   * @param shards   one shard per worker
   * @param settings network and schedule (jobsPerEpoch is ignored: dl4j-spark runs its own jobs)
   */
  public Dl4jSparkEngine(JavaSparkContext sc, JavaRDD<ExampleShard> shards, AveragingEngine.Settings settings) {
    this.settings = settings;
    this.conf = MultiLayerConfiguration.fromJson(settings.networkJson());
    this.workers = shards.getNumPartitions();
    int bs = settings.batchSize();
    int numClasses = settings.numClasses();
    DataNormalization norm = settings.normalizer();
    this.batches = shards.flatMap(s -> Minibatches.all(s, bs, numClasses, norm).iterator())
        .persist(StorageLevel.MEMORY_ONLY());
    this.batchCount = batches.count();
    this.exampleCount = shards.map(ExampleShard::count).reduce(Integer::sum);
  }

  @Override
  public void close() {
    batches.unpersist(false);
  }

  @Override
  public String name() {
    return "dl4j";
  }

  @Override
  public int stepsPerEpoch() {
    return 1;
  }

  @Override
  public ModelState fitEpoch(int epoch, int fromStep, ModelState start, SegmentListener listener) {
    if (fromStep > 0) {
      return start;
    }
    MultiLayerNetwork net = NetworkFactory.fromParams(settings.networkJson(), start.params(), start.updaterState());
    net.setIterationCount((int) Math.min(Integer.MAX_VALUE, start.iterations()));
    ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(settings.batchSize())
        .batchSizePerWorker(settings.batchSize())
        .averagingFrequency(settings.averagingFrequency())
        .workerPrefetchNumBatches(0)
        .saveUpdater(true)
        .rddTrainingApproach(RDDTrainingApproach.Direct)
        .repartionData(Repartition.Never)
        .storageLevel(StorageLevel.MEMORY_ONLY())
        .rngSeed(settings.seed() + epoch)
        .build();
    SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(batches.context(), net, tm);
    long t0 = System.nanoTime();
    spark.fit(batches);
    double seconds = (System.nanoTime() - t0) / 1e9;
    MultiLayerNetwork out = spark.getNetwork();
    long examples = exampleCount;
    ModelState state = new ModelState(NetworkFactory.params(out), NetworkFactory.updaterState(out),
        start.iterations() + batchCount / Math.max(1, workers));
    listener.segmentDone(new SegmentReport(epoch, 1, 1, examples, spark.getScore(), seconds, state));
    tm.deleteTempFiles(batches.context());
    return state;
  }
}
