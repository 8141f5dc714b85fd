-- Who may submit (docs/security-requests.md): each job keeps the requester that submitted it (its
-- registry name; NULL for a job stored unsigned, or before version 3), which is whose cancel-own
-- commands it obeys. sparkgrid_nonces holds each signer's used nonces (shared by every service
-- instance on the store, pruned after two clock-skew windows); sparkgrid_audit every verdict on a
-- request or control command. Only the audit table's identity column differs between databases: AUTO_INCREMENT here.
ALTER TABLE sparkgrid_jobs ADD COLUMN requester VARCHAR(32);
CREATE TABLE sparkgrid_nonces (
  account VARCHAR(42) NOT NULL,
  nonce VARCHAR(64) NOT NULL,
  seen_at BIGINT NOT NULL,
  source VARCHAR(300),
  PRIMARY KEY (account, nonce)
);
CREATE INDEX sparkgrid_nonces_seen ON sparkgrid_nonces (seen_at);
CREATE TABLE sparkgrid_audit (
  seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  at_ms BIGINT NOT NULL,
  account VARCHAR(128) NOT NULL,
  requester VARCHAR(32),
  kind VARCHAR(32) NOT NULL,
  job_id VARCHAR(128),
  verdict VARCHAR(16) NOT NULL,
  reason VARCHAR(1000)
);
CREATE INDEX sparkgrid_audit_job ON sparkgrid_audit (job_id, seq);
