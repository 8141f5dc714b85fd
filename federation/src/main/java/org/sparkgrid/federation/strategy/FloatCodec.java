package org.sparkgrid.federation.strategy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * Float vectors as text for checkpoints: Base64 of the IEEE 754 bits, little-endian, 4 bytes a
 * float. Exact (NaN payloads and -0 included) and about 5.3 bytes a parameter, where decimal JSON
 * numbers take 10-15 and may round.
 *
 * <pre>{@code
 * String text = FloatCodec.encode(new float[] {1f});   // "AACAPw=="
 * float[] back = FloatCodec.decode(text);              // {1f}
 * }</pre>
 */
public final class FloatCodec {

  private FloatCodec() {}

  /** The vector as Base64 of its little-endian float bits. */
  public static String encode(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(v.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return Base64.getEncoder().encodeToString(b.array());
  }

  /**
   * The vector {@link #encode} wrote.
   *
   * @throws IllegalArgumentException if the text is not Base64 or its byte count is not a multiple of 4
   */
  public static float[] decode(String text) {
    byte[] bytes = Base64.getDecoder().decode(text);
    if (bytes.length % Float.BYTES != 0) {
      throw new IllegalArgumentException(
          "encoded floats have " + bytes.length + " bytes; must be a multiple of " + Float.BYTES);
    }
    float[] v = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }
}
