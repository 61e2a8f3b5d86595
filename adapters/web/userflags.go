package web

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/application"
)

var (
	_ application.PasswordFlags = (*SQLUserFlags)(nil)
	_ application.PasswordFlags = (*MemoryUserFlags)(nil)
)

// SQLUserFlags keeps application.PasswordFlags in xjob's own table
// xjob_user_flags (created by migrations/*/20260615000001_xjob_user_flags),
// never in an upstream table. A row means "must change password". The SQL
// is plain enough for MySQL, MariaDB and SQLite.
type SQLUserFlags struct {
	db  *sql.DB
	now func() time.Time
}

// NewSQLUserFlags returns flags stored in db.
func NewSQLUserFlags(db *sql.DB) *SQLUserFlags {
	if db == nil {
		panic("web.NewSQLUserFlags: nil db")
	}
	return &SQLUserFlags{db: db, now: time.Now}
}

// MustChangePassword implements application.PasswordFlags.
func (f *SQLUserFlags) MustChangePassword(ctx context.Context, userID int64) (bool, error) {
	var n int
	err := f.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM xjob_user_flags WHERE user_id = ? AND must_change_password = 1", userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read xjob_user_flags: %w", err)
	}
	return n > 0, nil
}

// SetMustChangePassword implements application.PasswordFlags.
func (f *SQLUserFlags) SetMustChangePassword(ctx context.Context, userID int64, must bool) error {
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write xjob_user_flags: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM xjob_user_flags WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("write xjob_user_flags: %w", err)
	}
	if must {
		if _, err := tx.ExecContext(ctx, "INSERT INTO xjob_user_flags (user_id, must_change_password, update_time) VALUES (?, 1, ?)",
			userID, f.now().UTC().Format(time.DateTime)); err != nil {
			return fmt.Errorf("write xjob_user_flags: %w", err)
		}
	}
	return tx.Commit()
}

// MemoryUserFlags keeps application.PasswordFlags in memory (tests, and a
// fallback when no database handle is at hand).
type MemoryUserFlags struct {
	mu    sync.Mutex
	users map[int64]bool
}

// NewMemoryUserFlags returns empty in-memory flags.
func NewMemoryUserFlags() *MemoryUserFlags { return &MemoryUserFlags{users: map[int64]bool{}} }

// MustChangePassword implements application.PasswordFlags.
func (f *MemoryUserFlags) MustChangePassword(_ context.Context, userID int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.users[userID], nil
}

// SetMustChangePassword implements application.PasswordFlags.
func (f *MemoryUserFlags) SetMustChangePassword(_ context.Context, userID int64, must bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if must {
		f.users[userID] = true
	} else {
		delete(f.users, userID)
	}
	return nil
}
