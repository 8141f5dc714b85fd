package org.sparkgrid.jobs.tree;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.status.api.v1.ExecutorSummary;
import scala.collection.JavaConverters;

/**
 * Where a site's task should run: the executors that hold the site's identity ({@link SiteIdentity#RESOURCE}),
 * as Spark executor locations ({@code executor_<host>_<id>}, which the scheduler tries first), else the
 * site's registered {@code hosts}. A preference, not a guarantee: a task Spark places elsewhere is refused
 * there by {@link SiteIdentity#verify}.
 *
 * <pre>{@code
 * List<String> prefer = SitePlacement.locations(sc.sc(), "site-01", site.hosts());
 * }</pre>
 */
public final class SitePlacement {
  private SitePlacement() {}

  /** An executor that holds site identities. */
  record Holder(String executorId, String host, List<String> sites) {}

  /** The preferred locations of {@code siteId}'s task among the application's live executors. */
  public static List<String> locations(SparkContext sc, String siteId, List<String> hosts) {
    return locations(holders(sc), siteId, hosts);
  }

  /** Pure: the executor locations of the holders of {@code siteId}, or {@code hosts} where none holds it. */
  static List<String> locations(List<Holder> holders, String siteId, List<String> hosts) {
    List<String> out = new ArrayList<>();
    for (Holder h : holders) {
      if (h.sites().contains(siteId)) {
        out.add("executor_" + h.host() + "_" + h.executorId());
      }
    }
    return out.isEmpty() ? hosts : out;
  }

  /** Each live executor that holds site identities, as Spark's status store has it. */
  static List<Holder> holders(SparkContext sc) {
    List<Holder> out = new ArrayList<>();
    for (ExecutorSummary e : JavaConverters.seqAsJavaList(sc.statusStore().executorList(true))) {
      scala.Option<ResourceInformation> r = e.resources().get(SiteIdentity.RESOURCE);
      if (r.isDefined() && e.hostPort() != null && !e.id().equals("driver")) {
        String hostPort = e.hostPort();
        int colon = hostPort.lastIndexOf(':');
        out.add(new Holder(e.id(), colon < 0 ? hostPort : hostPort.substring(0, colon), List.of(r.get().addresses())));
      }
    }
    return out;
  }

  /** Site id to executor ids, for messages and tests. */
  public static Map<String, List<String>> executorsBySite(SparkContext sc) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Holder h : holders(sc)) {
      h.sites().forEach(s -> out.computeIfAbsent(s, k -> new ArrayList<>()).add(h.executorId()));
    }
    return out;
  }
}
