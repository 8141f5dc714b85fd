package org.sparkgrid.core.request;

/**
 * Train and test data, each a Hadoop path ({@code file:}, {@code hdfs:} ...).
 *
 * <p>For {@code idx}, a path is a prefix: {@code <prefix>-images-idx3-ubyte[.gz]} and
 * {@code <prefix>-labels-idx1-ubyte[.gz]} (the MNIST / Fashion-MNIST layout). For {@code csv}, a
 * path is a file or a directory of files, one example per line: the label column (an integer
 * class, 0-based) and numeric features.
 *
 * @param format        idx or csv (required)
 * @param train         training data path (required)
 * @param test          test data path ({@code null}: no test set, no evaluation)
 * @param labelColumn   csv only: the label's 0-based column, 0..1000000 (default 0)
 * @param header        csv only: whether the first line of each file is a header to skip (default false)
 * @param classes       number of classes, 2..100000; {@code null}: the largest label seen in train plus one
 * @param normalization scale (divide by 255, for pixel data; the idx default), standardize (zero mean,
 *                      unit variance per feature, fitted on train; the csv default) or none
 * @param limit         use only the first N training examples, N >= 1 ({@code null}: all); for trials and tests
 */
public record DataSpec(
    Format format,
    String train,
    String test,
    int labelColumn,
    boolean header,
    Integer classes,
    Normalization normalization,
    Integer limit) implements java.io.Serializable {

  /** Supported file formats. */
  public enum Format {
    IDX("idx"),
    CSV("csv");

    private final String wire;

    Format(String wire) {
      this.wire = wire;
    }

    /** The value as it is written in a request. */
    public String wire() {
      return wire;
    }
  }

  /** How raw features are turned into network inputs; the fitted form travels inside model.zip. */
  public enum Normalization {
    SCALE("scale"),
    STANDARDIZE("standardize"),
    NONE("none");

    private final String wire;

    Normalization(String wire) {
      this.wire = wire;
    }

    /** The value as it is written in a request. */
    public String wire() {
      return wire;
    }
  }
}
