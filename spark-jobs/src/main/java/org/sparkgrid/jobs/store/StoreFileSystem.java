package org.sparkgrid.jobs.store;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.sparkgrid.core.store.ArtifactWriter;
import org.sparkgrid.core.store.NonClosingOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file-system operations both Hadoop stores build on: writing a file from a writer, listing,
 * and the two renames that make writes atomic.
 *
 * <p>Hadoop's {@link FileSystem#rename(Path, Path)} moves the source <em>into</em> the target when
 * the target is an existing directory, so it cannot decide a race for a version number. Here:
 * <ul>
 *   <li>on HDFS (and any file system with a {@link FileContext} implementation),
 *       {@link FileContext#rename(Path, Path, Options.Rename...)}, which the NameNode performs
 *       atomically and refuses when the target exists;
 *   <li>on the local file system, {@code rename(2)} through {@link Files#move} with
 *       {@code ATOMIC_MOVE}: it fails when the target is a non-empty directory, and store
 *       directories are never empty once renamed into place. (It would replace an empty
 *       directory or a file; neither is ever a store entry.)
 * </ul>
 * The local file system is used without Hadoop's {@code .crc} side files, so a store directory
 * holds exactly the files of its layout and an atomic replace of one file stays consistent.
 */
final class StoreFileSystem {

  /** Prefix of temporary entries; never a valid model name, job id, file name or number. */
  static final String TMP_PREFIX = "_tmp-";

  private static final Logger LOG = LoggerFactory.getLogger(StoreFileSystem.class);

  private final Configuration conf;
  private final FileSystem fs;
  private final Path root;
  private FileContext fileContext;

  /**
   * @throws IllegalArgumentException if {@code rootUri} is not a valid Hadoop path
   * @throws UncheckedIOException     if no file system serves it
   */
  StoreFileSystem(String rootUri, Configuration conf) {
    Objects.requireNonNull(rootUri, "rootUri");
    this.conf = Objects.requireNonNull(conf, "conf");
    Path path = new Path(rootUri);
    try {
      FileSystem fileSystem = path.getFileSystem(conf);
      this.fs = fileSystem instanceof LocalFileSystem local ? local.getRawFileSystem() : fileSystem;
    } catch (IOException e) {
      throw new UncheckedIOException("no file system for store root '" + rootUri + "': " + e.getMessage(), e);
    }
    this.root = fs.makeQualified(path);
  }

  /** The qualified root, e.g. {@code hdfs://nn:8020/sparkgrid} or {@code file:/home/me/.sparkgrid/store}. */
  Path root() {
    return root;
  }

  /** A fresh temporary path under {@code parent}. */
  static Path tmpPath(Path parent, String suffix) {
    return new Path(parent, TMP_PREFIX + UUID.randomUUID() + suffix);
  }

  /** Whether {@code name} is a temporary entry. */
  static boolean isTmp(String name) {
    return name.startsWith(TMP_PREFIX);
  }

  boolean exists(Path path) throws IOException {
    return fs.exists(path);
  }

  /** Creates {@code file} (and its parents), failing if it exists, with the writer's content. */
  void write(Path file, ArtifactWriter writer) throws IOException {
    try (OutputStream out = fs.create(file, false)) {
      // some writers (DL4J's ModelSerializer) close the stream they are given; the store closes it
      writer.writeTo(new NonClosingOutputStream(out));
    }
  }

  /** Creates {@code file} (and its parents), failing if it exists, with {@code bytes}. */
  void write(Path file, byte[] bytes) throws IOException {
    try (OutputStream out = fs.create(file, false)) {
      out.write(bytes);
    }
  }

  InputStream open(Path file) throws IOException {
    return fs.open(file);
  }

  /** Opens {@code file}; empty if it does not exist. */
  Optional<InputStream> openIfExists(Path file) throws IOException {
    try {
      return Optional.of(fs.open(file));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  /** Names of the directories directly under {@code dir}, temporary ones excluded; empty if {@code dir} does not exist. */
  List<String> listDirectories(Path dir) throws IOException {
    return list(dir, true);
  }

  /** Names of the files directly under {@code dir}, temporary ones excluded; empty if {@code dir} does not exist. */
  List<String> listFiles(Path dir) throws IOException {
    return list(dir, false);
  }

  private List<String> list(Path dir, boolean directories) throws IOException {
    FileStatus[] statuses;
    try {
      statuses = fs.listStatus(dir);
    } catch (FileNotFoundException e) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (FileStatus status : statuses) {
      String name = status.getPath().getName();
      if (status.isDirectory() == directories && !isTmp(name)) {
        names.add(name);
      }
    }
    names.sort(null);
    return names;
  }

  /**
   * Renames {@code src} to {@code dst} unless {@code dst} exists, atomically (see the class comment).
   *
   * @return false if {@code dst} exists
   */
  boolean renameNoReplace(Path src, Path dst) throws IOException {
    if (fs instanceof RawLocalFileSystem local) {
      java.nio.file.Path target = local.pathToFile(dst).toPath();
      try {
        Files.move(local.pathToFile(src).toPath(), target, StandardCopyOption.ATOMIC_MOVE);
        return true;
      } catch (FileSystemException e) {
        // rename(2) onto a non-empty directory fails with ENOTEMPTY, which Java reports as a plain
        // FileSystemException; store directories are never removed while a writer races for them,
        // so a target that exists now existed when the rename failed
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          return false;
        }
        throw e;
      }
    }
    try {
      fileContext().rename(src, dst, Options.Rename.NONE);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  /** Renames the file {@code src} to {@code dst}, atomically replacing {@code dst} if it exists. */
  void renameReplace(Path src, Path dst) throws IOException {
    if (fs instanceof RawLocalFileSystem local) {
      Files.move(local.pathToFile(src).toPath(), local.pathToFile(dst).toPath(),
          StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } else {
      fileContext().rename(src, dst, Options.Rename.OVERWRITE);
    }
  }

  /** Deletes {@code path} recursively. */
  void delete(Path path) throws IOException {
    fs.delete(path, true);
  }

  /** Deletes {@code path} recursively, logging instead of throwing: for cleaning up after a failure. */
  void deleteQuietly(Path path) {
    try {
      fs.delete(path, true);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not delete temporary {}: {}", path, e.toString());
    }
  }

  private synchronized FileContext fileContext() throws IOException {
    if (fileContext == null) {
      fileContext = FileContext.getFileContext(fs.getUri(), conf);
    }
    return fileContext;
  }
}
