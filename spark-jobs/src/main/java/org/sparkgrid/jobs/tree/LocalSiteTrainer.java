package org.sparkgrid.jobs.tree;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.Minibatches;
import org.sparkgrid.jobs.model.NetworkFactory;
import org.sparkgrid.jobs.resources.GpuDevice;

/**
 * Site-local training: reads only the site's own path, fits {@code localEpochs} epochs from the
 * global parameters with a fresh updater, and returns the delta. With FedProx ({@code mu > 0}),
 * after every minibatch the parameters take a proximal step towards the round's global parameters,
 * {@code w -= lr * mu * (w - w_global)}: the gradient of FedProx's term {@code mu/2 ||w - w_global||^2}
 * applied as a separate (decoupled) step, since DL4J's loss cannot be extended per layer.
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
    INDArray global = task.mu() > 0 ? Nd4j.createFromArray(task.global()).reshape(net.params().shape()) : null;
    double lossSum = 0;
    for (int e = 0; e < task.localEpochs(); e++) {
      int[] order = Minibatches.shuffledOrder(data.count(), task.seed() * 31 + e);
      lossSum = 0;
      for (int from = 0; from < data.count(); from += task.batchSize()) {
        int to = Math.min(from + task.batchSize(), data.count());
        DataSet ds = Minibatches.batch(data, order, from, to, task.numClasses(), task.normalizer());
        net.fit(ds);
        lossSum += net.score() * (to - from);
        if (global != null) {
          INDArray w = net.params();
          w.subi(w.sub(global).muli(task.learningRate() * task.mu()));
        }
      }
    }
    float[] after = NetworkFactory.params(net);
    float[] delta = new float[after.length];
    for (int i = 0; i < after.length; i++) {
      delta[i] = after[i] - task.global()[i];
    }
    return new SiteResult(task.siteId(), delta, data.count(), data.count() == 0 ? Double.NaN : lossSum / data.count(),
        (System.nanoTime() - t0) / 1e9);
  }
}
