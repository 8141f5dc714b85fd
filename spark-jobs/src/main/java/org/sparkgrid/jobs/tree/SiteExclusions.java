package org.sparkgrid.jobs.tree;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.sparkgrid.core.store.CheckpointStore;

/**
 * The sites an admin excluded from a federated job, kept beside the job's checkpoints
 * ({@code runs/<job>/excluded-sites.json}, a sorted JSON array of site ids), so an exclusion
 * survives a restart of the service between the command and the next round. The service's control
 * handler adds to it ({@code bin/sparkgrid exclude-site JOB SITE}); the running
 * {@link FederationRunner} reads it at the start of every round and moves what is new into its
 * round state, which is checkpointed.
 *
 * <pre>{@code
 * SiteExclusions exclusions = new SiteExclusions(checkpoints);
 * exclusions.exclude("fed-0001", "site-07");   // true: new; site-07 trains in no later round
 * Set<String> all = exclusions.excluded("fed-0001");
 * }</pre>
 *
 * <p>One writer at a time (the service's control thread); readers see the old list or the new one,
 * never half of one ({@link CheckpointStore#putRunFile} replaces atomically).
 */
public final class SiteExclusions {
  static final String FILE = "excluded-sites.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CheckpointStore store;

  public SiteExclusions(CheckpointStore store) {
    this.store = store;
  }

  /**
   * The sites excluded from {@code jobId}, sorted; empty if none.
   *
   * @throws UncheckedIOException if the store fails or the file is not a JSON array of strings
   */
  public Set<String> excluded(String jobId) {
    Optional<InputStream> in = store.openRunFile(jobId, FILE);
    if (in.isEmpty()) {
      return Set.of();
    }
    try (InputStream is = in.get()) {
      return new TreeSet<>(JSON.readValue(is, new TypeReference<java.util.List<String>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException("runs/" + jobId + "/" + FILE + " is not a JSON array of site ids", e);
    }
  }

  /**
   * Excludes a site from the job's later rounds. The caller has checked that the job and the site exist.
   *
   * @return {@code true} if the site was not excluded before
   */
  public boolean exclude(String jobId, String siteId) {
    Set<String> all = new TreeSet<>(excluded(jobId));
    if (!all.add(siteId)) {
      return false;
    }
    store.putRunFile(jobId, FILE, out -> out.write(JSON.writeValueAsBytes(all)));
    return true;
  }
}
