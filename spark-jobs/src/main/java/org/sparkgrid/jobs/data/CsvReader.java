package org.sparkgrid.jobs.data;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.zip.ZipException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads labelled examples from CSV through the Hadoop FileSystem API.
 *
 * <p>A path is a file or a directory of files, read in name order, skipping names that start with
 * {@code '_'} or {@code '.'} (such as {@code _SUCCESS} and {@code .crc} files) and subdirectories.
 * Each line is one example: comma-separated values without quoting, one of them (the label column,
 * counted from 0) an integer class {@code >= 0}, the others finite numbers, the features in column
 * order. With {@code header}, the first line of every file is skipped. Blank lines are skipped. Every
 * line has the same number of columns as the first data line. A file whose content starts with the
 * gzip magic bytes is decompressed.
 *
 * <pre>{@code
 * // a.csv:  label,x,y      (header)
 * //         1,0.5,2
 * //         0,1.5,-3
 * ExampleShard s = CsvReader.read(new Configuration(), "file:/data/a.csv", 0, true, null);
 * // s.shape() == {2}, s.labels() == {1, 0}, s.features() == {0.5, 2, 1.5, -3}
 * }</pre>
 *
 * <p>Errors: a missing path is a {@link FileNotFoundException}; bad content is an
 * {@link InvalidDataException} naming the file, the line (counted from 1, header included) and the
 * value, e.g. {@code file:/x/a.csv line 7: column 3 is 'abc', not a number}.
 */
public final class CsvReader {

  private CsvReader() {}

  /**
   * Reads the first {@code limit} examples (all when {@code null}).
   *
   * @throws IllegalArgumentException if {@code labelColumn < 0} or {@code limit < 0}
   * @throws FileNotFoundException    if the path does not exist
   * @throws InvalidDataException     if a line is malformed, or there is no data line
   */
  public static ExampleShard read(Configuration conf, String path, int labelColumn, boolean header, Integer limit)
      throws IOException {
    return read(conf, path, labelColumn, header, limit, null);
  }

  /**
   * As {@link #read(Configuration, String, int, boolean, Integer)}, checking every label against
   * {@code classes} (no upper bound when {@code null}).
   *
   * @throws IllegalArgumentException if {@code labelColumn < 0}, {@code limit < 0} or {@code classes < 1}
   * @throws FileNotFoundException    if the path does not exist
   * @throws InvalidDataException     if a line is malformed, a label is {@code >= classes}, or there is
   *     no data line
   */
  public static ExampleShard read(
      Configuration conf, String path, int labelColumn, boolean header, Integer limit, Integer classes)
      throws IOException {
    checkLimit(limit);
    return readRange(conf, path, labelColumn, header, classes, 0, limit == null ? Integer.MAX_VALUE : limit);
  }

  /**
   * Reads block {@code shard} of {@code numShards} contiguous blocks of the first {@code limit}
   * examples (all when {@code null}), as {@link IdxReader#readShard} does. It reads the files twice:
   * once to count the examples, once to parse the block (lines before it are skipped unparsed).
   *
   * @throws IllegalArgumentException unless {@code 0 <= shard < numShards}, {@code labelColumn >= 0},
   *     {@code limit >= 0} and {@code classes >= 1}
   * @throws FileNotFoundException    if the path does not exist
   * @throws InvalidDataException     if a line of the block or the first data line is malformed
   */
  public static ExampleShard readShard(Configuration conf, String path, int labelColumn, boolean header,
      int shard, int numShards, Integer limit, Integer classes) throws IOException {
    ExampleShard.blockBounds(0, shard, numShards); // validates shard and numShards before any I/O
    int[] block = ExampleShard.blockBounds(count(conf, path, header, limit), shard, numShards);
    return readRange(conf, path, labelColumn, header, classes, block[0], block[1]);
  }

