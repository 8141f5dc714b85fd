package org.sparkgrid.jobs.cli;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;

/** Where SparkGrid keeps models and runs, from its configuration. */
public final class Stores {
  private Stores() {}

  /** SparkGrid's home: {@code spark.sparkgrid.home}, else {@code ~/.sparkgrid}. */
  public static String home(SparkGridConfig config) {
    String home = config.get(SparkGridConfig.HOME);
    return home.isEmpty() ? Path.of(System.getProperty("user.home"), ".sparkgrid").toString() : home;
  }

  /** The store root URI: {@code spark.sparkgrid.store.root}, else {@code file:<home>/store}. */
  public static String root(SparkGridConfig config) {
    String root = config.get(SparkGridConfig.STORE_ROOT);
    return root.isEmpty() ? Path.of(home(config), "store").toUri().toString() : root;
  }

  public static HadoopModelStore models(SparkGridConfig config, Configuration hadoop) {
    return new HadoopModelStore(root(config), hadoop);
  }

  public static HadoopCheckpointStore checkpoints(SparkGridConfig config, Configuration hadoop) {
    return new HadoopCheckpointStore(root(config), hadoop);
  }
}
