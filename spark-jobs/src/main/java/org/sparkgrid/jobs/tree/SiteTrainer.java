package org.sparkgrid.jobs.tree;

import java.io.IOException;
import java.io.Serializable;

/**
 * Trains the global model on one site's data inside that site's Spark task. {@link LocalSiteTrainer}
 * is the real one; tests substitute a slow or failing site to exercise deadlines and failures.
 */
@FunctionalInterface
public interface SiteTrainer extends Serializable {

  /**
   * @param task       what to train
   * @param hadoopConf the executor's Hadoop settings, to read the site's data; shared by the round's
   *     tasks in one executor, so read it, never change it
   * @throws IOException if the site's data cannot be read
   */
  SiteResult train(SiteTask task, org.apache.hadoop.conf.Configuration hadoopConf) throws IOException;
}