  /**
   * Number of data lines (non-blank, not a header), at most {@code limit}; lines are not parsed.
   *
   * @throws IllegalArgumentException if {@code limit < 0}
   * @throws FileNotFoundException    if the path does not exist
   * @throws InvalidDataException     if a directory holds no data file
   */
  public static int count(Configuration conf, String path, boolean header, Integer limit) throws IOException {
    checkLimit(limit);
    int max = limit == null ? Integer.MAX_VALUE : limit;
    int[] n = {0};
    if (max > 0) {
      forEachDataLine(conf, path, header, (file, lineNo, line) -> ++n[0] < max);
    }
    return n[0];
  }

  /**
   * One example's shape, {@code {columns - 1}}, from the first data line.
   *
   * @throws IllegalArgumentException if {@code labelColumn < 0}
   * @throws FileNotFoundException    if the path does not exist
   * @throws InvalidDataException     if there is no data line, or the first one has too few columns
   */
  public static int[] shape(Configuration conf, String path, int labelColumn, boolean header) throws IOException {
    checkLabelColumn(labelColumn);
    Parser parser = new Parser(labelColumn, null);
    forEachDataLine(conf, path, header, (file, lineNo, line) -> {
      parser.reference(file, lineNo, line);
      return false;
    });
    if (parser.columns < 0) {
      throw new InvalidDataException(path + ": no data lines");
    }
    return new int[] {parser.columns - 1};
  }

