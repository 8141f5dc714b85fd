package org.sparkgrid.jobs.store;

import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.core.config.SparkGridConfig;

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
