/**
 * The job store: every accepted request as a job, its state, priority, attempts, phase, result
 * and where it was read.
 *
 * <p>Start with {@link org.sparkgrid.ingest.jobs.JobStore} (the operations and their guarantees)
 * and {@link org.sparkgrid.ingest.jobs.JdbcJobStore} (H2 file by default, PostgreSQL or MySQL by
 * URL). {@link org.sparkgrid.ingest.jobs.JobState} lists the allowed state changes.
 */
package org.sparkgrid.ingest.jobs;
