package org.sparkgrid.jobs.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * One worker's contribution to an averaging, as the text that Spark's
 * {@code BarrierTaskContext.allGather} carries: its weight (examples fitted since the last
 * averaging) and its vector (parameters then updater state), little-endian floats in Base64.
 * A worker with weight 0 sends no vector.
 *
 * @param weight examples behind {@code vector}; 0 means "nothing to add"
 * @param vector the worker's parameters followed by its updater state; empty when weight is 0
 */
record VectorMessage(long weight, float[] vector) {

  /** Encodes to allGather text. */
  String encode() {
    float[] v = weight == 0 ? new float[0] : vector;
    ByteBuffer buf = ByteBuffer.allocate(Long.BYTES + Integer.BYTES + v.length * Float.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(weight).putInt(v.length);
    buf.asFloatBuffer().put(v);
    return Base64.getEncoder().encodeToString(buf.array());
  }

  /**
   * Decodes allGather text.
   *
   * @throws IllegalArgumentException if the text is not a message of this form
   */
  static VectorMessage decode(String text) {
    byte[] bytes = Base64.getDecoder().decode(text);
    if (bytes.length < Long.BYTES + Integer.BYTES) {
      throw new IllegalArgumentException("averaging message of " + bytes.length + " bytes is too short");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long weight = buf.getLong();
    int n = buf.getInt();
    if (n < 0 || buf.remaining() != (long) n * Float.BYTES) {
      throw new IllegalArgumentException(
          "averaging message declares " + n + " floats but carries " + buf.remaining() + " bytes");
    }
    float[] v = new float[n];
    buf.asFloatBuffer().get(v);
    return new VectorMessage(weight, v);
  }
}