  /**
   * Parses data lines {@code [from, to)} (counted from 0 over all files) into a shard; stops at
   * {@code to} or at the end of the data. The first data line is always checked, as the reference for
   * the column count; other lines before {@code from} are skipped unparsed.
   */
  static ExampleShard readRange(Configuration conf, String path, int labelColumn, boolean header,
      Integer classes, int from, int to) throws IOException {
    checkLabelColumn(labelColumn);
    if (classes != null && classes < 1) {
      throw new IllegalArgumentException("classes must be >= 1 or null, was " + classes);
    }
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("line range [" + from + ", " + to + ") is invalid");
    }
    Parser parser = new Parser(labelColumn, classes);
    int[] index = {0};
    forEachDataLine(conf, path, header, (file, lineNo, line) -> {
      if (index[0] == 0) {
        parser.reference(file, lineNo, line);
      }
      if (index[0] >= from && index[0] < to) {
        parser.parse(file, lineNo, line);
      }
      index[0]++;
      return index[0] < Math.max(to, 1);
    });
    if (parser.columns < 0) {
      throw new InvalidDataException(path + ": no data lines");
    }
    return parser.toShard();
  }

  private static void checkLimit(Integer limit) {
    if (limit != null && limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 or null, was " + limit);
    }
  }

  private static void checkLabelColumn(int labelColumn) {
    if (labelColumn < 0) {
      throw new IllegalArgumentException("labelColumn must be >= 0, was " + labelColumn);
    }
  }

  /** Receives one data line; returns whether to go on. */
  @FunctionalInterface
  private interface LineVisitor {
    boolean visit(String file, int lineNo, String line) throws IOException;
  }

  private static void forEachDataLine(Configuration conf, String path, boolean header, LineVisitor visitor)
      throws IOException {
    Path root = new Path(path);
    FileSystem fs = HadoopFiles.fs(conf, root);
    for (Path file : dataFiles(fs, root)) {
      String name = HadoopFiles.display(fs, file);
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(HadoopFiles.openDecompressed(fs, file), StandardCharsets.UTF_8),
          HadoopFiles.BUFFER_BYTES)) {
        int lineNo = 0;
        String line;
        while ((line = readLine(r, name)) != null) {
          lineNo++;
          if ((header && lineNo == 1) || line.isBlank()) {
            continue;
          }
          if (!visitor.visit(name, lineNo, line)) {
            return;
          }
        }
      }
    }
  }

  private static String readLine(BufferedReader r, String name) throws IOException {
    try {
      return r.readLine();
    } catch (EOFException | ZipException e) {
      throw new InvalidDataException(name + ": corrupt or truncated gzip stream (" + e.getMessage() + ")", e);
    }
  }

  private static List<Path> dataFiles(FileSystem fs, Path root) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(root);
    } catch (FileNotFoundException e) {
      throw new FileNotFoundException("CSV path " + HadoopFiles.display(fs, root) + " does not exist");
    }
    if (status.isFile()) {
      return List.of(root);
    }
    List<Path> files = new ArrayList<>();
    for (FileStatus s : fs.listStatus(root)) {
      String name = s.getPath().getName();
      if (s.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
        files.add(s.getPath());
      }
    }
    if (files.isEmpty()) {
      throw new InvalidDataException(
          HadoopFiles.display(fs, root)
              + ": directory holds no data file (names starting with '_' or '.' are skipped)");
    }
    files.sort(Comparator.comparing(Path::getName));
    return files;
  }

  /** Parses lines into growing arrays, checking each against the first data line. */
  private static final class Parser {
    private final int labelColumn;
    private final Integer classes;
    private int columns = -1;
    private String referenceAt;
    private float[] features = new float[1024];
    private int[] labels = new int[64];
    private int count;

    Parser(int labelColumn, Integer classes) {
      this.labelColumn = labelColumn;
      this.classes = classes;
    }

    /** Takes the first data line's column count as the reference for all lines. */
    void reference(String file, int lineNo, String line) throws InvalidDataException {
      int n = split(line).length;
      String at = file + " line " + lineNo;
      if (n < 2) {
        throw new InvalidDataException(at + ": " + n + " column, need a label and at least one feature");
      }
      if (labelColumn >= n) {
        throw new InvalidDataException(
            at + ": label column " + labelColumn + " is out of range, the line has " + n + " columns");
      }
      columns = n;
      referenceAt = at;
    }

    void parse(String file, int lineNo, String line) throws InvalidDataException {
      String[] values = split(line);
      if (values.length != columns) {
        throw new InvalidDataException(file + " line " + lineNo + ": " + values.length + " columns, expected "
            + columns + " as in " + referenceAt);
      }
      int numFeatures = columns - 1;
      if (count == labels.length) {
        labels = Arrays.copyOf(labels, labels.length * 2);
      }
      if ((long) (count + 1) * numFeatures > features.length) {
        long grown = Math.max((long) features.length * 2, (long) (count + 1) * numFeatures);
        ExampleShard.checkSize(count + 1, numFeatures);
        features = Arrays.copyOf(features, (int) Math.min(grown, Integer.MAX_VALUE - 8));
      }
      int at = count * numFeatures;
      for (int c = 0; c < values.length; c++) {
        String v = values[c].trim();
        if (c == labelColumn) {
          labels[count] = label(file, lineNo, v);
        } else {
          features[at++] = number(file, lineNo, c, v);
        }
      }
      count++;
    }

    private int label(String file, int lineNo, String v) throws InvalidDataException {
      int label;
      try {
        label = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new InvalidDataException(file + " line " + lineNo + ": label column " + labelColumn + " is '" + v
            + "', not an integer class");
      }
      if (label < 0) {
        throw new InvalidDataException(file + " line " + lineNo + ": label column " + labelColumn + " is '" + v
            + "', a class must be >= 0");
      }
      if (classes != null && label >= classes) {
        throw new InvalidDataException(file + " line " + lineNo + ": label " + label
            + " is not below the class count " + classes);
      }
      return label;
    }

    private static float number(String file, int lineNo, int column, String v) throws InvalidDataException {
      float x;
      try {
        x = Float.parseFloat(v);
      } catch (NumberFormatException e) {
        throw new InvalidDataException(file + " line " + lineNo + ": column " + column + " is '" + v
            + "', not a number");
      }
      if (!Float.isFinite(x)) {
        throw new InvalidDataException(file + " line " + lineNo + ": column " + column + " is '" + v
            + "', not a finite number");
      }
      return x;
    }

    private static String[] split(String line) {
      return line.split(",", -1);
    }

    ExampleShard toShard() {
      int numFeatures = columns - 1;
      return ExampleShard.of(
          new int[] {numFeatures}, Arrays.copyOf(features, count * numFeatures), Arrays.copyOf(labels, count));
    }
  }
}
