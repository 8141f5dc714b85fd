package org.sparkgrid.core.request;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The lookup behind {@link StrategyCatalog#installed()}, done once. */
final class InstalledStrategyCatalog {

  private static final Logger LOG = LoggerFactory.getLogger(StrategyCatalog.class);
  private static StrategyCatalog catalog;

  private InstalledStrategyCatalog() {}

  static synchronized StrategyCatalog get() {
    if (catalog == null) {
      catalog = pick(ServiceLoader.load(StrategyCatalog.class, StrategyCatalog.class.getClassLoader()));
    }
    return catalog;
  }

  /** The one catalog found, or {@link StrategyCatalog#UNCHECKED} with a warning when there is none. */
  static StrategyCatalog pick(Iterable<StrategyCatalog> registered) {
    List<StrategyCatalog> found = new ArrayList<>();
    registered.forEach(found::add);
    if (found.size() > 1) {
      throw new IllegalStateException("more than one StrategyCatalog is registered: "
          + found.stream().map(c -> c.getClass().getName()).toList() + "; keep one on the classpath");
    }
    if (found.isEmpty()) {
      LOG.warn("no StrategyCatalog on the classpath (the federation module provides one): "
          + "federation.strategy is checked when the job runs, not when the request is parsed");
      return StrategyCatalog.UNCHECKED;
    }
    return found.get(0);
  }
}
