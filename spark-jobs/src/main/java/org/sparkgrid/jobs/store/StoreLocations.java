package org.sparkgrid.jobs.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the stores live when no root is configured: {@code file:<home>/store} under the SparkGrid
 * home, so {@code bin/sparkgrid quickstart} needs no HDFS.
 *
 * <pre>{@code
 * String root = StoreLocations.defaultRoot(Path.of(System.getProperty("user.home"), ".sparkgrid"));
 * ModelStore models = new HadoopModelStore(root, new Configuration());
 * }</pre>
 */
public final class StoreLocations {

  /** The store directory's name under the SparkGrid home. */
  public static final String STORE_DIR = "store";

  private StoreLocations() {}

  /** {@code file:<home>/store}, with {@code home} made absolute and normalized. */
  public static String defaultRoot(Path home) {
    Objects.requireNonNull(home, "home");
    return "file:" + home.toAbsolutePath().normalize().resolve(STORE_DIR);
  }
}
