-- The job table as JdbcJobStore created it before the schema had versions (one CREATE TABLE in
-- code). A store created then has this table and no schema history: it is baselined at version 1.
-- Only the large-text type differs between databases: MEDIUMTEXT here.
CREATE TABLE sparkgrid_jobs (
  id VARCHAR(128) NOT NULL PRIMARY KEY,
  request_json MEDIUMTEXT NOT NULL,
  state VARCHAR(16) NOT NULL,
  priority INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  error VARCHAR(4000),
  phase VARCHAR(64),
  result_json MEDIUMTEXT,
  source_topic VARCHAR(249),
  source_partition INTEGER,
  source_offset BIGINT,
  event_seq BIGINT NOT NULL
);
CREATE INDEX sparkgrid_jobs_queue ON sparkgrid_jobs (state, priority, created_at);
