-- xjob's own table (never an upstream one): operators who must change their
-- password before using the console, e.g. the generated first admin.
-- Written and read by adapters/web.SQLUserFlags.
CREATE TABLE IF NOT EXISTS xjob_user_flags (
  user_id INTEGER NOT NULL PRIMARY KEY,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  update_time DATETIME NULL
);
