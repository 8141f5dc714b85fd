/**
 * The job store: every accepted request as a job, its state, priority, attempts, phase, result,
 * where it was read, and which service instance holds it (its lease).
 *
 * <p>Start with {@link org.sparkgrid.ingest.jobs.JobStore} (the operations, their guarantees and
 * the leases that let several service instances share one store) and
 * {@link org.sparkgrid.ingest.jobs.JdbcJobStore} (H2 file by default, PostgreSQL, MySQL or
 * MariaDB by URL), opened from {@link org.sparkgrid.ingest.jobs.JobStoreSettings} (URL, login,
 * owner, lease). {@link org.sparkgrid.ingest.jobs.JobState} lists the allowed state changes. The
 * schema is migrated by Flyway from {@code db/sparkgrid-jobs/} on the classpath
 * ({@code JobStoreSchema}).
 */
package org.sparkgrid.ingest.jobs;
