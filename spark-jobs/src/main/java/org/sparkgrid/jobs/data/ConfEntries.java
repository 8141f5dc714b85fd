package org.sparkgrid.jobs.data;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A Hadoop configuration's entries as a serializable value, to rebuild the same configuration in a
 * Spark task (a {@link Configuration} is not {@link Serializable}).
 */
public final class ConfEntries implements Serializable {
  private static final long serialVersionUID = 1L;

  private final HashMap<String, String> entries = new HashMap<>();

  public ConfEntries(Configuration conf) {
    for (Map.Entry<String, String> e : conf) {
      entries.put(e.getKey(), e.getValue());
    }
  }

  /** A configuration holding exactly the captured entries (no default resources loaded). */
  public Configuration toConfiguration() {
    Configuration conf = new Configuration(false);
    entries.forEach(conf::set);
    return conf;
  }
}
