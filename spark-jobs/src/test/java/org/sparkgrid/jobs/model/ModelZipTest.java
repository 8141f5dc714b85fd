package org.sparkgrid.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.deeplearning4j.nn.api.OptimizationAlgorithm;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * model.zip as DL4J itself stores it: a 4-5-3 network (43 parameters) trained three steps with Adam
 * (so it has updater state), written with its normalizer, then opened entry by entry and restored
 * with plain {@code ModelSerializer}.
 */
class ModelZipTest {
  private static final INDArray FEATURES = Nd4j.createFromArray(new float[][] {
      {1, 2, 3, 4}, {4, 3, 2, 1}, {0, 1, 0, 1}, {5, 5, 1, 0}, {2, 0, 2, 0}, {1, 1, 1, 1}});
  private static final INDArray LABELS = Nd4j.createFromArray(new float[][] {
      {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
  private static MultiLayerNetwork net;
  private static NormalizerStandardize normalizer;
  private static byte[] zip;

  @BeforeAll
  static void trainAndWrite() throws IOException {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
        .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT).updater(new Adam(0.01)).list()
        .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
            .activation(Activation.SOFTMAX).build())
        .build();
    net = NetworkFactory.init(conf);
    DataSet data = new DataSet(FEATURES, LABELS);
    normalizer = new NormalizerStandardize();
    normalizer.fit(data);
    DataSet normalized = data.copy();
    normalizer.transform(normalized);
    for (int step = 0; step < 3; step++) {
      net.fit(normalized);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ModelZip.write(net, normalizer, out);
    zip = out.toByteArray();
  }

  @Test
  void theParametersAreStoredAsAOneByNumParamsRow() throws IOException {
    INDArray stored = entry(ModelSerializer.COEFFICIENTS_BIN);

    assertThat(net.numParams()).isEqualTo(4 * 5 + 5 + 5 * 3 + 3);
    assertThat(stored.shape()).containsExactly(1, 43);
    assertThat(stored.toFloatVector()).containsExactly(NetworkFactory.params(net));
  }

  @Test
  void theZipHoldsDl4jsEntriesOnceEach() throws IOException {
    assertThat(entryNames()).containsExactlyInAnyOrder(ModelSerializer.CONFIGURATION_JSON,
        ModelSerializer.COEFFICIENTS_BIN, ModelSerializer.UPDATER_BIN, ModelSerializer.NORMALIZER_BIN);
  }

  @Test
  void plainModelSerializerRestoresTheSameNetwork() throws IOException {
    MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), true);

    assertThat(restored.output(FEATURES).ravel().toFloatVector())
        .containsExactly(net.output(FEATURES).ravel().toFloatVector());
    assertThat(NetworkFactory.params(restored)).containsExactly(NetworkFactory.params(net));
    assertThat(NetworkFactory.updaterState(restored)).containsExactly(NetworkFactory.updaterState(net))
        .hasSize(2 * 43); // Adam: two moments per parameter
  }

  @Test
  void theNormalizerComesBackWithTheNetwork() throws IOException {
    var both = ModelSerializer.restoreMultiLayerNetworkAndNormalizer(new ByteArrayInputStream(zip), false);

    NormalizerStandardize back = (NormalizerStandardize) both.getSecond();
    assertThat(back.getMean().toFloatVector()).containsExactly(normalizer.getMean().toFloatVector());
    assertThat(back.getStd().toFloatVector()).containsExactly(normalizer.getStd().toFloatVector());
  }

  private static INDArray entry(String name) throws IOException {
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().equals(name)) {
          return Nd4j.read(new DataInputStream(in));
        }
      }
    }
    throw new AssertionError(name + " is not in model.zip");
  }

  private static List<String> entryNames() throws IOException {
    List<String> names = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        names.add(e.getName());
      }
    }
    return names;
  }
}
