package org.sparkgrid.jobs.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.sparkgrid.core.request.CnnSpec;
import org.sparkgrid.core.request.CnnSpec.ConvBlock;
import org.sparkgrid.core.request.MlpSpec;
import org.sparkgrid.core.request.ModelSpec;
import org.sparkgrid.core.request.TrainingSpec;
import org.sparkgrid.core.request.UpdaterSpec;

/**
 * Turns a request's {@link ModelSpec} and {@link TrainingSpec} into a DL4J network, and a network
 * into plain {@code float[]} parameters and updater state (and back), which is the form in which
 * SparkGrid ships models between the driver and the executors.
 *
 * <p>Every network takes FLAT features, {@code [batch, product(inputShape)]}, and ends in a
 * softmax over {@code numClasses} classes trained with multi-class cross-entropy (negative log
 * likelihood). Example:
 *
 * <pre>{@code
 * ModelSpec model = new ModelSpec("fmnist-mlp", ModelSpec.Architecture.MLP, MlpSpec.defaults(), null, null, null);
 * TrainingSpec training = new TrainingSpec(1, 64, 42, new UpdaterSpec("adam", 0.001, 0.9), 0.0);
 * MultiLayerConfiguration conf = NetworkFactory.build(model, training, new int[] {1, 28, 28}, 10);
 * MultiLayerNetwork net = NetworkFactory.init(conf);
 * net.fit(batch);                                    // features [64, 784], one-hot labels [64, 10]
 * float[] params = NetworkFactory.params(net);       // ship these ...
 * float[] state = NetworkFactory.updaterState(net);
 * MultiLayerNetwork copy = NetworkFactory.fromParams(conf.toJson(), params, state); // ... and rebuild
 * }</pre>
 */
public final class NetworkFactory {

  private NetworkFactory() {}

