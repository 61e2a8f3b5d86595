-- xjob's own table (never an upstream one): operators who must change their
-- password before using the console, e.g. the generated first admin.
-- Written and read by adapters/web.SQLUserFlags.
CREATE TABLE IF NOT EXISTS xjob_user_flags (
  user_id int(11) NOT NULL,
  must_change_password tinyint(4) NOT NULL DEFAULT 0,
  update_time datetime NULL,
  PRIMARY KEY (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
