-- The XXL-JOB 3.4.2 schema: same tables, columns, types, defaults and indexes
-- as upstream's doc/db/tables_xxl_job.sql, so a Java admin can share the
-- database. Only runs on an empty database; an existing XXL-JOB database is
-- adopted instead (see adapters/sqlstore/migrate.go).
CREATE TABLE `xxl_job_group` (
  `id`           int(11)     NOT NULL AUTO_INCREMENT,
  `app_name`     varchar(64) NOT NULL COMMENT 'executor AppName',
  `title`        varchar(64) NOT NULL COMMENT 'executor name',
  `address_type` tinyint(4)  NOT NULL DEFAULT '0' COMMENT '0 = auto registered, 1 = manual',
  `address_list` text COMMENT 'executor addresses, comma separated',
  `update_time`  datetime DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
--bun:split
CREATE TABLE `xxl_job_registry` (
  `id`             bigint(20)   NOT NULL AUTO_INCREMENT,
  `registry_group` varchar(50)  NOT NULL,
  `registry_key`   varchar(255) NOT NULL,
  `registry_value` varchar(255) NOT NULL,
  `update_time`    datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `i_g_k_v` (`registry_group`, `registry_key`, `registry_value`) USING BTREE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
--bun:split
CREATE TABLE `xxl_job_info` (
  `id`                        int(11)      NOT NULL AUTO_INCREMENT,
  `job_group`                 int(11)      NOT NULL COMMENT 'xxl_job_group.id',
  `job_desc`                  varchar(255) NOT NULL,
  `add_time`                  datetime DEFAULT NULL,
  `update_time`               datetime DEFAULT NULL,
  `author`                    varchar(64)  DEFAULT NULL,
  `alarm_email`               varchar(255) DEFAULT NULL,
  `schedule_type`             varchar(50)  NOT NULL DEFAULT 'NONE',
  `schedule_conf`             varchar(128) DEFAULT NULL COMMENT 'meaning depends on schedule_type',
  `misfire_strategy`          varchar(50)  NOT NULL DEFAULT 'DO_NOTHING',
  `executor_route_strategy`   varchar(50)  DEFAULT NULL,
  `executor_handler`          varchar(255) DEFAULT NULL,
  `executor_param`            text         DEFAULT NULL,
  `executor_block_strategy`   varchar(50)  DEFAULT NULL,
  `executor_timeout`          int(11)      NOT NULL DEFAULT '0' COMMENT 'seconds',
  `executor_fail_retry_count` int(11)      NOT NULL DEFAULT '0',
  `glue_type`                 varchar(50)  NOT NULL,
  `glue_source`               mediumtext,
  `glue_remark`               varchar(128) DEFAULT NULL,
  `glue_updatetime`           datetime DEFAULT NULL,
  `child_jobid`               varchar(255) DEFAULT NULL COMMENT 'child job ids, comma separated',
  `trigger_status`            tinyint(4)   NOT NULL DEFAULT '0' COMMENT '0 stopped, 1 running',
  `trigger_last_time`         bigint(13)   NOT NULL DEFAULT '0' COMMENT 'epoch ms',
  `trigger_next_time`         bigint(13)   NOT NULL DEFAULT '0' COMMENT 'epoch ms',
  PRIMARY KEY (`id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
--bun:split
CREATE TABLE `xxl_job_logglue` (
  `id`          int(11)      NOT NULL AUTO_INCREMENT,
  `job_id`      int(11)      NOT NULL COMMENT 'xxl_job_info.id',
  `glue_type`   varchar(50)  DEFAULT NULL,
  `glue_source` mediumtext,
  `glue_remark` varchar(128) NOT NULL,
  `add_time`    datetime DEFAULT NULL,
  `update_time` datetime DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
--bun:split
CREATE TABLE `xxl_job_log` (
  `id`                        bigint(20)   NOT NULL AUTO_INCREMENT,
  `job_group`                 int(11)      NOT NULL COMMENT 'xxl_job_group.id',
  `job_id`                    int(11)      NOT NULL COMMENT 'xxl_job_info.id',
  `executor_address`          varchar(255) DEFAULT NULL COMMENT 'address this trigger called',
  `executor_handler`          varchar(255) DEFAULT NULL,
  `executor_param`            text         DEFAULT NULL,
  `executor_sharding_param`   varchar(20)  DEFAULT NULL COMMENT 'index/total',
  `executor_fail_retry_count` int(11)      NOT NULL DEFAULT '0',
  `trigger_time`              datetime DEFAULT NULL,
  `trigger_code`              int(11)      NOT NULL,
  `trigger_msg`               text,
  `handle_time`               datetime DEFAULT NULL,
  `handle_code`               int(11)      NOT NULL,
  `handle_msg`                text,
  `alarm_status`              tinyint(4)   NOT NULL DEFAULT '0' COMMENT '0 default, 1 no need, 2 sent, 3 failed',
  PRIMARY KEY (`id`),
  KEY `I_trigger_time` (`trigger_time`),
  KEY `I_handle_code` (`handle_code`),
  KEY `I_jobgroup` (`job_group`),
  KEY `I_jobid` (`job_id`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
--bun:split
CREATE TABLE `xxl_job_log_report` (
  `id`            int(11) NOT NULL AUTO_INCREMENT,
  `trigger_day`   datetime DEFAULT NULL,
  `running_count` int(11) NOT NULL DEFAULT '0',
  `suc_count`     int(11) NOT NULL DEFAULT '0',
  `fail_count`    int(11) NOT NULL DEFAULT '0',
  `update_time`   datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `i_trigger_day` (`trigger_day`) USING BTREE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
--bun:split
CREATE TABLE `xxl_job_lock` (
  `lock_name` varchar(50) NOT NULL,
  PRIMARY KEY (`lock_name`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
--bun:split
CREATE TABLE `xxl_job_user` (
  `id`         int(11)      NOT NULL AUTO_INCREMENT,
  `username`   varchar(50)  NOT NULL,
  `password`   varchar(100) NOT NULL COMMENT 'password hash',
  `token`      varchar(100) DEFAULT NULL COMMENT 'current login token',
  `role`       tinyint(4)   NOT NULL COMMENT '0 user, 1 admin',
  `permission` varchar(255) DEFAULT NULL COMMENT 'xxl_job_group ids, comma separated',
  PRIMARY KEY (`id`),
  UNIQUE KEY `i_username` (`username`) USING BTREE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
--bun:split
-- Seeds: the row the schedule lock locks, and a sample executor group. No
-- user: xjob's bootstrap creates the first admin with a random password.
INSERT INTO `xxl_job_lock` (`lock_name`) VALUES ('schedule_lock');
--bun:split
INSERT INTO `xxl_job_group` (`app_name`, `title`, `address_type`, `address_list`, `update_time`)
VALUES ('xxl-job-executor-sample', 'Sample executor', 0, NULL, {{.Now}});
