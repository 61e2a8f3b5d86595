-- xjob's fire records: one row per scheduled execution of a job at one
-- instant, inserted in the schedule scan's transaction (the one that advances
-- xxl_job_info.trigger_next_time) and moved pending -> claimed -> delivered
-- (or skipped) by compare-and-set. The primary key makes a job fire at most
-- once per instant across admin nodes, crashes and clock steps. See
-- docs/scheduler.md. The Java admin never reads this table.
CREATE TABLE IF NOT EXISTS `xjob_fire` (
  `job_id`       int(11)      NOT NULL COMMENT 'xxl_job_info.id',
  `fire_time`    bigint(13)   NOT NULL COMMENT 'scheduled instant, epoch ms',
  `trigger_type` varchar(20)  NOT NULL DEFAULT 'CRON' COMMENT 'CRON or MISFIRE',
  `state`        tinyint(4)   NOT NULL DEFAULT 0 COMMENT '0 pending, 1 claimed, 2 delivered, 3 skipped',
  `node`         varchar(128) NOT NULL COMMENT 'admin node owning the fire in its state',
  `lease_until`  bigint(13)   NOT NULL COMMENT 'epoch ms after which another node may take the fire over',
  `log_id`       bigint(20)   NOT NULL DEFAULT 0 COMMENT 'a xxl_job_log.id of the delivery, 0 if unknown',
  `updated_at`   bigint(13)   NOT NULL COMMENT 'epoch ms',
  PRIMARY KEY (`job_id`, `fire_time`),
  KEY `i_state_lease` (`state`, `lease_until`),
  KEY `i_updated_at` (`updated_at`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
