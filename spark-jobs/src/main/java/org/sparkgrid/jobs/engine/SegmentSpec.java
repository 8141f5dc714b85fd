package org.sparkgrid.jobs.engine;

import java.io.Serializable;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;

/**
 * What every worker of one Spark job (one segment of an epoch) receives by broadcast.
 *
 * @param networkJson  the DL4J MultiLayerConfiguration as JSON
 * @param state        parameters, updater state and iteration count to start from
 * @param normalizer   applied to each minibatch's raw features ({@code null}: none)
 * @param numClasses   label classes (one-hot width)
 * @param plan         the epoch's schedule
 * @param epoch        0-based epoch, seeds the shuffle
 * @param fromStep     first sync step of this job
 * @param toStep       one past the last sync step of this job
 * @param shuffle      shuffle each worker's examples each epoch
 * @param seed         the request's seed
 * @param threads      ND4J threads per task
 * @param exchange     where the driver's averaging exchange listens, with the job's secret (so this
 *                     broadcast goes only to the job's tasks, over Spark's RPC)
 * @param round        the exchange round of this job
 * @param syncTimeoutMs longest wait at one averaging
 * @param mode         whether the workers average among themselves or through the driver
 */
record SegmentSpec(
    String networkJson,
    ModelState state,
    DataNormalization normalizer,
    int numClasses,
    SyncPlan plan,
    int epoch,
    int fromStep,
    int toStep,
    boolean shuffle,
    long seed,
    int threads,
    Exchange.Endpoint exchange,
    long round,
    int syncTimeoutMs,
    ExchangeMode mode) implements Serializable {

  /** The shuffle seed of worker {@code w} in this epoch: the same on every run with the same request seed. */
  long shuffleSeed(int w) {
    long h = seed * 0x9E3779B97F4A7C15L + epoch;
    return h * 31 + w;
  }
}
