package org.sparkgrid.core.request;

/**
 * What network to train. Exactly one of {@code mlp}, {@code cnn}, {@code dl4jConfiguration} is
 * non-null, matching {@code architecture}.
 *
 * @param name              the model's name in the store ({@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most 128
 *                          characters; required)
 * @param architecture      which of the three forms below: mlp, cnn or dl4j (required); in a request the
 *                          matching sub-object is {@code "mlp"}, {@code "cnn"} or {@code "dl4j"}
 * @param mlp               a multi-layer perceptron, when {@code architecture == MLP}
 * @param cnn               a convolutional network, when {@code architecture == CNN}
 * @param dl4jConfiguration a raw DL4J {@code MultiLayerConfiguration} as JSON text, when {@code architecture == DL4J}
 * @param initFrom          optional model reference to start from ({@code name@best}, {@code name@latest},
 *                          {@code name@3}); {@code null} starts from random weights
 */
public record ModelSpec(
    String name,
    Architecture architecture,
    MlpSpec mlp,
    CnnSpec cnn,
    String dl4jConfiguration,
    String initFrom) {

  /** The built-in architectures, plus raw DL4J JSON for anything else. */
  public enum Architecture {
    MLP("mlp"),
    CNN("cnn"),
    DL4J("dl4j");

    private final String wire;

    Architecture(String wire) {
      this.wire = wire;
    }

    /** The value as it is written in a request. */
    public String wire() {
      return wire;
    }
  }
}