  /**
   * Builds the configuration of the network a request asks for.
   *
   * <ul>
   *   <li>MLP: one {@link DenseLayer} per {@link MlpSpec#hidden()} size, then the softmax output.
   *       {@link MlpSpec#dropout()} drops hidden units: it is set on every layer that reads a hidden
   *       layer (DL4J applies a layer's dropout to that layer's input), never on the input pixels.
   *   <li>CNN: per {@link ConvBlock} a convolution (no padding) and, when {@code pool > 1}, a
   *       {@code pool x pool} max pooling with stride {@code pool}; then one {@link DenseLayer} per
   *       {@link CnnSpec#dense()} size, each with {@link CnnSpec#dropout()} on its input; then the
   *       softmax output. The input is declared {@code convolutionalFlat}, so flat
   *       {@code [batch, c*h*w]} rows (channels first, row-major) are reshaped by the network.
   *   <li>DL4J: the JSON is used as it is, its updater, seed and data type included; only its
   *       output size is checked against {@code numClasses}.
   * </ul>
   *
   * <p>For MLP and CNN the updater, L2 (weights only, when {@code > 0}) and seed come from {@code
   * training}, the data type is FLOAT, layers with ReLU-type activations start from He ({@link
   * WeightInit#RELU}) weights and the others from Xavier weights.
   *
   * <p>Dropout: the request speaks of the probability of DROPPING a unit, DL4J's {@code dropOut(p)}
   * of the probability of RETAINING it, so {@code dropOut(1 - dropout)} is set.
   *
   * @param model      the network; its {@code architecture} picks which of its parts is read
   * @param training   updater, L2 and seed (ignored for raw DL4J configurations)
   * @param inputShape the shape of one example, e.g. {@code {1, 28, 28}} or {@code {784}}
   * @param numClasses the number of classes, at least 2
   * @return the configuration; {@link #init} makes a network of it
   * @throws IllegalArgumentException for an unknown activation or updater, a CNN on an input that
   *     is not {@code {channels, height, width}}, convolution blocks that shrink the image below one
   *     pixel, or raw DL4J JSON that does not parse, whose dense first layer's {@code nIn} is not
   *     the examples' size, or that does not end in a {@code numClasses}-wide output layer; the
   *     message names the request field and the value
   */
  public static MultiLayerConfiguration build(
      ModelSpec model, TrainingSpec training, int[] inputShape, int numClasses) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(inputShape, "inputShape");
    checkInputShape(inputShape);
    if (numClasses < 2) {
      throw new IllegalArgumentException("numClasses must be at least 2. Current value is " + numClasses);
    }
    if (model.architecture() == null) {
      throw new IllegalArgumentException("model.architecture must be one of mlp, cnn, dl4j. Current value is null");
    }
    return switch (model.architecture()) {
      case MLP -> mlp(required(model.mlp(), "model.mlp"), Objects.requireNonNull(training, "training"),
          inputShape, numClasses);
      case CNN -> cnn(required(model.cnn(), "model.cnn"), Objects.requireNonNull(training, "training"),
          inputShape, numClasses);
      case DL4J -> dl4j(model.dl4jConfiguration(), inputShape, numClasses);
    };
  }

  /**
   * Creates a network with fresh weights (drawn from the configuration's seed).
   *
   * @param conf the configuration, from {@link #build} or DL4J JSON
   * @return the initialised network
   */
  public static MultiLayerNetwork init(MultiLayerConfiguration conf) {
    MultiLayerNetwork net = new MultiLayerNetwork(Objects.requireNonNull(conf, "conf"));
    net.init();
    return net;
  }

  /**
   * Rebuilds a network from its configuration JSON, its parameters and (optionally) its updater
   * state, as produced by {@link MultiLayerConfiguration#toJson()}, {@link #params} and {@link
   * #updaterState}. The arrays are copied, not shared.
   *
   * @param confJson     the configuration as JSON
   * @param params       the flattened parameters, {@code numParams} long
   * @param updaterState the flattened updater state, or {@code null} to start the updater afresh
   * @return the network
   * @throws IllegalArgumentException if the JSON does not parse, or an array's length differs from
   *     what the configuration needs (both lengths are in the message)
   */
  public static MultiLayerNetwork fromParams(String confJson, float[] params, float[] updaterState) {
    MultiLayerNetwork net = init(parse(confJson, "confJson"));
    setState(net, params, updaterState);
    return net;
  }

  /**
   * Overwrites a network's parameters and (when non-null) its updater state in place: what each
   * worker does after an averaging.
   *
   * @param net          the network
   * @param params       the flattened parameters, {@code numParams} long
   * @param updaterState the flattened updater state, or {@code null} to leave it as it is
   * @throws IllegalArgumentException if an array's length differs from what the network holds
   */
  public static void setState(MultiLayerNetwork net, float[] params, float[] updaterState) {
    Objects.requireNonNull(params, "params");
    long expected = net.numParams();
    if (params.length != expected) {
      throw new IllegalArgumentException(
          "params holds " + params.length + " values but the configuration has " + expected + " parameters");
    }
    net.setParams(Nd4j.createFromArray(params).reshape(1, params.length).castTo(net.params().dataType()));
    if (updaterState != null) {
      INDArray view = stateView(net);
      long stateLength = view == null ? 0 : view.length();
      if (updaterState.length != stateLength) {
        throw new IllegalArgumentException("updaterState holds " + updaterState.length
            + " values but the configuration's updater has " + stateLength + " state values");
      }
      if (view != null) {
        view.assign(Nd4j.createFromArray(updaterState).reshape(view.shape()).castTo(view.dataType()));
      }
    }
  }

  /**
   * Copies a network's parameters into a flat array (the order of {@link MultiLayerNetwork#params()}).
   *
   * @param net the network
   * @return a copy of its parameters
   */
  public static float[] params(MultiLayerNetwork net) {
    return net.params().castTo(DataType.FLOAT).toFloatVector();
  }

  /**
   * Copies a network's updater state (Adam's moments, Nesterov's velocity, ...) into a flat array.
   * Creates the updater if the network has none yet; a fresh updater's state is all zeros.
   *
   * @param net the network
   * @return a copy of the updater state; empty for stateless updaters such as SGD
   */
  public static float[] updaterState(MultiLayerNetwork net) {
    INDArray view = stateView(net);
    return view == null ? new float[0] : view.castTo(DataType.FLOAT).reshape(view.length()).toFloatVector();
  }

  /**
   * Reads a configuration from its JSON ({@link MultiLayerConfiguration#toJson()}).
   *
   * @param confJson the configuration as JSON
   * @return the configuration
   * @throws IllegalArgumentException if the text is null, blank or not a configuration
   */
  public static MultiLayerConfiguration parse(String confJson) {
    return parse(confJson, "confJson");
  }

  /**
   * Counts the parameters of a configuration without allocating them.
   *
   * @param conf the configuration
   * @return the length of the network's flattened parameters
   */
  public static long numParams(MultiLayerConfiguration conf) {
    long total = 0;
    for (NeuralNetConfiguration layerConf : conf.getConfs()) {
      total += layerConf.getLayer().initializer().numParams(layerConf);
    }
    return total;
  }

  /**
   * Limits ND4J to {@code n} threads in this JVM: call it with 1 at the start of every Spark task
   * that runs a network, so that task slots do not fight over cores. It changes process-wide
   * settings. Both calls are made because in DL4J/ND4J 1.0.0-M2 the BLAS one is what takes effect
   * and the environment one alone does not stick.
   *
   * @param n the number of threads, at least 1
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public static void limitThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be at least 1. Current value is " + n);
    }
    Nd4j.factory().blas().setMaxThreads(n);
    Nd4j.getEnvironment().setMaxThreads(n);
  }

  private static MultiLayerConfiguration mlp(
      MlpSpec spec, TrainingSpec training, int[] inputShape, int numClasses) {
    Activation activation = activation(spec.activation(), "model.mlp.activation");
    List<Integer> hidden = spec.hidden() == null ? List.of() : spec.hidden();
    NeuralNetConfiguration.ListBuilder layers = base(training).list();
    for (int i = 0; i < hidden.size(); i++) {
      DenseLayer.Builder dense = dense(hidden.get(i), activation);
      if (i > 0) {
        withDropout(dense, spec.dropout());
      }
      layers.layer(dense.build());
    }
    OutputLayer.Builder output = output(numClasses);
    if (!hidden.isEmpty()) {
      withDropout(output, spec.dropout());
    }
    layers.layer(output.build());
    layers.setInputType(InputType.feedForward(numFeatures(inputShape)));
    return layers.build();
  }

  private static MultiLayerConfiguration cnn(
      CnnSpec spec, TrainingSpec training, int[] inputShape, int numClasses) {
    if (inputShape.length != 3) {
      throw new IllegalArgumentException("model.architecture cnn needs images, an input shape of"
          + " {channels, height, width}. Current input shape is " + Arrays.toString(inputShape));
    }
    Activation activation = activation(spec.activation(), "model.cnn.activation");
    int channels = inputShape[0];
    int height = inputShape[1];
    int width = inputShape[2];
    NeuralNetConfiguration.ListBuilder layers = base(training).list();
    List<ConvBlock> blocks = spec.conv() == null ? List.of() : spec.conv();
    for (int i = 0; i < blocks.size(); i++) {
      ConvBlock block = blocks.get(i);
      String field = "model.cnn.conv[" + i + "]";
      int convHeight = Math.floorDiv(height - block.kernel(), block.stride()) + 1;
      int convWidth = Math.floorDiv(width - block.kernel(), block.stride()) + 1;
      checkSpatial(field, convHeight, convWidth, height, width,
          "a " + block.kernel() + "x" + block.kernel() + " convolution with stride " + block.stride());
      layers.layer(new ConvolutionLayer.Builder(block.kernel(), block.kernel())
          .stride(block.stride(), block.stride())
          .nOut(block.filters())
          .activation(activation)
          .weightInit(weightInit(activation))
          .build());
      height = convHeight;
      width = convWidth;
      if (block.pool() > 1) {
        checkSpatial(field, height / block.pool(), width / block.pool(), height, width,
            "a " + block.pool() + "x" + block.pool() + " max pooling");
        layers.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
            .kernelSize(block.pool(), block.pool())
            .stride(block.pool(), block.pool())
            .build());
        height /= block.pool();
        width /= block.pool();
      }
    }
    for (int size : spec.dense() == null ? List.<Integer>of() : spec.dense()) {
      layers.layer(withDropout(dense(size, activation), spec.dropout()).build());
    }
    layers.layer(output(numClasses).build());
    layers.setInputType(InputType.convolutionalFlat(inputShape[1], inputShape[2], channels));
    return layers.build();
  }

  private static MultiLayerConfiguration dl4j(String json, int[] inputShape, int numClasses) {
    MultiLayerConfiguration conf = parse(json, "model.dl4jConfiguration");
    List<NeuralNetConfiguration> confs = conf.getConfs();
    if (confs.isEmpty()) {
      throw new IllegalArgumentException("model.dl4jConfiguration has no layers");
    }
    Layer first = confs.get(0).getLayer();
    // a dense first layer without an input preprocessor reads the flat examples: its nIn is their size
    if (first instanceof FeedForwardLayer ff && !(first instanceof ConvolutionLayer)
        && conf.getInputPreProcess(0) == null && ff.getNIn() > 0 && ff.getNIn() != numFeatures(inputShape)) {
      throw new IllegalArgumentException("model.dl4jConfiguration's first layer has nIn = " + ff.getNIn()
          + " but the data has " + numFeatures(inputShape) + " features per example (shape "
          + Arrays.toString(inputShape) + ")");
    }
    Layer last = confs.get(confs.size() - 1).getLayer();
    if (!(last instanceof BaseOutputLayer output)) {
      throw new IllegalArgumentException("model.dl4jConfiguration must end in an output layer (OutputLayer or"
          + " another BaseOutputLayer, with a loss function and nOut = " + numClasses + " classes): SparkGrid"
          + " trains it on one-hot labels and scores the argmax of its output. Its last layer is a "
          + last.getClass().getSimpleName());
    }
    if (output.getNOut() != numClasses) {
      throw new IllegalArgumentException("model.dl4jConfiguration's output layer has nOut = " + output.getNOut()
          + " but the data has " + numClasses + " classes");
    }
    return conf;
  }

  /**
   * The number of classes a model fixes by itself: a raw DL4J configuration's output width; empty
   * for the built-in architectures (their output follows the data) and for JSON that does not parse
   * or ends in no output layer ({@link #build} says why).
   */
  public static Optional<Integer> outputWidth(ModelSpec model) {
    if (model == null || model.architecture() != ModelSpec.Architecture.DL4J) {
      return Optional.empty();
    }
    try {
      List<NeuralNetConfiguration> confs = parse(model.dl4jConfiguration(), "model.dl4jConfiguration").getConfs();
      return confs.isEmpty() || !(confs.get(confs.size() - 1).getLayer() instanceof BaseOutputLayer o)
          ? Optional.empty() : Optional.of(Math.toIntExact(o.getNOut()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static MultiLayerConfiguration parse(String json, String field) {
    if (json == null || json.isBlank()) {
      throw new IllegalArgumentException(field + " must be a DL4J MultiLayerConfiguration in JSON. Current value is "
          + (json == null ? "null" : "blank"));
    }
    try {
      return MultiLayerConfiguration.fromJson(json);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          field + " is not a DL4J MultiLayerConfiguration in JSON: " + e.getMessage(), e);
    }
  }

  private static NeuralNetConfiguration.Builder base(TrainingSpec training) {
    NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder()
        .seed(training.seed())
        .dataType(DataType.FLOAT)
        .updater(updater(training.updater()))
        .weightInit(WeightInit.XAVIER)
        .convolutionMode(ConvolutionMode.Truncate)
        .miniBatch(true);
    if (training.l2() > 0) {
      builder.l2(training.l2());
    }
    return builder;
  }

  /**
   * Maps a request's updater to DL4J's.
   *
   * @throws IllegalArgumentException for an unknown type, naming training.updater.type
   */
  static IUpdater updater(UpdaterSpec spec) {
    if (spec == null) {
      throw new IllegalArgumentException("training.updater must be set. Current value is null");
    }
    String type = spec.type() == null ? "null" : spec.type().toLowerCase(Locale.ROOT);
    double lr = spec.learningRate();
    return switch (type) {
      case "sgd" -> new Sgd(lr);
      case "nesterovs" -> new Nesterovs(lr, spec.momentum());
      case "adam" -> new Adam(lr);
      case "rmsprop" -> new RmsProp(lr);
      case "adagrad" -> new AdaGrad(lr);
      default -> throw new IllegalArgumentException("training.updater.type must be one of sgd, nesterovs, adam,"
          + " rmsprop, adagrad. Current value is " + spec.type());
    };
  }

  /**
   * Maps a request's activation name to DL4J's.
   *
   * @throws IllegalArgumentException for an unknown name, naming {@code field} and the value
   */
  static Activation activation(String name, String field) {
    String key = name == null ? "null" : name.toLowerCase(Locale.ROOT);
    return switch (key) {
      case "relu" -> Activation.RELU;
      case "leakyrelu" -> Activation.LEAKYRELU;
      case "tanh" -> Activation.TANH;
      case "sigmoid" -> Activation.SIGMOID;
      case "elu" -> Activation.ELU;
      case "gelu" -> Activation.GELU;
      default -> throw new IllegalArgumentException(
          field + " must be one of relu, leakyrelu, tanh, sigmoid, elu, gelu. Current value is " + name);
    };
  }

  private static WeightInit weightInit(Activation activation) {
    return activation == Activation.RELU || activation == Activation.LEAKYRELU ? WeightInit.RELU : WeightInit.XAVIER;
  }

  private static DenseLayer.Builder dense(int size, Activation activation) {
    return new DenseLayer.Builder().nOut(size).activation(activation).weightInit(weightInit(activation));
  }

  private static OutputLayer.Builder output(int numClasses) {
    return new OutputLayer.Builder(LossFunction.MCXENT)
        .nOut(numClasses)
        .activation(Activation.SOFTMAX)
        .weightInit(WeightInit.XAVIER);
  }

  /** Sets dropout on a layer's input; {@code dropout} is the drop probability, DL4J wants the retain one. */
  private static <T extends Layer.Builder<T>> T withDropout(T layer, double dropout) {
    if (dropout > 0) {
      layer.dropOut(1.0 - dropout);
    }
    return layer;
  }

  private static void checkSpatial(
      String field, int outHeight, int outWidth, int inHeight, int inWidth, String what) {
    if (outHeight < 1 || outWidth < 1) {
      throw new IllegalArgumentException(field + ": " + what + " on its " + inHeight + "x" + inWidth
          + " input would reach a spatial size of " + outHeight + "x" + outWidth
          + "; use fewer blocks, smaller kernels or strides, or less pooling");
    }
  }

  private static void checkInputShape(int[] inputShape) {
    if (inputShape.length == 0 || Arrays.stream(inputShape).anyMatch(d -> d < 1)) {
      throw new IllegalArgumentException(
          "inputShape must be non-empty with every size at least 1. Current value is " + Arrays.toString(inputShape));
    }
  }

  private static int numFeatures(int[] inputShape) {
    long product = 1;
    for (int d : inputShape) {
      product *= d;
    }
    return Math.toIntExact(product);
  }

  private static <T> T required(T part, String field) {
    if (part == null) {
      throw new IllegalArgumentException(field + " must be set for this architecture. Current value is null");
    }
    return part;
  }

  /** The updater's state view, creating the updater first if the network has none yet. */
  private static INDArray stateView(MultiLayerNetwork net) {
    return net.getUpdater(true).getStateViewArray();
  }
}
