package org.sparkgrid.jobs.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Writes examples in the IDX layout {@link IdxReader} reads, gzipped, through the Hadoop
 * FileSystem API: {@code <prefix>-images-idx3-ubyte.gz} and {@code <prefix>-labels-idx1-ubyte.gz}.
 * Pixels must be whole numbers in 0..255 (as IDX images are).
 */
public final class IdxWriter {
  private IdxWriter() {}

  /**
   * Writes the examples {@code indices} of {@code source} (images of shape {1, h, w}).
   *
   * @throws IllegalArgumentException if the shape is not {1, h, w} or a pixel is not in 0..255
   * @throws IOException if a file cannot be written
   */
  public static void write(Configuration conf, String prefix, ExampleShard source, int[] indices) throws IOException {
    int[] shape = source.shape();
    if (shape.length != 3 || shape[0] != 1) {
      throw new IllegalArgumentException("IDX images need shape {1, height, width}, got "
          + java.util.Arrays.toString(shape));
    }
    int d = source.numFeatures();
    float[] x = source.features();
    int[] y = source.labels();
    Path images = new Path(prefix + IdxReader.IMAGES_SUFFIX + ".gz");
    try (DataOutputStream out = open(conf, images)) {
      out.writeInt(IdxReader.IMAGES_MAGIC);
      out.writeInt(indices.length);
      out.writeInt(shape[1]);
      out.writeInt(shape[2]);
      byte[] row = new byte[d];
      for (int i : indices) {
        for (int f = 0; f < d; f++) {
          float v = x[i * d + f];
          if (v < 0 || v > 255 || v != Math.rint(v)) {
            throw new IllegalArgumentException("example " + i + " pixel " + f + " is " + v + ", not a byte 0..255");
          }
          row[f] = (byte) (int) v;
        }
        out.write(row);
      }
    }
    try (DataOutputStream out = open(conf, new Path(prefix + IdxReader.LABELS_SUFFIX + ".gz"))) {
      out.writeInt(IdxReader.LABELS_MAGIC);
      out.writeInt(indices.length);
      for (int i : indices) {
        out.writeByte(y[i]);
      }
    }
  }

  private static DataOutputStream open(Configuration conf, Path p) throws IOException {
    OutputStream raw = p.getFileSystem(conf).create(p, true);
    return new DataOutputStream(new GZIPOutputStream(raw, 1 << 16));
  }
}
