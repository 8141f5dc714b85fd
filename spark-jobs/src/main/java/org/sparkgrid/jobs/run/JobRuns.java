package org.sparkgrid.jobs.run;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.store.CheckpointStore;

/**
 * The request a job runs with, kept beside its checkpoints ({@code runs/<job>/request.json}), so a
 * job can be resumed with nothing but its id. Shared by compute and tree jobs.
 */
public final class JobRuns {
  static final String REQUEST_JSON = "request.json";

  private JobRuns() {}

  /**
   * Records the request of a job that starts now.
   *
   * @throws IllegalArgumentException if the job ran before (it has checkpoints): it should be resumed
   */
  public static void start(CheckpointStore checkpoints, String jobId, TrainingRequest request) {
    if (checkpoints.latest(jobId).isPresent()) {
      throw new IllegalArgumentException("job '" + jobId + "' has run before and has checkpoints in the store: continue"
          + " it with --resume " + jobId + ", or start afresh under another id (--job-id)");
    }
    checkpoints.putRunFile(jobId, REQUEST_JSON, out -> out.write(RequestCodec.write(request)));
  }

  /** Whether a job has started before: its request is recorded, so it can be resumed. */
  public static boolean started(CheckpointStore checkpoints, String jobId) throws IOException {
    Optional<InputStream> in = checkpoints.openRunFile(jobId, REQUEST_JSON);
    if (in.isPresent()) {
      in.get().close();
    }
    return in.isPresent();
  }

  /**
   * The request a job started with.
   *
   * @throws IllegalArgumentException if the store knows no such job
   */
  public static TrainingRequest request(CheckpointStore checkpoints, String jobId) throws IOException {
    return recorded(checkpoints, jobId).orElseThrow(() -> new IllegalArgumentException("job '" + jobId
        + "' is unknown: no " + REQUEST_JSON + " under the store's runs/" + jobId + "/ (jobs known: "
        + checkpoints.jobs() + ")"));
  }

  /** The request a job started with; empty if the store has no run files for it. */
  public static Optional<TrainingRequest> recorded(CheckpointStore checkpoints, String jobId) throws IOException {
    Optional<InputStream> in = checkpoints.openRunFile(jobId, REQUEST_JSON);
    if (in.isEmpty()) {
      return Optional.empty();
    }
    try (InputStream is = in.get()) {
      return Optional.of(RequestCodec.parse(is.readAllBytes()));
    }
  }
}
