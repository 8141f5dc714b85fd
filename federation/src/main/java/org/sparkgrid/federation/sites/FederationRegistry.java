package org.sparkgrid.federation.sites;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.sparkgrid.core.request.FederationSpec;

/**
 * The operator's registry of federations: a local directory (config key
 * {@code spark.sparkgrid.federation.registry}, default {@code <home>/federations}) holding one
 * {@code <name>.json} per {@link RegisteredFederation}. Only the operator writes it (through
 * {@code bin/sparkgrid federation add|remove}); requests only name an entry. Each entry is written to
 * a temporary file in the directory, forced to disk, then linked to its name in one step that fails
 * if the name is taken, so a reader never sees half a file and two {@code add}s of one name cannot
 * both win.
 *
 * <pre>{@code
 * FederationRegistry registry = FederationRegistry.at(Path.of(config.federationRegistry()));
 * registry.add(RegisteredFederation.parse("fmnist-10", Files.readAllBytes(file), file.toString()));
 * Optional<RegisteredFederation> f = registry.get("fmnist-10");
 * }</pre>
 */
public final class FederationRegistry {

  private static final String SUFFIX = ".json";

  private final Path dir;

  private FederationRegistry(Path dir) {
    this.dir = dir;
  }

  /** The registry in {@code dir} (created by the first {@link #add}). */
  public static FederationRegistry at(Path dir) {
    return new FederationRegistry(dir.toAbsolutePath().normalize());
  }

  /** The registry's directory. */
  public Path dir() {
    return dir;
  }

  /**
   * Registers {@code federation} under its name.
   *
   * @throws IllegalArgumentException naming {@code name} if a federation is registered under it already
   * @throws IOException if the directory cannot be written
   */
  public void add(RegisteredFederation federation) throws IOException {
    Files.createDirectories(dir);
    Path target = file(federation.name());
    Path tmp = Files.createTempFile(dir, "." + federation.name() + "-", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(federation.toJson()));
        ch.force(true);
      }
      try {
        Files.createLink(target, tmp); // atomic, and refuses an existing name
      } catch (FileAlreadyExistsException e) {
        throw new IllegalArgumentException("name: a federation '" + federation.name() + "' is registered already ("
            + target + "); remove it first (bin/sparkgrid federation remove " + federation.name() + ")");
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * The federation registered under {@code name}; empty if none is (or the name could not be one).
   *
   * @throws IllegalStateException naming the file if the entry is not a valid registered federation
   * @throws IOException if the entry cannot be read
   */
  public Optional<RegisteredFederation> get(String name) throws IOException {
    if (!FederationSpec.isValidName(name)) {
      return Optional.empty();
    }
    Path f = file(name);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(RegisteredFederation.parse(name, bytes, f.toString()));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("registered federation '" + name + "' is broken: " + e.getMessage(), e);
    }
  }

  /** The registered names, sorted; empty if the directory does not exist. */
  public List<String> names() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
          .map(n -> n.substring(0, n.length() - SUFFIX.length())).filter(FederationSpec::isValidName).sorted()
          .forEach(names::add);
    }
    return names;
  }

  /**
   * Unregisters {@code name}. Jobs of it that have not finished fail at their next start or resume.
   *
   * @return whether it was registered
   * @throws IOException if the directory cannot be written
   */
  public boolean remove(String name) throws IOException {
    return FederationSpec.isValidName(name) && Files.deleteIfExists(file(name));
  }

  /** Where the entry of {@code name} lives. */
  public Path file(String name) {
    return dir.resolve(name + SUFFIX);
  }
}
