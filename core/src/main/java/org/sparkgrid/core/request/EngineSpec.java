package org.sparkgrid.core.request;

/**
 * How training is distributed over Spark.
 *
 * @param type               sparkgrid (SparkGrid's own synchronous parameter averaging, the default)
 *                           or dl4j (DL4J's ParameterAveragingTrainingMaster, for comparison and migration)
 * @param workers            data-parallel workers (Spark tasks), 1..4096 (default 2)
 * @param averagingFrequency minibatches each worker fits between two averagings, 1..10000 (default 10)
 * @param shuffle            shuffle each worker's examples every epoch (default true)
 * @param resources          what each worker needs from its executor (cores, memory, GPUs);
 *                           {@code null}: whatever a default task slot has
 */
public record EngineSpec(String type, int workers, int averagingFrequency, boolean shuffle, WorkerResources resources) {

  /** An engine with no stated resources. */
  public EngineSpec(String type, int workers, int averagingFrequency, boolean shuffle) {
    this(type, workers, averagingFrequency, shuffle, null);
  }

  /** The engine value for SparkGrid's own averaging engine. */
  public static final String SPARKGRID = "sparkgrid";
  /** The engine value for DL4J's dl4j-spark parameter averaging. */
  public static final String DL4J = "dl4j";
}
