package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/ports"
)

// UserFlagStore implements ports.UserFlagStore on xjob's own table
// xjob_user_flags (migrations/*/20260615000001_xjob_user_flags), never on
// an upstream table. A row means "must change password".
type UserFlagStore struct {
	db     *DB
	rd, wr bun.IDB
}

var _ ports.UserFlagStore = (*UserFlagStore)(nil)

// NewUserFlagStore returns a UserFlagStore on db.
func NewUserFlagStore(db *DB) *UserFlagStore { return &UserFlagStore{db: db, rd: db.rd, wr: db.wr} }

// MustChangePassword reports whether the user is flagged.
func (s *UserFlagStore) MustChangePassword(ctx context.Context, userID int64) (bool, error) {
	var n int
	err := s.rd.NewRaw("SELECT COUNT(*) FROM xjob_user_flags WHERE user_id = ? AND must_change_password = 1", userID).
		Scan(ctx, &n)
	if err != nil {
		return false, dbErr(err, "read xjob_user_flags of user %d", userID)
	}
	return n > 0, nil
}

// SetMustChangePassword sets or clears the flag.
func (s *UserFlagStore) SetMustChangePassword(ctx context.Context, userID int64, must bool) error {
	err := s.wr.RunInTx(ctx, &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("DELETE FROM xjob_user_flags WHERE user_id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		if !must {
			return nil
		}
		_, err := tx.NewRaw("INSERT INTO xjob_user_flags (user_id, must_change_password, update_time) VALUES (?, 1, ?)",
			userID, time.Now().UTC().Format(time.DateTime)).Exec(ctx)
		return err
	})
	return dbErr(err, "write xjob_user_flags of user %d", userID)
}
