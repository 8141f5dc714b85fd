package org.sparkgrid.jobs.tree;

import java.io.Serializable;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.sparkgrid.core.request.DataSpec;

/**
 * What one site's training task of one round receives: the global model and how to train it on
 * the site's own data.
 *
 * @param siteId       the site
 * @param dataPath     the site's data (read by this task only)
 * @param data         the request's data section (format, normalization, classes)
 * @param networkJson  DL4J MultiLayerConfiguration JSON
 * @param global       the round's global parameters
 * @param normalizer   applied to each minibatch ({@code null}: none)
 * @param numClasses   label classes
 * @param batchSize    minibatch size
 * @param localEpochs  passes over the site's data this round
 * @param mu           FedProx proximal coefficient (0: plain local training)
 * @param learningRate the updater's learning rate (scales the proximal step)
 * @param seed         shuffle seed for this site and round
 * @param round        the round
 */
public record SiteTask(
    String siteId,
    String dataPath,
    DataSpec data,
    String networkJson,
    float[] global,
    DataNormalization normalizer,
    int numClasses,
    int batchSize,
    int localEpochs,
    double mu,
    double learningRate,
    long seed,
    int round) implements Serializable {

  /** This task holding {@code parameters} as its global parameters (they travel to the executors once per round, apart). */
  public SiteTask withGlobal(float[] parameters) {
    return new SiteTask(siteId, dataPath, data, networkJson, parameters, normalizer, numClasses, batchSize, localEpochs,
        mu, learningRate, seed, round);
  }
}
