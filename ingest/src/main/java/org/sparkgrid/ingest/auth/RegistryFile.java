package org.sparkgrid.ingest.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requester registry in its file, read again when the file changes, so that {@code bin/sparkgrid
 * requester add} takes effect without a restart. {@link #get()} looks at the file's modification
 * time and size at most once a second; an edit that does not read (bad JSON, a bad field) keeps the
 * last good registry and logs one error naming the field and the value.
 *
 * <pre>{@code
 * RegistryFile registry = RegistryFile.open(Path.of(home, "requesters.json"), Clock.systemUTC());
 * Optional<Requester> who = registry.get().byAccount(account);
 * RegistryFile.write(path, registry.get().with(bob));       // atomically: a temporary file, then a rename
 * }</pre>
 */
public final class RegistryFile implements Supplier<RequesterRegistry> {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryFile.class);

  /** How often, at most, {@link #get()} looks at the file. */
  static final long CHECK_EVERY_MS = 1_000;

  private final Path path;
  private final Clock clock;
  private RequesterRegistry current;
  private Stamp loaded;
  private Stamp refused;
  private long checkedAt;

  private RegistryFile(Path path, Clock clock, RequesterRegistry registry, Stamp stamp) {
    this.path = path;
    this.clock = clock;
    this.current = registry;
    this.loaded = stamp;
    this.checkedAt = clock.millis();
  }

  /**
   * The registry in {@code path}: read now, and again when the file changes.
   *
   * @throws IllegalArgumentException naming the file, the field's path and the value if the file is
   *     missing or not a registry
   * @throws IOException if it cannot be read
   */
  public static RegistryFile open(Path path, Clock clock) throws IOException {
    Objects.requireNonNull(path, "path");
    Stamp stamp = Stamp.of(path);
    if (stamp == null) {
      throw new IllegalArgumentException("spark.sparkgrid.auth.registry: no requester registry at " + path
          + " (bin/sparkgrid requester add creates it)");
    }
    return new RegistryFile(path, Objects.requireNonNull(clock, "clock"), read(path), stamp);
  }

  /**
   * The registry in {@code path}, or an empty one while there is no file there (read when it
   * appears): for a service that also takes unsigned requests.
   *
   * @throws IllegalArgumentException naming the file, the field's path and the value if the file
   *     is there but not a registry
   * @throws IOException if it cannot be read
   */
  public static RegistryFile openIfPresent(Path path, Clock clock) throws IOException {
    Objects.requireNonNull(path, "path");
    Stamp stamp = Stamp.of(path);
    return stamp == null ? new RegistryFile(path, Objects.requireNonNull(clock, "clock"), RequesterRegistry.EMPTY, null)
        : open(path, clock);
  }

  /** The file. */
  public Path path() {
    return path;
  }

  /**
   * Reads a registry file.
   *
   * @throws IllegalArgumentException naming the file, the field's path and the value
   * @throws IOException if it cannot be read
   */
  public static RequesterRegistry read(Path path) throws IOException {
    try {
      return RequesterRegistry.read(Files.readAllBytes(path));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("requester registry " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a registry to {@code path} atomically (a temporary file beside it, then a rename), owner
   * read and write only where the file system has POSIX permissions.
   */
  public static void write(Path path, RequesterRegistry registry) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".requesters", ".tmp");
    try {
      Files.write(tmp, registry.toJson());
      try {
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system
      }
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The registry as the file last read well; the file is looked at again if a second has passed. */
  @Override
  public synchronized RequesterRegistry get() {
    long now = clock.millis();
    if (now - checkedAt >= CHECK_EVERY_MS) {
      checkedAt = now;
      reloadIfChanged();
    }
    return current;
  }

  private void reloadIfChanged() {
    Stamp stamp;
    try {
      stamp = Stamp.of(path);
    } catch (IOException e) {
      stamp = null;
    }
    if (stamp == null) {
      if (loaded != null && !Stamp.MISSING.equals(refused)) {
        LOG.error("requester registry {} is gone; keeping the {} requesters read before", path,
            current.requesters().size());
        refused = Stamp.MISSING;
      }
      return;
    }
    if (stamp.equals(loaded) || stamp.equals(refused)) {
      return;
    }
    try {
      current = read(path);
      loaded = stamp;
      refused = null;
      LOG.info("requester registry {} read again: {} requesters", path, current.requesters().size());
    } catch (IOException | IllegalArgumentException e) {
      refused = stamp;
      LOG.error("{}; keeping the {} requesters read before", e.getMessage(), current.requesters().size());
    }
  }

  /** What tells a changed file: its modification time and size. */
  private record Stamp(long modifiedMillis, long size) {
    static final Stamp MISSING = new Stamp(-1, -1);

    static Stamp of(Path p) throws IOException {
      try {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return new Stamp(a.lastModifiedTime().toMillis(), a.size());
      } catch (NoSuchFileException e) {
        return null;
      }
    }
  }
}
