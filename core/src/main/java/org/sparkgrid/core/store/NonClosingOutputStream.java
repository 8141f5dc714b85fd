package org.sparkgrid.core.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes everything through to the wrapped stream but {@code close}, which only flushes: for
 * handing a stream to code that closes what it is given (DL4J's ModelSerializer and
 * NormalizerSerializer do) when the caller must still write to, or close, the stream itself.
 */
public final class NonClosingOutputStream extends FilterOutputStream {

  public NonClosingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
  }

  @Override
  public void close() throws IOException {
    out.flush();
  }
}
