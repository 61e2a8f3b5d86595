package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/uptrace/bun/migrate"

	"github.com/xjob-dev/xjob/migrations"
)

// bun/migrate's bookkeeping tables, prefixed so they never collide with
// upstream names.
const (
	migrationsTable     = "xjob_migrations"
	migrationLocksTable = "xjob_migration_locks"
)

// SchemaInfo describes the schema Open found and what it did to it, for the
// startup log.
type SchemaInfo struct {
	Engine Engine
	// Created is true when this Open created the schema in an empty database.
	Created bool
	// Adopted is true when this Open took over an existing XXL-JOB database:
	// its tables were kept as they are and only xjob's own tables were added
	// (plus Changes).
	Adopted bool
	// Upstream is the XXL-JOB schema family: "2.4" for a database whose
	// xxl_job_registry index i_g_k_v is not unique (XXL-JOB up to 2.4.x),
	// "3.4" otherwise (2.5 and later, and every database xjob creates).
	Upstream string
	// Changes lists the changes made to upstream tables by this Open; only
	// adopting a pre-3.2 database makes any (see ensureCompat).
	Changes []string
	// ScheduleLockMissing is true when xxl_job_lock has no 'schedule_lock'
	// row: the scheduler then refuses to run (WithScheduleLock returns
	// EUNAVAILABLE). xjob creates the row only in a database it creates.
	ScheduleLockMissing bool
}

// String summarises the schema for a log line, e.g.
// "adopted XXL-JOB 2.4 database (mysql); changed: added column xxl_job_user.token".
func (s SchemaInfo) String() string {
	var b strings.Builder
	switch {
	case s.Created:
		fmt.Fprintf(&b, "created xjob database (%s, XXL-JOB %s schema)", s.Engine, s.Upstream)
	case s.Adopted:
		fmt.Fprintf(&b, "adopted XXL-JOB %s database (%s)", s.Upstream, s.Engine)
	default:
		fmt.Fprintf(&b, "opened xjob database (%s, XXL-JOB %s schema)", s.Engine, s.Upstream)
	}
	if len(s.Changes) > 0 {
		b.WriteString("; changed: " + strings.Join(s.Changes, "; "))
	}
	if s.ScheduleLockMissing {
		b.WriteString("; WARNING: xxl_job_lock has no 'schedule_lock' row, scheduling is disabled until it is inserted")
	}
	return b.String()
}

// Schema returns what Open found; see SchemaInfo.
func (db *DB) Schema() SchemaInfo { return db.schema }

// Migrate brings the schema up to date; Open calls it. On a database without
// xjob's bookkeeping it decides between:
//
//   - empty (no upstream table): run every migration, seeds included;
//   - every upstream table present: adopt it — mark the base migration as
//     applied without running it, create only xjob's own tables, and on
//     MySQL make the additive changes ensureCompat lists;
//   - some upstream tables only: refuse, naming the missing ones.
//
// It is idempotent and, on MySQL, serialised across processes with GET_LOCK.
func (db *DB) Migrate(ctx context.Context) error {
	unlock, err := db.lockMigrations(ctx)
	if err != nil {
		return err
	}
	defer unlock()

	ms := migrate.NewMigrations()
	if err := ms.Discover(db.migrationFiles()); err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	m := migrate.NewMigrator(db.wr, ms,
		migrate.WithTableName(migrationsTable),
		migrate.WithLocksTableName(migrationLocksTable),
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(map[string]string{"Now": string(db.wr.Dialect().AppendTime(nil, db.now()))}),
	)
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("create %s: %w", migrationsTable, err)
	}
	applied, err := m.AppliedMigrations(ctx)
	if err != nil {
		return fmt.Errorf("read %s: %w", migrationsTable, err)
	}
	info := SchemaInfo{Engine: db.engine}
	if !slices.ContainsFunc(applied, func(a migrate.Migration) bool { return a.Name == migrations.Base }) {
		adopt, err := db.detectExisting(ctx)
		if err != nil {
			return err
		}
		if adopt {
			if err := m.MarkApplied(ctx, &migrate.Migration{Name: migrations.Base, GroupID: 1}); err != nil {
				return fmt.Errorf("mark base migration applied: %w", err)
			}
			info.Adopted = true
		} else {
			info.Created = true
		}
	}
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	if db.engine == MySQL {
		if info.Changes, err = db.ensureCompat(ctx); err != nil {
			return err
		}
	}
	// The Java admin deletes jobs without knowing about xjob_job_ext.
	if _, err := db.wr.NewRaw("DELETE FROM xjob_job_ext WHERE job_id NOT IN (SELECT id FROM xxl_job_info)").Exec(ctx); err != nil {
		return fmt.Errorf("prune xjob_job_ext: %w", err)
	}
	db.schema = info
	return db.inspect(ctx)
}

