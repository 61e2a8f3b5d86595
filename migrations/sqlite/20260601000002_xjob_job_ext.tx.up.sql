-- xjob's per-job extras (see the MySQL file for the meaning of each column).
CREATE TABLE IF NOT EXISTS xjob_job_ext (
  job_id         INTEGER     NOT NULL PRIMARY KEY,
  time_zone      VARCHAR(64)  DEFAULT NULL,
  schedule_mode  VARCHAR(50)  DEFAULT NULL,
  alarm_webhooks VARCHAR(255) DEFAULT NULL
);
