package org.sparkgrid.jobs.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.sparkgrid.core.request.CnnSpec;
import org.sparkgrid.core.request.CnnSpec.ConvBlock;
import org.sparkgrid.core.request.MlpSpec;
import org.sparkgrid.core.request.ModelSpec;
import org.sparkgrid.core.request.ModelSpec.Architecture;
import org.sparkgrid.core.request.TrainingSpec;
import org.sparkgrid.core.request.UpdaterSpec;

class NetworkFactoryTest {

  private static final int[] FMNIST = {1, 28, 28};
  private static final TrainingSpec ADAM = training("adam");

  @Test
  void defaultMlpIs784x256x128x10With235146Params() {
    MultiLayerConfiguration conf = NetworkFactory.build(mlp(MlpSpec.defaults()), ADAM, FMNIST, 10);

    // 784*256+256 + 256*128+128 + 128*10+10
    assertThat(NetworkFactory.numParams(conf)).isEqualTo(235_146L);
    assertThat(NetworkFactory.init(conf).numParams()).isEqualTo(235_146L);
    assertThat(sizes(conf)).containsExactly(
        new long[] {784, 256}, new long[] {256, 128}, new long[] {128, 10});
    assertThat(layer(conf, 0)).isInstanceOf(DenseLayer.class);
    assertThat(((BaseLayer) layer(conf, 0)).getActivationFn()).isInstanceOf(ActivationReLU.class);
    OutputLayer output = (OutputLayer) layer(conf, 2);
    assertThat(output.getActivationFn()).isInstanceOf(ActivationSoftmax.class);
    assertThat(output.getLossFn()).isInstanceOf(LossMCXENT.class);
    assertThat(conf.getDataType()).isEqualTo(DataType.FLOAT);
    assertThat(((BaseLayer) layer(conf, 0)).getIUpdater()).isEqualTo(new Adam(0.001));
  }

  @Test
  void mlpDropoutIsSetAsRetainProbabilityOnLayersThatReadHiddenUnits() {
    MlpSpec spec = new MlpSpec(List.of(32, 16), "tanh", 0.25);

    MultiLayerConfiguration conf = NetworkFactory.build(mlp(spec), ADAM, new int[] {8}, 3);

    assertThat(layer(conf, 0).getIDropout()).isNull();
    assertThat(((Dropout) layer(conf, 1).getIDropout()).getP()).isEqualTo(0.75);
    assertThat(((Dropout) layer(conf, 2).getIDropout()).getP()).isEqualTo(0.75);
  }

  @Test
  void defaultCnnOnFashionMnistHas317066Params() {
    MultiLayerConfiguration conf = NetworkFactory.build(cnn(CnnSpec.defaults()), ADAM, FMNIST, 10);

    // conv 5x5 1->32: 5*5*1*32+32 = 832, 28 -> 24, pool -> 12
    // conv 5x5 32->64: 5*5*32*64+64 = 51264, 12 -> 8, pool -> 4
    // dense 4*4*64=1024 -> 256: 1024*256+256 = 262400
    // output 256 -> 10: 2570
    assertThat(NetworkFactory.numParams(conf)).isEqualTo(832L + 51_264 + 262_400 + 2_570);
    assertThat(NetworkFactory.init(conf).numParams()).isEqualTo(317_066L);
    assertThat(conf.getConfs()).extracting(c -> c.getLayer().getClass().getSimpleName()).containsExactly(
        "ConvolutionLayer", "SubsamplingLayer", "ConvolutionLayer", "SubsamplingLayer", "DenseLayer", "OutputLayer");
    assertThat(((FeedForwardLayer) layer(conf, 4)).getNIn()).isEqualTo(1024);
    assertThat(((ConvolutionLayer) layer(conf, 2)).getNOut()).isEqualTo(64);
    assertThat(((SubsamplingLayer) layer(conf, 1)).getKernelSize()).containsExactly(2, 2);
  }

