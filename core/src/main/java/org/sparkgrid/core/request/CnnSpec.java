package org.sparkgrid.core.request;

import java.util.List;

/**
 * A convolutional network: convolution blocks (each a convolution, then max pooling when
 * {@code pool > 1}), then dense layers, then a softmax output over the classes.
 *
 * @param conv       convolution blocks, input side first, 1..64 of them (default two blocks: 32 and 64
 *                   filters, 5x5, pool 2)
 * @param dense      dense layer sizes after the convolutions, at most 64 of 1..65536 units (default {@code [256]})
 * @param activation activation of the convolution and dense layers: relu, leakyrelu, tanh, sigmoid, elu,
 *                   gelu (default relu)
 * @param dropout    dropout probability before each dense layer, in [0, 1) (default 0)
 */
public record CnnSpec(List<ConvBlock> conv, List<Integer> dense, String activation, double dropout) {

  /**
   * One convolution block.
   *
   * @param filters number of output channels, 1..4096 (required)
   * @param kernel  square kernel size, 1..15 (required)
   * @param stride  convolution stride, 1..kernel (default 1)
   * @param pool    max-pooling window and stride after the convolution, 1..16; 1 means none (default 2)
   */
  public record ConvBlock(int filters, int kernel, int stride, int pool) {}

  /** The default CNN: two LeNet-style conv blocks and a 256-unit dense layer. */
  public static CnnSpec defaults() {
    return new CnnSpec(
        List.of(new ConvBlock(32, 5, 1, 2), new ConvBlock(64, 5, 1, 2)), List.of(256), "relu", 0.0);
  }
}
