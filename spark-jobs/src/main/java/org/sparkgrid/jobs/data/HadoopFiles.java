package org.sparkgrid.jobs.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** File-system plumbing shared by the readers: gzip detection, display names, shipping a conf. */
final class HadoopFiles {

  /** Read-buffer size for file and gzip streams. */
  static final int BUFFER_BYTES = 1 << 16;

  private HadoopFiles() {}

  /** The file system of {@code path} (its scheme, or the default file system for a bare path). */
  static FileSystem fs(Configuration conf, Path path) throws IOException {
    return path.getFileSystem(conf);
  }

  /** The fully qualified name used in messages, e.g. {@code file:/data/a.csv}. */
  static String display(FileSystem fs, Path path) {
    return fs.makeQualified(path).toString();
  }

  /** Whether the stream starts with the gzip magic bytes {@code 0x1f 0x8b}; the stream is rewound. */
  static boolean isGzip(FSDataInputStream in) throws IOException {
    long start = in.getPos();
    int b0 = in.read();
    int b1 = b0 < 0 ? -1 : in.read();
    in.seek(start);
    return b0 == 0x1f && b1 == 0x8b;
  }

  /**
   * Opens {@code path} for sequential reading, decompressing it when its content starts with the
   * gzip magic bytes (whatever its name).
   */
  static InputStream openDecompressed(FileSystem fs, Path path) throws IOException {
    FSDataInputStream raw = fs.open(path, BUFFER_BYTES);
    try {
      if (isGzip(raw)) {
        try {
          return new GZIPInputStream(new BufferedInputStream(raw, BUFFER_BYTES), BUFFER_BYTES);
        } catch (EOFException | ZipException e) {
          throw new InvalidDataException(
              display(fs, path) + ": corrupt or truncated gzip stream (" + e.getMessage() + ")", e);
        }
      }
      return new BufferedInputStream(raw, BUFFER_BYTES);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }
}
