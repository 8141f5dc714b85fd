package org.sparkgrid.jobs.data;

import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgrid.core.request.DataSpec;

/**
 * Fits a request's normalization on raw training features, as a DL4J {@link DataNormalization} that
 * can be stored in model.zip ({@code ModelSerializer.addNormalizerToModel}) and applied by
 * {@link Minibatches}.
 *
 * <ul>
 *   <li>{@code SCALE}: {@link ImagePreProcessingScaler}{@code (0, 1)}, mapping pixel values 0..255 to
 *       0..1; nothing to fit.
 *   <li>{@code STANDARDIZE}: {@link NormalizerStandardize} with each feature's mean and population
 *       standard deviation over all examples (each example weighs the same, whatever its shard); a
 *       feature with standard deviation 0 keeps std 1, so it maps to 0 rather than to NaN.
 *   <li>{@code NONE}: {@code null}, meaning no normalizer.
 * </ul>
 *
 * <pre>{@code
 * JavaRDD<ExampleShard> shards = DataSource.train(spec).shards(sc, 4).cache();
 * DataNormalization norm = Normalizers.fit(spec.normalization(), shards);  // one Spark job for STANDARDIZE
 * }</pre>
 */
public final class Normalizers {

  private Normalizers() {}

  /**
   * Fits on the examples of all shards: for {@code STANDARDIZE}, one Spark job computes each
   * shard's moments on the executors, and the driver merges them.
   *
   * @return the normalizer, or {@code null} for {@code NONE}
   * @throws IllegalArgumentException if {@code normalization} is null, or STANDARDIZE has no examples
   */
  public static DataNormalization fit(DataSpec.Normalization normalization, JavaRDD<ExampleShard> shards) {
    Objects.requireNonNull(shards, "shards");
    return switch (checked(normalization)) {
      case SCALE -> scaler();
      case NONE -> null;
      case STANDARDIZE -> {
        List<FeatureMoments> perShard = shards.map(FeatureMoments::of).collect();
        if (perShard.isEmpty()) {
          throw new IllegalArgumentException("cannot fit standardize on zero examples: the RDD has no shards");
        }
        FeatureMoments all = perShard.get(0);
        for (FeatureMoments m : perShard.subList(1, perShard.size())) {
          all = all.merge(m);
        }
        yield standardize(all);
      }
    };
  }

  /**
   * Fits on one shard, on this machine.
   *
   * @return the normalizer, or {@code null} for {@code NONE}
   * @throws IllegalArgumentException if {@code normalization} is null, or STANDARDIZE has no examples
   */
  public static DataNormalization fit(DataSpec.Normalization normalization, ExampleShard shard) {
    Objects.requireNonNull(shard, "shard");
    return switch (checked(normalization)) {
      case SCALE -> scaler();
      case NONE -> null;
      case STANDARDIZE -> standardize(FeatureMoments.of(shard));
    };
  }

  private static DataSpec.Normalization checked(DataSpec.Normalization normalization) {
    if (normalization == null) {
      throw new IllegalArgumentException("normalization must be one of scale, standardize, none; was null");
    }
    return normalization;
  }

  private static ImagePreProcessingScaler scaler() {
    return new ImagePreProcessingScaler(0, 1);
  }

  /** A standardizer with the given moments' mean and std (std 0 replaced by 1). */
  static NormalizerStandardize standardize(FeatureMoments moments) {
    if (moments.count() == 0) {
      throw new IllegalArgumentException("cannot fit standardize on zero examples");
    }
    double[] mean = moments.mean();
    double[] std = moments.std();
    float[] m = new float[mean.length];
    float[] s = new float[std.length];
    for (int j = 0; j < m.length; j++) {
      m[j] = (float) mean[j];
      s[j] = std[j] > 0 ? (float) std[j] : 1f;
    }
    return new NormalizerStandardize(row(m), row(s));
  }

  private static INDArray row(float[] values) {
    return Nd4j.create(values, new long[] {1, values.length}, DataType.FLOAT);
  }
}
