package org.sparkgrid.jobs.tree;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.sparkgrid.core.config.SparkGridConfig;

/**
 * Where a tree-mode site's identity lives, and the check every task that acts for a site runs first
 * (before it reads the site's data or writes to the site's store).
 *
 * <p>A site's executors hold its id as the Spark custom resource {@value #RESOURCE}: the site's workers
 * run a discovery script that prints {@code {"name": "sparkgrid-site", "addresses": ["site-01"]}},
 * the application asks for {@code spark.executor.resource.sparkgrid-site.amount=1} and a small share
 * per task ({@code spark.task.resource.sparkgrid-site.amount=0.01}), and Spark hands each task its
 * executor's address ({@link TaskContext#resources()}). The site's signing key stays where the
 * registration's {@code key} says, on that executor ({@link SiteSigning}).
 *
 * <p>With {@code spark.sparkgrid.federation.siteIdentity} {@code executor} (the default on cluster
 * masters) a task for site A on an executor without A's id throws {@link Refused}: Spark runs the
 * attempt again (elsewhere, with {@code spark.excludeOnFailure.enabled}), and the refusal is
 * recorded ({@link SiteRefusals}). With {@code coordinator} (the default on {@code local[N]}) any
 * executor may act for any site.
 *
 * <pre>{@code
 * // in a site's task, before anything of the site's is touched:
 * SiteIdentity.verify("site-01");   // throws SiteIdentity.Refused on another site's executor
 * }</pre>
 */
public final class SiteIdentity {
  /** The Spark custom resource whose address on an executor is the id of the site it belongs to. */
  public static final String RESOURCE = "sparkgrid-site";

  private SiteIdentity() {}

  /** Where site identity is checked: {@code spark.sparkgrid.federation.siteIdentity}, resolved. */
  public enum Mode {
    /** A site's tasks run only on executors that hold its id. */
    EXECUTOR,
    /** Any executor acts for any site (one machine). */
    COORDINATOR;

    /**
     * The configured mode, {@code auto} resolved by the master: {@code coordinator} on {@code local} and
     * {@code local[...]} (one JVM), {@code executor} on every other master, {@code local-cluster} included.
     */
    public static Mode of(String configured, String master) {
      return switch (configured.strip()) {
        case "executor" -> EXECUTOR;
        case "coordinator" -> COORDINATOR;
        default -> master != null && (master.equals("local") || master.startsWith("local["))
            ? COORDINATOR : EXECUTOR;
      };
    }

    /** The mode of an application from its Spark configuration. */
    public static Mode of(SparkConf conf) {
      return of(conf.get(SparkGridConfig.FEDERATION_SITE_IDENTITY.name(), "auto"), conf.get("spark.master", null));
    }
  }

  /**
   * An executor as the check sees it.
   *
   * @param executorId Spark's executor id ({@code driver} on a local master)
   * @param host       its host
   * @param sites      the site ids it holds ({@value #RESOURCE} addresses; empty: none)
   */
  public record Executor(String executorId, String host, List<String> sites) implements Serializable {
    public Executor {
      sites = List.copyOf(sites);
    }

    /** For messages: {@code executor 1 on host h (site site-b)}. */
    public String describe() {
      return "executor " + executorId + " on host " + host + " ("
          + (sites.isEmpty() ? "no site identity" : "site " + String.join(", ", sites)) + ")";
    }
  }

  /** A site task refused to run on an executor that is not its site's: Spark runs the attempt again. */
  public static final class Refused extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  /**
   * Why a task for {@code siteId} must not run on {@code executor}, or empty when it holds the site's id.
   * Pure: the whole check, for tests.
   */
  public static Optional<String> refusal(String siteId, Executor executor) {
    if (executor.sites().contains(siteId)) {
      return Optional.empty();
    }
    String why = executor.sites().isEmpty()
        ? "it holds no site identity (Spark resource " + RESOURCE + ": give the site's workers a discovery script"
            + " that prints the site id and set spark.executor.resource." + RESOURCE + ".amount=1 and"
            + " spark.task.resource." + RESOURCE + ".amount=0.01; on one machine set"
            + " spark.sparkgrid.federation.siteIdentity=coordinator)"
        : "it holds the identity of " + String.join(", ", executor.sites()) + ", not of " + siteId;
    return Optional.of("site " + siteId + "'s task refused executor " + executor.executorId() + " on host "
        + executor.host() + ": " + why);
  }

  /**
   * The executor this task runs on. Outside a task (on the driver): executor {@code driver}, no sites.
   */
  public static Executor here() {
    TaskContext ctx = TaskContext.get();
    SparkEnv env = SparkEnv.get();
    String id = env == null ? "driver" : env.executorId();
    String host = env == null ? "unknown" : env.blockManager().blockManagerId().host();
    List<String> sites = List.of();
    if (ctx != null) {
      scala.Option<ResourceInformation> r = ctx.resources().get(RESOURCE);
      if (r.isDefined()) {
        sites = List.of(r.get().addresses());
      }
    }
    return new Executor(id, host, sites);
  }

  /**
   * Checks, in a task, that this executor may act for {@code siteId} under the application's mode.
   *
   * @return the executor the task runs on
   * @throws Refused if the mode is {@code executor} and this executor does not hold the site's id,
   *     naming the site, the executor, its host and the identity it holds
   */
  public static Executor verify(String siteId) {
    Executor here = here();
    SparkEnv env = SparkEnv.get();
    Mode mode = env == null ? Mode.COORDINATOR : Mode.of(env.conf());
    if (mode == Mode.EXECUTOR) {
      Optional<String> refused = refusal(siteId, here);
      if (refused.isPresent()) {
        throw new Refused(refused.get());
      }
    }
    return here;
  }
}
