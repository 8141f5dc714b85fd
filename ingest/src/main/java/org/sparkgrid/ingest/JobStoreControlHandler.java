package org.sparkgrid.ingest;

import java.util.Objects;
import java.util.function.Consumer;
import org.sparkgrid.ingest.events.EventPublisher;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;

/**
 * Cancels in the job store and publishes a {@code cancelled} event; for a job that was running,
 * {@code stopRunning} stops its work (e.g. cancels the Spark job group).
 *
 * <pre>{@code
 * ControlHandler handler = new JobStoreControlHandler(store, events, jobId -> spark.cancelJobGroup(jobId));
 * }</pre>
 */
public final class JobStoreControlHandler implements ControlHandler {

  private final JobStore store;
  private final EventPublisher events;
  private final Consumer<String> stopRunning;

  public JobStoreControlHandler(JobStore store, EventPublisher events, Consumer<String> stopRunning) {
    this.store = Objects.requireNonNull(store, "store");
    this.events = Objects.requireNonNull(events, "events");
    this.stopRunning = Objects.requireNonNull(stopRunning, "stopRunning");
  }

  @Override
  public void cancel(String jobId) {
    Job before = store.cancel(jobId);
    boolean wasRunning = before.state() == JobState.RUNNING;
    events.publish(jobId, new JobEvent.Cancelled(wasRunning));
    if (wasRunning) {
      stopRunning.accept(jobId);
    }
  }
}
