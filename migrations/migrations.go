// Package migrations holds xjob's database schema as embedded SQL files, one
// folder per dialect, in the file layout bun/migrate discovers
// (<version>_<name>.up.sql, statements separated by "--bun:split" lines).
// Both folders hold the same versions. SQLite files may be .tx.up.sql (SQLite
// DDL is transactional); MySQL DDL commits itself, so MySQL files are plain.
// Files are text/templates: {{.Now}} is the current time as an SQL literal in
// the store's DATETIME convention.
//
// The first migration (Base) creates the XXL-JOB 3.4.2 tables exactly as the
// upstream script does, plus the seed rows xjob needs on an empty database
// (the schedule_lock row and a sample executor group; no default user).
// Later migrations only create xjob's own tables (prefixed xjob_); they never
// alter an upstream table, so a Java admin can share the database.
//
// adapters/sqlstore runs these files with bun/migrate and decides, when it
// finds an existing XXL-JOB database, to mark Base as applied instead of
// running it. This package imports only the standard library.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed mysql/*.sql sqlite/*.sql
var files embed.FS

// Base is the version of the migration that creates the upstream XXL-JOB
// tables and seeds them. An adopted database gets it marked as applied.
const Base = "20260601000001"

// MySQL returns the migrations for MySQL and MariaDB.
func MySQL() fs.FS { return sub("mysql") }

// SQLite returns the migrations for SQLite.
func SQLite() fs.FS { return sub("sqlite") }

// UpstreamTables lists the tables of the XXL-JOB 3.4.2 schema that Base
// creates. xjob never changes their definition on a database it created.
var UpstreamTables = []string{
	"xxl_job_group",
	"xxl_job_registry",
	"xxl_job_info",
	"xxl_job_logglue",
	"xxl_job_log",
	"xxl_job_log_report",
	"xxl_job_lock",
	"xxl_job_user",
}

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded; this cannot happen
	}
	return f
}
