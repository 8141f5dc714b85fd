package org.sparkgrid.jobs.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads images and labels in the IDX layout of MNIST and Fashion-MNIST through the Hadoop
 * FileSystem API ({@code file:}, {@code hdfs:} and bare paths of the default file system).
 *
 * <p>A data path is a prefix: the images are {@code <prefix>-images-idx3-ubyte} (magic
 * {@code 0x00000803}: unsigned bytes, 3 dimensions: count, rows, columns), the labels
 * {@code <prefix>-labels-idx1-ubyte} (magic {@code 0x00000801}), each optionally gzipped with a
 * {@code .gz} suffix. The plain name is tried first. A file whose content starts with the gzip magic
 * bytes {@code 1f 8b} is decompressed whatever its name.
 *
 * <pre>{@code
 * Configuration conf = new Configuration();
 * IdxHeader h = IdxReader.header(conf, "file:/usr/share/datasets/fashion-mnist/train");
 * // h.count() == 60000, h.shape() == {1, 28, 28}
 * ExampleShard second = IdxReader.readShard(conf, "file:/usr/share/datasets/fashion-mnist/train", 1, 4, null);
 * // examples [15000, 30000), pixels 0..255
 * }</pre>
 *
 * <p>Errors: every method throws {@link FileNotFoundException} when a file is missing (naming both
 * names tried) and {@link InvalidDataException} when a file's content is wrong (wrong magic number,
 * a header or body shorter than declared, a corrupt gzip stream, image and label counts that differ,
 * a label not below the class count), each naming the file.
 */
public final class IdxReader {

  /** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  /** Suffix of the images file after the prefix (without {@code .gz}). */
  public static final String IMAGES_SUFFIX = "-images-idx3-ubyte";

  /** Suffix of the labels file after the prefix (without {@code .gz}). */
  public static final String LABELS_SUFFIX = "-labels-idx1-ubyte";

  private static final int IMAGES_HEADER_BYTES = 16;
  private static final int LABELS_HEADER_BYTES = 8;
  private static final int CHUNK_BYTES = 1 << 20;

  private IdxReader() {}

  /**
   * Reads the headers of both files, and checks that they agree, without reading the bodies: cheap,
   * for the driver. For uncompressed files it also checks that the bodies are as long as declared.
   *
   * @throws FileNotFoundException if either file is missing
   * @throws InvalidDataException  if a header is wrong or the counts differ
   */
  public static IdxHeader header(Configuration conf, String prefix) throws IOException {
    try (IdxFile images = IdxFile.openImages(conf, prefix);
        IdxFile labels = IdxFile.openLabels(conf, prefix)) {
      return checkedHeader(images, labels);
    }
  }

  /**
   * Reads the first {@code limit} examples (all when {@code null}).
   *
   * @throws IllegalArgumentException if {@code limit < 0}
   * @throws FileNotFoundException    if either file is missing
   * @throws InvalidDataException     if either file's content is wrong
   */
  public static ExampleShard read(Configuration conf, String prefix, Integer limit) throws IOException {
    return readShard(conf, prefix, 0, 1, limit, null);
  }

  /**
   * Reads the first {@code limit} examples (all when {@code null}), checking every label against
   * {@code classes} (no upper bound when {@code null}).
   *
   * @throws IllegalArgumentException if {@code limit < 0} or {@code classes < 1}
   * @throws FileNotFoundException    if either file is missing
   * @throws InvalidDataException     if either file's content is wrong or a label is {@code >= classes}
   */
  public static ExampleShard read(Configuration conf, String prefix, Integer limit, Integer classes)
      throws IOException {
    return readShard(conf, prefix, 0, 1, limit, classes);
  }

  /**
   * Reads block {@code shard} of {@code numShards} contiguous blocks of the first {@code limit}
   * examples (all when {@code null}): examples {@code [shard*n/numShards, (shard+1)*n/numShards)}
   * (see {@link ExampleShard#blockBounds}). It streams past the examples before the block (a seek for
   * an uncompressed file) and stops reading after it.
   *
   * @throws IllegalArgumentException unless {@code 0 <= shard < numShards} and {@code limit >= 0}
   * @throws FileNotFoundException    if either file is missing
   * @throws InvalidDataException     if either file's content is wrong, as far as it is read
   */
  public static ExampleShard readShard(
      Configuration conf, String prefix, int shard, int numShards, Integer limit) throws IOException {
    return readShard(conf, prefix, shard, numShards, limit, null);
  }

