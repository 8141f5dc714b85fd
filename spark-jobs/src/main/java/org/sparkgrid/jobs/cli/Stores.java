package org.sparkgrid.jobs.cli;

import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;

/** Where SparkGrid keeps models and runs, from its configuration. */
public final class Stores {
  private Stores() {}

  public static HadoopModelStore models(SparkGridConfig config, Configuration hadoop) {
    return new HadoopModelStore(config.storeRoot(), hadoop);
  }

  public static HadoopCheckpointStore checkpoints(SparkGridConfig config, Configuration hadoop) {
    return new HadoopCheckpointStore(config.storeRoot(), hadoop);
  }
}
