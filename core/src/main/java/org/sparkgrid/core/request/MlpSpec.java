package org.sparkgrid.core.request;

import java.util.List;

/**
 * A multi-layer perceptron: dense hidden layers, then a softmax output over the classes.
 *
 * @param hidden     hidden layer sizes, input side first, at most 64 layers of 1..65536 units; empty
 *                   means softmax regression (default {@code [256, 128]})
 * @param activation hidden activation: relu, leakyrelu, tanh, sigmoid, elu, gelu (default relu)
 * @param dropout    probability of dropping a hidden unit while training, in [0, 1) (default 0)
 */
public record MlpSpec(List<Integer> hidden, String activation, double dropout) {
  /** The default MLP: 784-256-128-10 on Fashion-MNIST. */
  public static MlpSpec defaults() {
    return new MlpSpec(List.of(256, 128), "relu", 0.0);
  }
}
