package ports

import "context"

// UserFlagStore keeps xjob's own per-user flags, outside the upstream
// tables (xjob_user_flags): today only "must change password", set on the
// generated first admin and on accounts still using a default password.
type UserFlagStore interface {
	// MustChangePassword reports whether the user is flagged.
	MustChangePassword(ctx context.Context, userID int64) (bool, error)
	// SetMustChangePassword sets or clears the flag.
	SetMustChangePassword(ctx context.Context, userID int64, must bool) error
}
