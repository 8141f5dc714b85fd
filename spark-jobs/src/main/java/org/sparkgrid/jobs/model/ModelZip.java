package org.sparkgrid.jobs.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer;
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
    if (normalizer == null) {
      out.write(base.toByteArray());
      return;
    }
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(base.toByteArray()));
        ZipOutputStream zip = new ZipOutputStream(new NonClosingOutputStream(out))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        zip.putNextEntry(new ZipEntry(e.getName()));
        in.transferTo(zip);
        zip.closeEntry();
      }
      zip.putNextEntry(new ZipEntry(ModelSerializer.NORMALIZER_BIN));
      NormalizerSerializer.getDefault().write(normalizer, new NonClosingOutputStream(zip));
      zip.closeEntry();
    }
  }
}
