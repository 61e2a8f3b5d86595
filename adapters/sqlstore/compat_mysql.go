package sqlstore

import (
	"context"
	"fmt"
)

// ensureCompat makes the additive changes xjob needs on an adopted
// pre-3.2 database (XXL-JOB 2.4 and 2.5) and reports them. Both leave the
// Java admin of that version working: its mapper names its columns
// explicitly, so it never sees token, and a wider password column only
// stores what it stored before.
//
//   - xxl_job_user.token (varchar(100) NULL) is added: xjob keeps the login
//     token there, as 3.2+ does.
//   - xxl_job_user.password is widened from varchar(50) to varchar(100),
//     keeping NOT NULL and its comment: xjob's bcrypt hashes are 60
//     characters.
//
// Deliberately left alone (documented in docs/storage.md): the non-unique
// registry index (a unique one could fail the 2.4 admin's plain INSERT in a
// race and cannot be built over the duplicates 2.4 databases hold),
// title varchar(12) and executor_param varchar(512) (longer values are
// rejected with EINVALID), and the missing I_jobgroup/I_jobid log indexes.
// It runs on every Open and does nothing once the columns are right.
func (db *DB) ensureCompat(ctx context.Context) ([]string, error) {
	var changes []string
	pw, err := db.column(ctx, "xxl_job_user", "password")
	if err != nil {
		return nil, err
	}
	if pw.exists && pw.maxLen > 0 && pw.maxLen < 100 {
		q := "ALTER TABLE xxl_job_user MODIFY COLUMN password varchar(100) NOT NULL"
		if pw.comment != "" {
			q += " COMMENT " + string(db.wr.Dialect().AppendString(nil, pw.comment))
		}
		if _, err := db.wr.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("widen xxl_job_user.password: %w", err)
		}
		changes = append(changes, fmt.Sprintf("widened xxl_job_user.password from varchar(%d) to varchar(100)", pw.maxLen))
	}
	tok, err := db.column(ctx, "xxl_job_user", "token")
	if err != nil {
		return nil, err
	}
	if !tok.exists {
		const q = "ALTER TABLE xxl_job_user ADD COLUMN token varchar(100) DEFAULT NULL COMMENT 'login token (added by xjob)'"
		if _, err := db.wr.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("add xxl_job_user.token: %w", err)
		}
		changes = append(changes, "added column xxl_job_user.token varchar(100) NULL")
	}
	return changes, nil
}

// lockMigrations serialises Migrate across processes sharing a MySQL
// database with a named lock held on one connection (released when the
// connection ends, so a crashed process never leaves it behind). SQLite
// needs none: one process owns the file.
func (db *DB) lockMigrations(ctx context.Context) (unlock func(), err error) {
	if db.engine != MySQL {
		return func() {}, nil
	}
	name := "xjob_migrate." + db.dbName
	if len(name) > 64 {
		name = name[:64]
	}
	conn, err := db.wr.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock migrations: %w", err)
	}
	var got *int
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 300)", name).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("lock migrations: %w", err)
	}
	if got == nil || *got != 1 {
		conn.Close()
		return nil, fmt.Errorf("lock migrations: another process holds lock %q (is another xjob migrating this database?)", name)
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", name)
		conn.Close()
	}, nil
}
