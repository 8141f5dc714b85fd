package org.sparkgrid.jobs.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.ingest.ControlHandler;
import org.sparkgrid.ingest.JobStoreControlHandler;
import org.sparkgrid.ingest.events.EventPublisher;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.sites.FederationRegistry;
import org.sparkgrid.jobs.tree.Federations;
import org.sparkgrid.jobs.tree.SiteExclusions;

/**
 * The service's answer to control commands: {@code cancel} through the job store
 * ({@link JobStoreControlHandler}), and {@code exclude-site}, which records the exclusion in the
 * job's {@link SiteExclusions} (the running federation reads it at the start of its next round) and
 * publishes a {@code site-excluded} event. A refused command throws (the control consumer logs it
 * and answers with a {@code command-refused} event);
 * {@code bin/sparkgrid exclude-site} runs the same {@link #checkExclusion} first, so the admin sees
 * the reason at once.
 *
 * <pre>{@code
 * ControlHandler handler = new ServiceControlHandler(store, events, sc::cancelJobGroup,
 *     new SiteExclusions(checkpoints), sc.hadoopConfiguration(), Federations.registry(config));
 * }</pre>
 */
public final class ServiceControlHandler implements ControlHandler {
  private final JobStore store;
  private final EventPublisher events;
  private final ControlHandler cancels;
  private final SiteExclusions exclusions;
  private final Configuration hadoop;
  private final FederationRegistry registry;

  /**
   * @param stopRunning stops a running job's work (e.g. cancels its Spark job group)
   * @param hadoop      reads the jobs' federation files
   * @param registry    the operator's registered federations, which the jobs name
   */
  public ServiceControlHandler(JobStore store, EventPublisher events, Consumer<String> stopRunning,
      SiteExclusions exclusions, Configuration hadoop, FederationRegistry registry) {
    this.store = store;
    this.events = events;
    this.cancels = new JobStoreControlHandler(store, events, stopRunning);
    this.exclusions = exclusions;
    this.hadoop = hadoop;
    this.registry = registry;
  }

  @Override
  public void cancel(String jobId) {
    cancels.cancel(jobId);
  }

  /**
   * Excludes a site from a queued or running tree-mode job's later rounds; again for a site already
   * excluded does nothing.
   *
   * @throws NoSuchElementException   if there is no such job
   * @throws IllegalArgumentException if the job is not a tree-mode job, or its federation has no such site
   * @throws IllegalStateException    if the job is over, or too few sites would be left for its minSites
   */
  @Override
  public void excludeSite(String jobId, String site) {
    checkExclusion(store, exclusions, hadoop, registry, jobId, site);
    if (exclusions.exclude(jobId, site)) {
      events.publish(jobId, new JobEvent.SiteExcluded(site));
    }
  }

  /**
   * Checks that {@code site} may be excluded from {@code jobId}: the job exists, is a tree-mode job,
   * is not over, names the site in its federation file, and keeps at least {@code minSites} sites.
   *
   * @return whether the site is already excluded
   * @throws NoSuchElementException   if there is no such job
   * @throws IllegalArgumentException if the job is not a tree-mode job, or its federation has no such site
   * @throws IllegalStateException    if the job is over, or too few sites would be left
   * @throws UncheckedIOException     if the federation file cannot be read
   */
  public static boolean checkExclusion(JobStore store, SiteExclusions exclusions, Configuration hadoop,
      FederationRegistry registry, String jobId, String site) {
    Job job = store.get(jobId).orElseThrow(() -> new NoSuchElementException("exclude-site: no job '" + jobId
        + "' in the job store"));
    FederationSpec fed = RequestCodec.parse(job.requestJson()).federation();
    if (fed == null) {
      throw new IllegalArgumentException("exclude-site: job '" + jobId + "' is a compute-mode job; sites exist only"
          + " in tree-mode (federated) jobs");
    }
    if (job.state().terminal()) {
      throw new IllegalStateException("exclude-site: job '" + jobId + "' is " + job.state()
          + "; a site can be excluded only from a queued or running job");
    }
    FederationFile federation;
    try {
      federation = Federations.resolve(fed, null, registry, hadoop, Federations.Files.ALLOWED);
    } catch (IOException e) {
      throw new UncheckedIOException("exclude-site: cannot read job '" + jobId + "''s federation "
          + Federations.describe(fed), e);
    }
    if (!federation.ids().contains(site)) {
      throw new IllegalArgumentException("exclude-site: job '" + jobId + "' has no site '" + site + "' (sites: "
          + federation.ids() + ")");
    }
    Set<String> already = exclusions.excluded(jobId);
    if (already.contains(site)) {
      return true;
    }
    List<String> left = new ArrayList<>(federation.ids());
    left.removeAll(already);
    left.remove(site);
    if (left.size() < fed.minSites()) {
      throw new IllegalStateException("exclude-site: excluding '" + site + "' would leave job '" + jobId + "' "
          + left.size() + (left.size() == 1 ? " site" : " sites") + ", fewer than its minSites " + fed.minSites());
    }
    return false;
  }
}
