-- xjob's fire records (see the MySQL file and docs/scheduler.md).
CREATE TABLE IF NOT EXISTS xjob_fire (
  job_id       INTEGER      NOT NULL,
  fire_time    BIGINT       NOT NULL,
  trigger_type VARCHAR(20)  NOT NULL DEFAULT 'CRON',
  state        TINYINT      NOT NULL DEFAULT 0,
  node         VARCHAR(128) NOT NULL,
  lease_until  BIGINT       NOT NULL,
  log_id       BIGINT       NOT NULL DEFAULT 0,
  updated_at   BIGINT       NOT NULL,
  PRIMARY KEY (job_id, fire_time)
);
--bun:split
CREATE INDEX IF NOT EXISTS i_xjob_fire_state_lease ON xjob_fire (state, lease_until);
--bun:split
CREATE INDEX IF NOT EXISTS i_xjob_fire_updated_at ON xjob_fire (updated_at);
