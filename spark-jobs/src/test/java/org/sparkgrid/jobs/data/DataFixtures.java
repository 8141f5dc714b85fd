package org.sparkgrid.jobs.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Tiny data files written by the tests: IDX image/label pairs and CSV text. */
final class DataFixtures {

  /** 3 images of 2x2 pixels, row-major, one per line. */
  static final byte[] PIXELS = {
    0, 1, 2, 3,
    10, 11, 12, (byte) 255,
    100, 101, 102, 103
  };

  /** The classes of the 3 images. */
  static final byte[] LABELS = {2, 0, 1};

  private DataFixtures() {}

  /** The bytes of an IDX images file: magic 0x803, count, rows, cols, then {@code pixels}. */
  static byte[] idxImages(int count, int rows, int cols, byte[] pixels) {
    return ByteBuffer.allocate(16 + pixels.length)
        .putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols).put(pixels).array();
  }

  /** The bytes of an IDX labels file: magic 0x801, count, then {@code labels}. */
  static byte[] idxLabels(int count, byte[] labels) {
    return ByteBuffer.allocate(8 + labels.length).putInt(IdxReader.LABELS_MAGIC).putInt(count).put(labels).array();
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static Path write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path file, String text) {
    return write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes {@code <dir>/<name>-images-idx3-ubyte} and {@code -labels-idx1-ubyte} (with {@code .gz}
   * and gzipped content when {@code gzip}) for 2x2 images, and returns the prefix as a {@code file:}
   * path.
   */
  static String writeIdx(Path dir, String name, byte[] pixels, byte[] labels, boolean gzip) {
    int count = labels.length;
    byte[] images = idxImages(count, 2, 2, pixels);
    byte[] lbls = idxLabels(count, labels);
    String ext = gzip ? ".gz" : "";
    write(dir.resolve(name + "-images-idx3-ubyte" + ext), gzip ? gzip(images) : images);
    write(dir.resolve(name + "-labels-idx1-ubyte" + ext), gzip ? gzip(lbls) : lbls);
    return "file:" + dir.resolve(name);
  }

  /** {@code n} 2x2 images, image {@code i} holding pixels {@code 4i..4i+3}, labels {@code i % 3}. */
  static byte[][] sequence(int n) {
    byte[] pixels = new byte[4 * n];
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < 4; p++) {
        pixels[4 * i + p] = (byte) (4 * i + p);
      }
      labels[i] = (byte) (i % 3);
    }
    return new byte[][] {pixels, labels};
  }

  /** The raw float values of unsigned bytes. */
  static float[] unsigned(byte[] bytes) {
    float[] out = new float[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[i] & 0xff;
    }
    return out;
  }

  static int[] ints(byte[] bytes) {
    int[] out = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[i];
    }
    return out;
  }
}
