package org.sparkgrid.jobs.tree;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgrid.federation.strategy.Scaffold;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.resources.GpuDevice;

/**
 * Site-local training: reads only the site's own path, fits {@code localEpochs} epochs from the
 * global parameters with a fresh updater at the round's learning rate ({@link SiteTask#learningRate()}:
 * the request's, times {@code federation.learningRateDecay} to the power of the round), and returns the delta and the number of local minibatch
 * steps it took ({@code ceil(examples / batchSize) * localEpochs}: FedNova's {@code tau_i}, which for
 * plain SGD is the paper's {@code ||a_i||_1}; with momentum or Adam FedNova normalizes by the step
 * count alone).
 *
 * <p>Two strategies change the local steps, each as a separate (decoupled) step after the updater's
 * own, since DL4J's loss and gradient cannot be extended per layer:
 * <ul>
 *   <li>FedProx ({@code mu > 0}): {@code w -= lr * mu * (w - w_global)}, the gradient of FedProx's term
 *       {@code mu/2 ||w - w_global||^2};
 *   <li>SCAFFOLD ({@link SiteTask#controls()} set): {@code w -= lr * (c - c_i)}. With plain SGD
 *       ({@code training.updater.type: sgd}) the updater's step and this one together are exactly the
 *       paper's corrected step {@code y <- y - lr * (g(y) - c_i + c)}: the correction does not depend on
 *       {@code y}, so applying it after the gradient step gives the same point. After the {@code K} local
 *       steps the site computes its control-variate delta by option II,
 *       {@code c_i+ - c_i = -c + (x - y) / (K * lr)} ({@link Scaffold#controlDeltaOptionII}). With any
 *       other updater (Adam, the request default) the same decoupled step is applied, as NIID-Bench's
 *       SCAFFOLD does after its optimizer's step: {@code c_i} then estimates the site's mean <em>updater
 *       step</em> divided by {@code lr} rather than its mean gradient, and the correction replaces the
 *       site's mean step direction with the federation's. That keeps the drift correction consistent
 *       (both terms are in the updater's step units) but is not the algorithm the paper analyses; use
 *       {@code sgd} for the paper's SCAFFOLD.
 * </ul>
 */
public final class LocalSiteTrainer implements SiteTrainer {
  private static final long serialVersionUID = 1L;

  @Override
  public SiteResult train(SiteTask task, Configuration conf) throws IOException {
    long t0 = System.nanoTime();
    GpuDevice.selectForTask(); // before any array exists on this thread
    NetworkFactory.limitThreads(1);
    ExampleShard data = FederationRunner.read(task.data(), task.dataPath(), null, task.numClasses(), conf);
    MultiLayerNetwork net = NetworkFactory.fromParams(task.networkJson(), task.global(), null);
    Double configured = net.getLearningRate(0);
    if (configured != null && configured != task.learningRate()) { // federation.learningRateDecay this round
      net.setLearningRate(task.learningRate());
    }
    INDArray global = task.mu() > 0 ? Nd4j.createFromArray(task.global()).reshape(net.params().shape()) : null;
    INDArray correction = task.controls() == null ? null
        : Nd4j.createFromArray(correction(task.controls(), task.learningRate())).reshape(net.params().shape());
    double lossSum = 0;
    long steps = 0;
    for (int e = 0; e < task.localEpochs(); e++) {
      int[] order = Minibatches.shuffledOrder(data.count(), task.seed() * 31 + e);
      lossSum = 0;
      for (int from = 0; from < data.count(); from += task.batchSize()) {
        int to = Math.min(from + task.batchSize(), data.count());
        DataSet ds = Minibatches.batch(data, order, from, to, task.numClasses(), task.normalizer());
        net.fit(ds);
        steps++;
        lossSum += net.score() * (to - from);
        if (global != null) {
          INDArray w = net.params();
          w.subi(w.sub(global).muli(task.learningRate() * task.mu()));
        }
        if (correction != null) {
          net.params().subi(correction);
        }
      }
    }
    float[] after = NetworkFactory.params(net);
    float[] delta = new float[after.length];
    for (int i = 0; i < after.length; i++) {
      delta[i] = after[i] - task.global()[i];
    }
    float[] controlDelta = task.controls() == null ? null : steps == 0 ? new float[delta.length]
        : Scaffold.controlDeltaOptionII(task.controls().server(), delta, steps, task.learningRate());
    return new SiteResult(task.siteId(), delta, data.count(), steps, controlDelta,
        data.count() == 0 ? Double.NaN : lossSum / data.count(), (System.nanoTime() - t0) / 1e9);
  }

  /**
   * SCAFFOLD's per-step correction {@code lr * (c - c_i)}, which the site subtracts from its parameters
   * after every minibatch.
   *
   * @throws IllegalArgumentException if {@code c} or {@code c_i} is missing or their lengths differ
   */
  static float[] correction(SiteTask.Controls controls, double learningRate) {
    if (controls.server() == null || controls.site() == null
        || controls.server().length != controls.site().length) {
      throw new IllegalArgumentException("SCAFFOLD's control variates must both be present and equally long; got c "
          + (controls.server() == null ? "missing" : controls.server().length + " values") + " and c_i "
          + (controls.site() == null ? "missing" : controls.site().length + " values"));
    }
    float[] out = new float[controls.server().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (learningRate * ((double) controls.server()[i] - controls.site()[i]));
    }
    return out;
  }
}
