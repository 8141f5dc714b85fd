package org.sparkgrid.jobs.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkgrid.core.store.NonClosingOutputStream;

/**
 * Writes {@code model.zip} in DL4J's ModelSerializer format, loadable by plain DL4J
 * ({@code ModelSerializer.restoreMultiLayerNetworkAndNormalizer}), with the normalizer inside.
 *
 * <p>Why not {@code ModelSerializer.writeModel(net, out, true, normalizer)} directly: in DL4J
 * 1.0.0-M2.1 that call closes its zip stream twice when a normalizer is given (DL4J issue #10154),
 * which fails with "flush() failed: stream is closed" under the commons-io that Spark 3.5 brings.
 * So the model is written without the normalizer, and the normalizer is appended as the same
 * {@code normalizer.bin} entry DL4J itself would write.
 *
 * <p>The parameters ({@code coefficients.bin}) are stored as a {@code [1, N]} row, as DL4J's own
 * zips hold them: M2.1's {@code writeModel} writes its rank-1 {@code [N]} parameter array as it is,
 * which DL4J 1.0.0-M2 (the version of the last dl4j-spark) cannot load ("Illegal set of indices for
 * array ... rank 1 array"); M2.1 loads either.
 */
public final class ModelZip {
  private ModelZip() {}

  /**
   * @param net        the network, with its updater state (saved for resuming)
   * @param normalizer the fitted normalizer, or {@code null}
   * @param out        where the zip goes; not closed
   */
  public static void write(MultiLayerNetwork net, DataNormalization normalizer, OutputStream out) throws IOException {
    ByteArrayOutputStream base = new ByteArrayOutputStream();
    ModelSerializer.writeModel(net, base, true);
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(base.toByteArray()));
        ZipOutputStream zip = new ZipOutputStream(new NonClosingOutputStream(out))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        zip.putNextEntry(new ZipEntry(e.getName()));
        if (e.getName().equals(ModelSerializer.COEFFICIENTS_BIN)) {
          writeRow(net.params(), zip);
        } else {
          in.transferTo(zip);
        }
        zip.closeEntry();
      }
      if (normalizer != null) {
        zip.putNextEntry(new ZipEntry(ModelSerializer.NORMALIZER_BIN));
        NormalizerSerializer.getDefault().write(normalizer, new NonClosingOutputStream(zip));
        zip.closeEntry();
      }
    }
  }

  /** Writes an array as a {@code [1, N]} row in ND4J's binary format ({@code Nd4j.read} reads it back). */
  static void writeRow(INDArray a, OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(new NonClosingOutputStream(out));
    Nd4j.write(a.reshape(1, a.length()), data);
    data.flush();
  }
}
