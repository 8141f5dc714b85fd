package org.sparkgrid.federation.privacy;

import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * Standard normal draws for differential-privacy noise, from a cryptographically secure source:
 * what DP-FedAvg adds to each round's mean. The uniform bits come from a {@link SecureRandom}
 * ({@code new SecureRandom()}: on Linux NativePRNG over {@code /dev/urandom}, which never blocks;
 * not {@code getInstanceStrong()}, which may), in bulk, and become normals by the Box-Muller
 * transform: two uniforms {@code u1} in (0, 1] and {@code u2} in [0, 1), each of 53 random bits,
 * give {@code sqrt(-2 ln u1) * cos(2 pi u2)} and {@code sqrt(-2 ln u1) * sin(2 pi u2)}.
 *
 * <p>Nobody who knows the request can predict or subtract the noise: no seed reaches
 * {@link #secure()}. {@link #standardNormals(int, RandomGenerator)} takes any source of bits, so a
 * test can pass a seeded generator and get the same normals twice through the same transform.
 *
 * <pre>{@code
 * double[] z = GaussianNoise.standardNormals(1_000, GaussianNoise.secure());   // mean ~0, std ~1
 * }</pre>
 *
 * <p>Not covered: the floating-point attacks on textbook samplers (Mironov 2012, "On Significance
 * of the Least Significant Bits for Differential Privacy"); the noise is added in double and the
 * result rounded to float.
 */
public final class GaussianNoise {

  private static final SecureRandom SECURE = new SecureRandom();
  private static final int PAIRS_PER_CHUNK = 4_096;
  private static final double TWO_POW_53 = 0x1.0p53;

  private GaussianNoise() {}

  /** The process's secure source (thread safe, never seeded by SparkGrid). */
  public static RandomGenerator secure() {
    return SECURE;
  }

  /**
   * {@code n} independent standard normal draws.
   *
   * @param n    how many, >= 0
   * @param bits where the uniform bits come from: {@link #secure()} in production
   * @throws IllegalArgumentException if {@code n} is negative
   */
  public static double[] standardNormals(int n, RandomGenerator bits) {
    if (n < 0) {
      throw new IllegalArgumentException("n is " + n + "; must be >= 0");
    }
    double[] out = new double[n];
    byte[] buf = new byte[PAIRS_PER_CHUNK * 16];
    java.nio.ByteBuffer view = java.nio.ByteBuffer.wrap(buf);
    int i = 0;
    while (i < n) {
      int pairs = Math.min(PAIRS_PER_CHUNK, (n - i + 1) / 2);
      byte[] chunk = pairs == PAIRS_PER_CHUNK ? buf : new byte[pairs * 16];
      bits.nextBytes(chunk);
      java.nio.ByteBuffer b = chunk == buf ? view.clear() : java.nio.ByteBuffer.wrap(chunk);
      for (int p = 0; p < pairs; p++) {
        double u1 = ((b.getLong() >>> 11) + 1) / TWO_POW_53; // (0, 1]: log(u1) is finite
        double u2 = (b.getLong() >>> 11) / TWO_POW_53;       // [0, 1)
        double r = Math.sqrt(-2 * Math.log(u1));
        double theta = 2 * Math.PI * u2;
        out[i++] = r * Math.cos(theta);
        if (i < n) {
          out[i++] = r * Math.sin(theta);
        }
      }
    }
    return out;
  }
}
