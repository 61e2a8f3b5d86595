package web

import (
	"context"
	"sync"

	"github.com/xjob-dev/xjob/application"
)

var _ application.PasswordFlags = (*MemoryUserFlags)(nil)

// MemoryUserFlags keeps application.PasswordFlags in memory, for tests;
// the admin keeps them in the database (sqlstore.UserFlagStore).
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
