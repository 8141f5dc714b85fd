package org.sparkgrid.ingest;

import java.util.NoSuchElementException;

/**
 * What the service does on each control command; {@link ControlConsumer} calls it on its thread.
 * An exception refuses the one command (it is logged, not retried), except
 * {@link org.sparkgrid.ingest.jobs.JobStoreException}, after which the command is read again.
 *
 * @see JobStoreControlHandler the handler that cancels in the job store
 */
public interface ControlHandler {

  /**
   * Cancels a job: a queued one never starts, a running one is stopped.
   *
   * @throws NoSuchElementException if there is no such job
   * @throws IllegalStateException  if the job is already over
   */
  void cancel(String jobId);

  /**
   * Tree mode: leaves a site out of a job's next rounds. Not supported unless overridden.
   *
   * @throws UnsupportedOperationException if this handler does not support it
   */
  default void excludeSite(String jobId, String site) {
    throw new UnsupportedOperationException("exclude-site is not supported by " + getClass().getSimpleName());
  }
}
