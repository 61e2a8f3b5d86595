-- xjob's per-job extras, kept out of xxl_job_info so the Java admin never
-- sees them. A FIX_DELAY job is stored in xxl_job_info as FIX_RATE (which the
-- Java admin understands) with schedule_mode = 'FIX_DELAY' here.
CREATE TABLE IF NOT EXISTS `xjob_job_ext` (
  `job_id`         int(11)      NOT NULL COMMENT 'xxl_job_info.id',
  `time_zone`      varchar(64)  DEFAULT NULL COMMENT 'IANA zone of the schedule; NULL = admin zone',
  `schedule_mode`  varchar(50)  DEFAULT NULL COMMENT 'FIX_DELAY when schedule_type is FIX_RATE but runs as fix delay',
  `alarm_webhooks` varchar(255) DEFAULT NULL COMMENT 'webhook channel names, comma separated; NULL = all',
  PRIMARY KEY (`job_id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