// detectExisting reports whether the database already holds the upstream
// tables (adopt) or none of them (create); anything in between is an error.
func (db *DB) detectExisting(ctx context.Context) (adopt bool, err error) {
	tables, err := db.tableNames(ctx)
	if err != nil {
		return false, err
	}
	var present, missing []string
	for _, t := range migrations.UpstreamTables {
		if tables[t] {
			present = append(present, t)
		} else {
			missing = append(missing, t)
		}
	}
	switch {
	case len(present) == 0:
		return false, nil
	case len(missing) > 0:
		return false, fmt.Errorf("the database has XXL-JOB tables %s but not %s: "+
			"not a complete XXL-JOB 2.4/3.x schema (an interrupted first start?); "+
			"restore the missing tables or use an empty database",
			strings.Join(present, ", "), strings.Join(missing, ", "))
	}
	for _, c := range [][2]string{{"xxl_job_group", "title"}, {"xxl_job_info", "job_desc"}} {
		col, err := db.column(ctx, c[0], c[1])
		if err != nil {
			return false, err
		}
		if !col.exists {
			return false, fmt.Errorf("the XXL-JOB tables have no column %s.%s: "+
				"XXL-JOB 3.5 (unreleased) renamed it and is not supported yet", c[0], c[1])
		}
	}
	return true, nil
}

// inspect fills the facts the stores and the startup log need.
func (db *DB) inspect(ctx context.Context) error {
	db.schema.Engine = db.engine
	tables, err := db.tableNames(ctx)
	if err != nil {
		return err
	}
	db.userToken = true
	if tables["xxl_job_user"] {
		col, err := db.column(ctx, "xxl_job_user", "token")
		if err != nil {
			return err
		}
		db.userToken = col.exists
	}
	db.schema.Upstream = "3.4"
	if db.engine == MySQL && tables["xxl_job_registry"] {
		var nonUnique []int
		err := db.rd.NewRaw(`SELECT NON_UNIQUE FROM information_schema.STATISTICS
			WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'xxl_job_registry' AND INDEX_NAME = 'i_g_k_v'`).Scan(ctx, &nonUnique)
		if err != nil {
			return fmt.Errorf("inspect xxl_job_registry indexes: %w", err)
		}
		if len(nonUnique) == 0 || nonUnique[0] != 0 {
			db.schema.Upstream = "2.4"
		}
	}
	db.schema.ScheduleLockMissing = true
	if tables["xxl_job_lock"] {
		var n int
		if err := db.rd.NewRaw("SELECT COUNT(*) FROM xxl_job_lock WHERE lock_name = ?", scheduleLockName).Scan(ctx, &n); err != nil {
			return fmt.Errorf("inspect xxl_job_lock: %w", err)
		}
		db.schema.ScheduleLockMissing = n == 0
	}
	return nil
}

func (db *DB) migrationFiles() fs.FS {
	if db.engine == MySQL {
		return migrations.MySQL()
	}
	return migrations.SQLite()
}

// columnInfo describes one column of an existing table.
type columnInfo struct {
	exists  bool
	maxLen  int    // CHARACTER_MAXIMUM_LENGTH (MySQL)
	comment string // COLUMN_COMMENT (MySQL)
}

// tableNames lists the tables of the current database.
func (db *DB) tableNames(ctx context.Context) (map[string]bool, error) {
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if db.engine == MySQL {
		q = "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
	}
	var names []string
	if err := db.wr.NewRaw(q).Scan(ctx, &names); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}

// column describes table.name; exists is false when there is no such column.
func (db *DB) column(ctx context.Context, table, name string) (columnInfo, error) {
	if db.engine == SQLite {
		var n int
		err := db.wr.NewRaw("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?", table, name).Scan(ctx, &n)
		if err != nil {
			return columnInfo{}, fmt.Errorf("inspect %s.%s: %w", table, name, err)
		}
		return columnInfo{exists: n > 0}, nil
	}
	var rows []struct {
		MaxLen  *int   `bun:"max_len"`
		Comment string `bun:"comment"`
	}
	err := db.wr.NewRaw(`SELECT CHARACTER_MAXIMUM_LENGTH AS max_len, COLUMN_COMMENT AS comment
		FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?`, table, name).Scan(ctx, &rows)
	if err != nil {
		return columnInfo{}, fmt.Errorf("inspect %s.%s: %w", table, name, err)
	}
	if len(rows) == 0 {
		return columnInfo{}, nil
	}
	c := columnInfo{exists: true, comment: rows[0].Comment}
	if rows[0].MaxLen != nil {
		c.maxLen = *rows[0].MaxLen
	}
	return c, nil
}
