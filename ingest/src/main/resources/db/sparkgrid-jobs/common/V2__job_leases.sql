-- Job leases: a RUNNING job belongs to the service instance that claimed it (owner_id) until its
-- lease expires (lease_expires_at, epoch ms); the owner extends it (heartbeat_at) while it runs.
-- Another instance takes over a job whose lease expired. Plain SQL of H2, PostgreSQL and MySQL.
ALTER TABLE sparkgrid_jobs ADD COLUMN owner_id VARCHAR(128);
ALTER TABLE sparkgrid_jobs ADD COLUMN heartbeat_at BIGINT;
ALTER TABLE sparkgrid_jobs ADD COLUMN lease_expires_at BIGINT;
CREATE INDEX sparkgrid_jobs_lease ON sparkgrid_jobs (state, lease_expires_at);