  /**
   * As {@link #readShard(Configuration, String, int, int, Integer)}, checking every label of the
   * block against {@code classes} (no upper bound when {@code null}).
   *
   * @throws IllegalArgumentException unless {@code 0 <= shard < numShards}, {@code limit >= 0} and
   *     {@code classes >= 1}
   * @throws FileNotFoundException    if either file is missing
   * @throws InvalidDataException     if either file's content is wrong or a label is {@code >= classes}
   */
  public static ExampleShard readShard(
      Configuration conf, String prefix, int shard, int numShards, Integer limit, Integer classes)
      throws IOException {
    if (limit != null && limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 or null, was " + limit);
    }
    if (classes != null && classes < 1) {
      throw new IllegalArgumentException("classes must be >= 1 or null, was " + classes);
    }
    ExampleShard.blockBounds(0, shard, numShards); // validates shard and numShards before any I/O
    try (IdxFile images = IdxFile.openImages(conf, prefix);
        IdxFile labels = IdxFile.openLabels(conf, prefix)) {
      IdxHeader h = checkedHeader(images, labels);
      int n = limit == null ? h.count() : Math.min(limit, h.count());
      int[] block = ExampleShard.blockBounds(n, shard, numShards);
      int from = block[0];
      int size = block[1] - block[0];
      int pixels = h.numFeatures();
      ExampleShard.checkSize(size, pixels);

      float[] features = new float[size * pixels];
      images.skip((long) from * pixels);
      images.readUnsigned(features, features.length);

      float[] labelValues = new float[size];
      labels.skip(from);
      labels.readUnsigned(labelValues, size);
      int[] classOf = new int[size];
      for (int i = 0; i < size; i++) {
        classOf[i] = (int) labelValues[i];
        if (classes != null && classOf[i] >= classes) {
          throw new InvalidDataException(
              labels.name + ": label " + classOf[i] + " of example " + (from + i)
                  + " is not below the class count " + classes);
        }
      }
      return ExampleShard.of(h.shape(), features, classOf);
    }
  }

  private static IdxHeader checkedHeader(IdxFile images, IdxFile labels) throws InvalidDataException {
    if (images.count != labels.count) {
      throw new InvalidDataException(
          "images file " + images.name + " has " + images.count + " examples but labels file "
              + labels.name + " has " + labels.count);
    }
    return new IdxHeader(images.name, labels.name, images.count, images.dims[0], images.dims[1]);
  }

  /** One open IDX file, positioned after its header; tracks how much of the body it has consumed. */
  private static final class IdxFile implements Closeable {
    final String name;
    final String what;
    final int count;
    final int[] dims;
    final long bodyBytes;
    private final FSDataInputStream raw;
    private final InputStream in;
    private final boolean compressed;
    private final long headerBytes;
    private long position;

    private IdxFile(String name, String what, FSDataInputStream raw, boolean compressed, long fileLength,
        int magic, int numDims) throws IOException {
      this.name = name;
      this.what = what;
      this.raw = raw;
      this.compressed = compressed;
      this.in = compressed ? gunzip(name, raw) : raw;
      this.headerBytes = 4L + 4L * numDims;
      byte[] header = new byte[(int) headerBytes];
      int got = readBytes(header, 0, header.length);
      DataInputStream h = new DataInputStream(new ByteArrayInputStream(header));
      int found = h.readInt();
      if (got >= 4 && found != magic) {
        throw new InvalidDataException(String.format(
            "%s: magic number 0x%08x is not the expected 0x%08x (IDX %s: unsigned bytes, %d dimension%s)",
            name, found, magic, what, numDims, numDims == 1 ? "" : "s"));
      }
      if (got < header.length) {
        throw new InvalidDataException(
            name + ": file ends inside the " + headerBytes + "-byte IDX header (found " + got + " bytes)");
      }
      this.count = h.readInt();
      if (count < 0) {
        throw new InvalidDataException(name + ": header declares a negative count " + count);
      }
      this.dims = new int[numDims - 1];
      long perItem = 1;
      for (int i = 0; i < dims.length; i++) {
        dims[i] = h.readInt();
        if (dims[i] < 1) {
          throw new InvalidDataException(name + ": header declares dimension " + (i + 2) + " as " + dims[i]);
        }
        perItem *= dims[i];
      }
      this.bodyBytes = count * perItem;
      if (!compressed && fileLength - headerBytes < bodyBytes) {
        throw truncated(Math.max(0, fileLength - headerBytes));
      }
    }

