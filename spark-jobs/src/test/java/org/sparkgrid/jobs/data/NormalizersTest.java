package org.sparkgrid.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgrid.core.request.DataSpec.Normalization;

class NormalizersTest {

  /** 4 examples of 2 features: feature 0 is 1, 2, 3, 4 (mean 2.5, std sqrt(1.25)); feature 1 is always 10. */
  private static final ExampleShard SHARD =
      ExampleShard.of(new int[] {2}, new float[] {1, 10, 2, 10, 3, 10, 4, 10}, new int[] {0, 1, 0, 1});

  private static INDArray features(ExampleShard s) {
    return Nd4j.create(s.features().clone(), new long[] {s.count(), s.numFeatures()}, DataType.FLOAT);
  }

  @Test
  void scaleMaps0To0And255To1() {
    DataNormalization norm = Normalizers.fit(Normalization.SCALE, SHARD);
    INDArray x = Nd4j.createFromArray(new float[][] {{0, 127.5f, 255}});

    norm.transform(x);

    assertThat(norm).isInstanceOf(ImagePreProcessingScaler.class);
    assertThat(x.toFloatVector()).containsExactly(new float[] {0, 0.5f, 1}, within(1e-6f));
  }

  @Test
  void standardizeGivesMeanZeroAndStdOne() {
    DataNormalization norm = Normalizers.fit(Normalization.STANDARDIZE, SHARD);
    INDArray x = features(SHARD);

    norm.transform(x);

    INDArray column = x.getColumn(0);
    assertThat(column.meanNumber().doubleValue()).isCloseTo(0, within(1e-6));
    assertThat(column.stdNumber(false).doubleValue()).isCloseTo(1, within(1e-6)); // population std
    assertThat(column.toFloatVector()).containsExactly(
        new float[] {-1.3416408f, -0.4472136f, 0.4472136f, 1.3416408f}, within(1e-5f));
  }

  @Test
  void standardizeMapsAConstantFeatureToZero() {
    NormalizerStandardize norm = (NormalizerStandardize) Normalizers.fit(Normalization.STANDARDIZE, SHARD);
    INDArray x = features(SHARD);

    norm.transform(x);

    assertThat(norm.getStd().toFloatVector()).containsExactly(new float[] {(float) Math.sqrt(1.25), 1f}, within(1e-6f));
    assertThat(x.getColumn(1).toFloatVector()).containsExactly(0, 0, 0, 0);
  }

  @Test
  void standardizeSurvivesTheNormalizerSerializer() throws Exception {
    DataNormalization norm = Normalizers.fit(Normalization.STANDARDIZE, SHARD);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    NormalizerSerializer.getDefault().write(norm, bytes);
    NormalizerStandardize back =
        NormalizerSerializer.getDefault().restore(new ByteArrayInputStream(bytes.toByteArray()));

    assertThat(back.getMean().toFloatVector()).containsExactly(2.5f, 10f);
    assertThat(back.getStd().toFloatVector()).containsExactly(new float[] {(float) Math.sqrt(1.25), 1f}, within(1e-6f));
  }

  @Test
  void noneIsNull() {
    assertThat(Normalizers.fit(Normalization.NONE, SHARD)).isNull();
  }

  @Test
  void nullNormalizationIsRejected() {
    assertThatThrownBy(() -> Normalizers.fit(null, SHARD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("normalization must be one of scale, standardize, none; was null");
  }

  @Test
  void standardizeOnNoExamplesIsRejected() {
    assertThatThrownBy(() -> Normalizers.fit(Normalization.STANDARDIZE, ExampleShard.empty(new int[] {2})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot fit standardize on zero examples");
  }

  @Test
  void momentsMergedFromPartsEqualTheWhole() {
    FeatureMoments whole = FeatureMoments.of(SHARD);

    FeatureMoments merged = FeatureMoments.of(SHARD.slice(0, 1))
        .merge(FeatureMoments.of(SHARD.slice(1, 1)))
        .merge(FeatureMoments.of(SHARD.slice(1, 4)));

    assertThat(merged.count()).isEqualTo(4);
    assertThat(merged.mean()).containsExactly(whole.mean(), within(1e-12));
    assertThat(merged.std()).containsExactly(whole.std(), within(1e-12));
    assertThat(whole.mean()).containsExactly(2.5, 10);
    assertThat(whole.std()).containsExactly(new double[] {Math.sqrt(1.25), 0}, within(1e-12));
  }

  @Test
  void momentsStayAccurateForALargeOffset() {
    ExampleShard s = ExampleShard.of(new int[] {1}, new float[] {1e6f + 1, 1e6f + 3}, new int[] {0, 0});

    FeatureMoments m = FeatureMoments.of(s.slice(0, 1)).merge(FeatureMoments.of(s.slice(1, 2)));

    assertThat(m.mean()).containsExactly(1e6 + 2);
    assertThat(m.std()).containsExactly(1.0);
  }
}
