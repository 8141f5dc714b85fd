package org.sparkgrid.jobs.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgrid.core.request.MlpSpec;
import org.sparkgrid.core.request.ModelSpec;
import org.sparkgrid.core.request.TrainingSpec;
import org.sparkgrid.core.request.UpdaterSpec;
import org.sparkgrid.jobs.model.NetworkFactory;

/**
 * A tiny linearly separable problem: 3 classes of 2-D points, Gaussian clouds (sd 0.5) around
 * (2, 0), (-1, 1.7) and (-1, -1.7), which are 3.4 apart.
 */
final class SyntheticData {

  static final int NUM_CLASSES = 3;
  private static final double[][] CENTERS = {{2, 0}, {-1, 1.7}, {-1, -1.7}};

  private SyntheticData() {}

  /** Minibatches of the given sizes, one-hot labels, classes drawn uniformly. */
  static List<DataSet> batches(long seed, int... sizes) {
    Random random = new Random(seed);
    List<DataSet> batches = new ArrayList<>();
    for (int size : sizes) {
      float[][] features = new float[size][2];
      float[][] labels = new float[size][NUM_CLASSES];
      for (int i = 0; i < size; i++) {
        int c = random.nextInt(NUM_CLASSES);
        features[i][0] = (float) (CENTERS[c][0] + 0.5 * random.nextGaussian());
        features[i][1] = (float) (CENTERS[c][1] + 0.5 * random.nextGaussian());
        labels[i][c] = 1;
      }
      batches.add(new DataSet(Nd4j.createFromArray(features), Nd4j.createFromArray(labels)));
    }
    return batches;
  }

  /** A 2-16-3 MLP (Adam, learning rate 0.01, seed 7), trained for the given number of epochs. */
  static MultiLayerNetwork mlp(List<DataSet> train, int epochs) {
    ModelSpec model = new ModelSpec("synthetic", ModelSpec.Architecture.MLP,
        new MlpSpec(List.of(16), "relu", 0.0), null, null, null);
    TrainingSpec training = new TrainingSpec(epochs, 20, 7, new UpdaterSpec("adam", 0.01, 0.9), 0.0);
    MultiLayerNetwork net = NetworkFactory.init(NetworkFactory.build(model, training, new int[] {2}, NUM_CLASSES));
    for (int epoch = 0; epoch < epochs; epoch++) {
      train.forEach(net::fit);
    }
    return net;
  }
}