    static IdxFile openImages(Configuration conf, String prefix) throws IOException {
      return open(conf, prefix, IMAGES_SUFFIX, "images", IMAGES_MAGIC, 3);
    }

    static IdxFile openLabels(Configuration conf, String prefix) throws IOException {
      return open(conf, prefix, LABELS_SUFFIX, "labels", LABELS_MAGIC, 1);
    }

    private static IdxFile open(Configuration conf, String prefix, String suffix, String what, int magic,
        int numDims) throws IOException {
      Path plain = new Path(prefix + suffix);
      Path gz = new Path(prefix + suffix + ".gz");
      FileSystem fs = HadoopFiles.fs(conf, plain);
      for (Path p : new Path[] {plain, gz}) {
        long length;
        try {
          FileStatus status = fs.getFileStatus(p);
          if (!status.isFile()) {
            continue;
          }
          length = status.getLen();
        } catch (FileNotFoundException e) {
          continue;
        }
        FSDataInputStream raw = fs.open(p, HadoopFiles.BUFFER_BYTES);
        String name = HadoopFiles.display(fs, p);
        try {
          return new IdxFile(name, what, raw, HadoopFiles.isGzip(raw), length, magic, numDims);
        } catch (IOException | RuntimeException e) {
          raw.close();
          throw e;
        }
      }
      throw new FileNotFoundException(
          "no IDX " + what + " file for prefix '" + prefix + "': neither " + HadoopFiles.display(fs, plain)
              + " nor " + HadoopFiles.display(fs, gz) + " exists");
    }

    private static InputStream gunzip(String name, FSDataInputStream raw) throws IOException {
      try {
        return new GZIPInputStream(new BufferedInputStream(raw, HadoopFiles.BUFFER_BYTES), HadoopFiles.BUFFER_BYTES);
      } catch (EOFException | ZipException e) {
        throw new InvalidDataException(name + ": corrupt or truncated gzip stream (" + e.getMessage() + ")", e);
      }
    }

    /** Moves {@code n} bytes further into the body. */
    void skip(long n) throws IOException {
      if (n == 0) {
        return;
      }
      if (!compressed) {
        raw.seek(headerBytes + position + n); // within the body: its length was checked on open
        position += n;
        return;
      }
      byte[] scratch = new byte[(int) Math.min(CHUNK_BYTES, n)];
      long left = n;
      while (left > 0) {
        int got = readBytes(scratch, 0, (int) Math.min(scratch.length, left));
        position += got;
        left -= got;
        if (got == 0) {
          throw truncated(position);
        }
      }
    }

    /** Reads the next {@code n} body bytes as unsigned values 0..255 into {@code out[0, n)}. */
    void readUnsigned(float[] out, int n) throws IOException {
      byte[] chunk = new byte[Math.min(CHUNK_BYTES, Math.max(n, 1))];
      int done = 0;
      while (done < n) {
        int want = Math.min(chunk.length, n - done);
        int got = readBytes(chunk, 0, want);
        for (int i = 0; i < got; i++) {
          out[done + i] = chunk[i] & 0xff;
        }
        done += got;
        position += got;
        if (got < want) {
          throw truncated(position);
        }
      }
    }

    /** Reads up to {@code len} bytes, fewer only at the end of the data; a corrupt gzip stream fails. */
    private int readBytes(byte[] b, int off, int len) throws IOException {
      try {
        return in.readNBytes(b, off, len);
      } catch (EOFException | ZipException e) {
        throw new InvalidDataException(
            name + ": corrupt or truncated gzip stream (" + e.getMessage() + ")", e);
      }
    }

    private InvalidDataException truncated(long found) {
      String layout = dims.length == 0 ? "" : " (" + count + " images of " + dims[0] + "x" + dims[1] + ")";
      return new InvalidDataException(
          name + ": truncated: expected " + bodyBytes + " bytes of " + (dims.length == 0 ? "label" : "image")
              + " data" + layout + ", found " + found);
    }

    @Override
    public void close() throws IOException {
      in.close();
      raw.close();
    }
  }
}
