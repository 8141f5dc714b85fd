package org.sparkgrid.jobs.data;

/**
 * What the headers of an IDX image/label file pair declare, read without the bodies.
 *
 * @param imagesFile the images file, fully qualified (e.g. {@code file:/d/train-images-idx3-ubyte.gz})
 * @param labelsFile the labels file, fully qualified
 * @param count      number of examples (the same in both files)
 * @param rows       image height in pixels
 * @param cols       image width in pixels
 */
public record IdxHeader(String imagesFile, String labelsFile, int count, int rows, int cols) {

  /** One example's shape: {@code {1, rows, cols}} (one channel). */
  public int[] shape() {
    return new int[] {1, rows, cols};
  }

  /** Pixels per image: {@code rows * cols}. */
  public int numFeatures() {
    return rows * cols;
  }
}
