package org.sparkgrid.ingest.jobs;

/**
 * The job store could not be read or written (the database is down, the disk is full). Says
 * nothing about the job itself: the same call may succeed later, so callers retry rather than
 * refuse.
 */
public final class JobStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public JobStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
