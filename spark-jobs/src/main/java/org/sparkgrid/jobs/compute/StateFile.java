package org.sparkgrid.jobs.compute;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A checkpoint's parameters and updater state ({@code state.bin}) as raw floats: a 4-byte magic
 * {@code SGS1}, then for the parameters and for the updater state a length (int) and that many
 * little-endian floats. Written after every Spark job of a run, so it is kept as cheap as a copy;
 * registered models stay in DL4J's {@code model.zip} format.
 */
final class StateFile {
  static final int MAGIC = 0x53475331; // "SGS1"

  private StateFile() {}

  static void write(float[] params, float[] updaterState, OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(MAGIC);
    writeFloats(data, params);
    writeFloats(data, updaterState);
    data.flush();
  }

  /**
   * @return the parameters and the updater state, in that order
   * @throws IOException if the stream is not a state file or ends early, saying which
   */
  static float[][] read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int magic = data.readInt();
    if (magic != MAGIC) {
      throw new IOException("not a SparkGrid state file: starts with 0x" + Integer.toHexString(magic)
          + ", expected 0x" + Integer.toHexString(MAGIC));
    }
    return new float[][] {readFloats(data, "parameters"), readFloats(data, "updater state")};
  }

  private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    out.writeInt(v.length);
    out.write(b.array());
  }

  private static float[] readFloats(DataInputStream in, String what) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("state file: negative length " + n + " of the " + what);
    }
    byte[] bytes = in.readNBytes(4 * n);
    if (bytes.length != 4 * n) {
      throw new IOException("state file ends early: " + bytes.length / 4 + " of " + n + " floats of the " + what);
    }
    float[] v = new float[n];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }
}