  @Test
  void cnnTakesFlatInputRows() {
    MultiLayerNetwork net = NetworkFactory.init(NetworkFactory.build(cnn(CnnSpec.defaults()), ADAM, FMNIST, 10));

    long[] shape = net.output(Nd4j.rand(DataType.FLOAT, 3, 784)).shape();

    assertThat(shape).containsExactly(3, 10);
  }

  @Test
  void cnnNeedsAnImageShape() {
    assertThatThrownBy(() -> NetworkFactory.build(cnn(CnnSpec.defaults()), ADAM, new int[] {784}, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model.architecture")
        .hasMessageContaining("[784]");
  }

  @Test
  void tooDeepCnnNamesTheBlockAndTheSizeItWouldReach() {
    // 28 -conv5-> 24 -pool2-> 12 -conv5-> 8 -pool2-> 4 -conv5-> 0
    ConvBlock block = new ConvBlock(8, 5, 1, 2);
    CnnSpec spec = new CnnSpec(List.of(block, block, block), List.of(), "relu", 0.0);

    assertThatThrownBy(() -> NetworkFactory.build(cnn(spec), ADAM, FMNIST, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("model.cnn.conv[2]: a 5x5 convolution with stride 1 on its 4x4 input")
        .hasMessageContaining("spatial size of 0x0");
  }

  @Test
  void poolingBelowOnePixelNamesTheBlock() {
    CnnSpec spec = new CnnSpec(List.of(new ConvBlock(8, 3, 1, 4)), List.of(), "relu", 0.0);

    assertThatThrownBy(() -> NetworkFactory.build(cnn(spec), ADAM, new int[] {1, 5, 5}, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("model.cnn.conv[0]: a 4x4 max pooling on its 3x3 input")
        .hasMessageContaining("0x0");
  }

  @Test
  void unknownActivationIsRefusedWithFieldAndValue() {
    MlpSpec spec = new MlpSpec(List.of(16), "swish", 0.0);

    assertThatThrownBy(() -> NetworkFactory.build(mlp(spec), ADAM, new int[] {4}, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model.mlp.activation must be one of relu, leakyrelu, tanh, sigmoid, elu, gelu."
            + " Current value is swish");
  }

  @Test
  void unknownUpdaterIsRefusedWithFieldAndValue() {
    assertThatThrownBy(() -> NetworkFactory.build(mlp(MlpSpec.defaults()), training("lbfgs"), FMNIST, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("training.updater.type")
        .hasMessageEndingWith("Current value is lbfgs");
  }

  @Test
  void nesterovsTakesTheMomentum() {
    TrainingSpec nesterovs = new TrainingSpec(1, 64, 7, new UpdaterSpec("nesterovs", 0.1, 0.8), 0.0);

    MultiLayerConfiguration conf = NetworkFactory.build(mlp(MlpSpec.defaults()), nesterovs, FMNIST, 10);

    assertThat(((BaseLayer) layer(conf, 0)).getIUpdater()).isEqualTo(new Nesterovs(0.1, 0.8));
  }

  @Test
  void rawDl4jJsonIsUsedAsItIs() {
    MultiLayerConfiguration original = NetworkFactory.build(mlp(MlpSpec.defaults()), ADAM, FMNIST, 10);

    MultiLayerConfiguration conf = NetworkFactory.build(dl4j(original.toJson()), training("sgd"), FMNIST, 10);

    assertThat(conf).isEqualTo(original);
  }

  @Test
  void rawDl4jJsonThatDoesNotParseIsRefused() {
    assertThatThrownBy(() -> NetworkFactory.build(dl4j("{\"confs\": 3"), ADAM, FMNIST, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("model.dl4jConfiguration is not a DL4J MultiLayerConfiguration in JSON");
  }

  @Test
  void rawDl4jOutputMustMatchTheClasses() {
    String json = NetworkFactory.build(mlp(MlpSpec.defaults()), ADAM, FMNIST, 10).toJson();

    assertThatThrownBy(() -> NetworkFactory.build(dl4j(json), ADAM, FMNIST, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model.dl4jConfiguration's output layer has nOut = 10 but the data has 5 classes");
  }

  @Test
  void rawDl4jMustEndInAnOutputLayer() {
    String json = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
        .layer(new DenseLayer.Builder().nIn(4).nOut(3).build())
        .build()
        .toJson();

    assertThatThrownBy(() -> NetworkFactory.build(dl4j(json), ADAM, new int[] {4}, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("model.dl4jConfiguration must end in an output layer")
        .hasMessageEndingWith("Its last layer is a DenseLayer");
  }

  @Test
  void fromParamsRestoresParamsAndAdamState() {
    MultiLayerConfiguration conf = NetworkFactory.build(mlp(new MlpSpec(List.of(6), "relu", 0.0)), ADAM,
        new int[] {4}, 3);
    MultiLayerNetwork net = NetworkFactory.init(conf);
    DataSet batch = batch();
    for (int i = 0; i < 3; i++) {
      net.fit(batch);
    }

    MultiLayerNetwork copy = NetworkFactory.fromParams(
        conf.toJson(), NetworkFactory.params(net), NetworkFactory.updaterState(net));

    assertThat(NetworkFactory.params(copy)).containsExactly(NetworkFactory.params(net));
    assertThat(NetworkFactory.updaterState(copy)).containsExactly(NetworkFactory.updaterState(net));
    // the restored moments drive the next step exactly as the originals do
    net.fit(batch);
    copy.fit(batch);
    assertThat(NetworkFactory.params(copy)).containsExactly(NetworkFactory.params(net));
  }

  @Test
  void freshAdamHasZeroStateOfTwiceTheParams() {
    MultiLayerNetwork net = NetworkFactory.init(
        NetworkFactory.build(mlp(new MlpSpec(List.of(6), "relu", 0.0)), ADAM, new int[] {4}, 3));

    float[] state = NetworkFactory.updaterState(net);

    // (4*6+6) + (6*3+3) = 51 params; Adam keeps two moments per param
    assertThat(state).hasSize(102).containsOnly(0f);
  }

  @Test
  void sgdHasNoUpdaterState() {
    MultiLayerNetwork net = NetworkFactory.init(
        NetworkFactory.build(mlp(new MlpSpec(List.of(6), "relu", 0.0)), training("sgd"), new int[] {4}, 3));

    assertThat(NetworkFactory.updaterState(net)).isEmpty();
  }

  @Test
  void fromParamsRefusesWrongLengths() {
    String json = NetworkFactory.build(mlp(new MlpSpec(List.of(6), "relu", 0.0)), ADAM, new int[] {4}, 3).toJson();

    assertThatThrownBy(() -> NetworkFactory.fromParams(json, new float[50], null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("params holds 50 values but the configuration has 51 parameters");
    assertThatThrownBy(() -> NetworkFactory.fromParams(json, new float[51], new float[51]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("updaterState holds 51 values but the configuration's updater has 102 state values");
  }

  private static DataSet batch() {
    Nd4j.getRandom().setSeed(3);
    float[][] labels = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 1, 0}};
    return new DataSet(Nd4j.rand(DataType.FLOAT, 5, 4), Nd4j.createFromArray(labels));
  }

  private static List<long[]> sizes(MultiLayerConfiguration conf) {
    return conf.getConfs().stream()
        .map(c -> (FeedForwardLayer) c.getLayer())
        .map(l -> new long[] {l.getNIn(), l.getNOut()})
        .toList();
  }

  private static Layer layer(MultiLayerConfiguration conf, int index) {
    return conf.getConf(index).getLayer();
  }

  private static TrainingSpec training(String updater) {
    return new TrainingSpec(1, 64, 42, new UpdaterSpec(updater, 0.001, 0.9), 0.0);
  }

  private static ModelSpec mlp(MlpSpec spec) {
    return new ModelSpec("m", Architecture.MLP, spec, null, null, null);
  }

  private static ModelSpec cnn(CnnSpec spec) {
    return new ModelSpec("m", Architecture.CNN, null, spec, null, null);
  }

  private static ModelSpec dl4j(String json) {
    return new ModelSpec("m", Architecture.DL4J, null, null, json, null);
  }
}
