package org.sparkgrid.core.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes the content of one stored file. A store calls it once, with a stream to a temporary
 * location, and closes the stream itself afterwards; the file becomes visible only if the writer
 * returns normally.
 *
 * <pre>{@code
 * ArtifactWriter zip = out -> ModelSerializer.writeModel(net, out, true);
 * ArtifactWriter text = ArtifactWriter.ofUtf8("{\"schema\":1}");
 * }</pre>
 */
@FunctionalInterface
public interface ArtifactWriter {

  /**
   * Writes the whole file to {@code out}. Need not close it.
   *
   * @throws IOException if the content cannot be produced or written; the store then discards
   *     everything written for this publish or save
   */
  void writeTo(OutputStream out) throws IOException;

  /** A writer of fixed bytes (copied now). */
  static ArtifactWriter ofBytes(byte[] bytes) {
    byte[] copy = Objects.requireNonNull(bytes, "bytes").clone();
    return out -> out.write(copy);
  }

  /** A writer of text, encoded as UTF-8. */
  static ArtifactWriter ofUtf8(String text) {
    return ofBytes(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
  }
}
