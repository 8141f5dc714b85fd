package org.sparkgrid.jobs.engine;

import java.io.Serializable;

/**
 * Everything a worker needs to continue training where the last one stopped: the flat parameter
 * vector, the flat updater state (Adam's moments, momentum ...; empty for plain SGD), and the
 * iteration count that drives the updater's bias correction and schedules.
 *
 * @param params       the network's parameters, as {@code MultiLayerNetwork.params()} orders them
 * @param updaterState the updater's state view, as {@code Updater.getStateViewArray()} orders it
 * @param iterations   minibatches fitted so far (by one worker), carried so that Adam's bias
 *                     correction continues rather than restarting each Spark job
 */
public record ModelState(float[] params, float[] updaterState, long iterations) implements Serializable {
  public ModelState {
    if (params == null || updaterState == null) {
      throw new IllegalArgumentException("params and updaterState must not be null (use an empty array)");
    }
    if (iterations < 0) {
      throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
    }
  }
}
