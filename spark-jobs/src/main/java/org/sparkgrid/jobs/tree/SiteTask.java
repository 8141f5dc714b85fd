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
 * @param learningRate the updater's learning rate this round (the site trains at it; it also scales the proximal
 *                     step and SCAFFOLD's correction)
 * @param seed         shuffle seed for this site and round
 * @param round        the round
 * @param controls     SCAFFOLD's control variates for this site and round; null for every other strategy
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
    int round,
    Controls controls) implements Serializable {

  /**
   * SCAFFOLD's control variates as a site receives them (Karimireddy et al. 2020): the server's
   * {@code c} and the site's own {@code c_i}, both as long as the parameters. {@code c} is the same for
   * every site and travels to the executors once per round beside the global parameters, so the task
   * itself carries only {@code c_i} until {@link #withInputs} adds {@code c}.
   *
   * @param server {@code c}; null until the task reaches its executor
   * @param site   {@code c_i}, this site's own
   */
  public record Controls(float[] server, float[] site) implements Serializable {}

  /** A task without SCAFFOLD's control variates. */
  public SiteTask(String siteId, String dataPath, DataSpec data, String networkJson, float[] global,
      DataNormalization normalizer, int numClasses, int batchSize, int localEpochs, double mu, double learningRate,
      long seed, int round) {
    this(siteId, dataPath, data, networkJson, global, normalizer, numClasses, batchSize, localEpochs, mu, learningRate,
        seed, round, null);
  }

  /** This task holding {@code parameters} as its global parameters (they travel to the executors once per round, apart). */
  public SiteTask withGlobal(float[] parameters) {
    return new SiteTask(siteId, dataPath, data, networkJson, parameters, normalizer, numClasses, batchSize, localEpochs,
        mu, learningRate, seed, round, controls);
  }

  /**
   * This task with the round's shared inputs: the global parameters and, where it carries control
   * variates, the server's {@code c}.
   */
  SiteTask withInputs(float[] parameters, float[] serverControl) {
    SiteTask t = withGlobal(parameters);
    return controls == null ? t : new SiteTask(siteId, dataPath, data, networkJson, parameters, normalizer, numClasses,
        batchSize, localEpochs, mu, learningRate, seed, round, new Controls(serverControl, controls.site()));
  }
}
