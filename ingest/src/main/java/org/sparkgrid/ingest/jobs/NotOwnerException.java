package org.sparkgrid.ingest.jobs;

/**
 * A change to a RUNNING job refused because another service instance holds it: its lease expired
 * and that instance took it over, or it was claimed elsewhere. The caller has lost the job: it
 * stops its work on it and reports nothing more about it.
 */
public final class NotOwnerException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String jobId;
  private final String owner;

  /**
   * @param jobId the job
   * @param owner the instance that holds it now
   * @param what  the refused change, e.g. "go from RUNNING to SUCCEEDED"
   * @param asker the instance that asked
   */
  public NotOwnerException(String jobId, String owner, String what, String asker) {
    super("job " + jobId + ": cannot " + what + ": it is owned by " + owner + ", not by " + asker);
    this.jobId = jobId;
    this.owner = owner;
  }

  /** The job that was refused. */
  public String jobId() {
    return jobId;
  }

  /** The instance that holds the job now. */
  public String owner() {
    return owner;
  }
}
