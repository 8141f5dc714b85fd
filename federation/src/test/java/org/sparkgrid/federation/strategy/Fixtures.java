package org.sparkgrid.federation.strategy;

/** Parameters each type needs at the least, for tests that build every type. */
final class Fixtures {

  private Fixtures() {}

  /** Name-value pairs: the required parameters of the type, or none. */
  static Object[] requiredParams(String type) {
    return switch (type) {
      case "fedprox" -> new Object[] {"mu", 0.1};
      case "krum", "multi-krum" -> new Object[] {"f", 1.0};
      case "dp-fedavg" -> new Object[] {"clipNorm", 100.0, "noiseMultiplier", 0.0};
      default -> new Object[0];
    };
  }
}
