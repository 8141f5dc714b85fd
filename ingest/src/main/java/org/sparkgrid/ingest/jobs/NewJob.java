package org.sparkgrid.ingest.jobs;

import java.util.Objects;
import org.sparkgrid.core.request.TrainingRequest;

/**
 * One request of a batch for {@link JobStore#enqueueAll}.
 *
 * @param request  the request; its id is the job id
 * @param priority higher runs first
 * @param source   where it was read; {@code null} if not from Kafka
 * @param requester the registered requester that signed it ({@link Job#requester()}); {@code null} if unsigned
 */
public record NewJob(TrainingRequest request, int priority, RecordSource source, String requester) {

  public NewJob {
    Objects.requireNonNull(request, "request");
  }

  /** A job from an unsigned request. */
  public NewJob(TrainingRequest request, int priority, RecordSource source) {
    this(request, priority, source, null);
  }
}
