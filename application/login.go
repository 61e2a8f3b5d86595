package application

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// PasswordFlags remembers which operators must change their password before
// they may use the console: the generated first admin, accounts whose
// password an admin set, and accounts still on upstream's default password.
// xjob keeps these flags outside the upstream tables.
type PasswordFlags = ports.UserFlagStore

// defaultPasswords are upstream's seeded passwords; an account still using
// one must change it.
var defaultPasswords = map[string]bool{"123456": true}

// Login signs operators in and changes their passwords.
type Login struct {
	users  ports.UserStore
	hasher ports.PasswordHasher
	flags  PasswordFlags
	opts   ConsoleOptions

	dummyOnce sync.Once
	dummy     string
}

// NewLogin returns the sign-in use case.
func NewLogin(users ports.UserStore, hasher ports.PasswordHasher, flags PasswordFlags, opts ConsoleOptions) *Login {
	if users == nil || hasher == nil || flags == nil {
		panic("application.NewLogin: nil dependency")
	}
	return &Login{users: users, hasher: hasher, flags: flags, opts: opts}
}

// Authenticate checks a username and password. Returns EINVALID when either
// is blank and EUNAUTHORIZED (one message for both cases) when the user is
// unknown or the password wrong. A legacy MD5/SHA-256 hash is re-hashed
// with bcrypt only when ConsoleOptions.UpgradeLegacyPasswords is on.
func (l *Login) Authenticate(ctx context.Context, username, password string) (*domain.User, error) {
	username = strings.TrimSpace(username)
	if username == "" || password == "" {
		return nil, domain.KeyError(domain.EINVALID, "ui_err_login_empty", "Enter your username and password.")
	}
	invalid := domain.KeyError(domain.EUNAUTHORIZED, "ui_err_login_invalid", "Wrong username or password.")
	u, err := l.users.FindUserByUsername(ctx, username)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		// Spend the same time as a real check so response time does not
		// reveal which usernames exist.
		l.hasher.Verify(l.dummyHash(), password)
		return nil, invalid
	} else if err != nil {
		return nil, fmt.Errorf("find user %q: %w", username, err)
	}
	ok, legacy := l.hasher.Verify(u.Password, password)
	if !ok {
		return nil, invalid
	}
	if defaultPasswords[password] {
		if err := l.flags.SetMustChangePassword(ctx, u.ID, true); err != nil {
			return nil, fmt.Errorf("flag user %d: %w", u.ID, err)
		}
	}
	if legacy && l.opts.UpgradeLegacyPasswords {
		if hash, err := l.hasher.Hash(password); err == nil {
			u.Password = hash
			if err := l.users.UpdateUser(ctx, u); err != nil {
				return nil, fmt.Errorf("upgrade password of user %d: %w", u.ID, err)
			}
		}
	}
	return u, nil
}

func (l *Login) dummyHash() string {
	l.dummyOnce.Do(func() {
		l.dummy, _ = l.hasher.Hash("xjob-timing-equaliser")
	})
	return l.dummy
}

// MustChangePassword reports whether the user has to change the password
// before using the console.
func (l *Login) MustChangePassword(ctx context.Context, userID int64) (bool, error) {
	return l.flags.MustChangePassword(ctx, userID)
}

// ChangePassword replaces the user's own password after checking the old
// one, and clears the must-change flag. Returns FieldErrors.
func (l *Login) ChangePassword(ctx context.Context, userID int64, oldPassword, newPassword, confirm string) error {
	u, err := l.users.FindUserByID(ctx, userID)
	if err != nil {
		return fmt.Errorf("find user %d: %w", userID, err)
	}
	var fe FieldErrors
	if ok, _ := l.hasher.Verify(u.Password, oldPassword); !ok {
		fe.add("oldPassword", "ui_err_old_password", "The current password is wrong.", nil)
	}
	newPassword = strings.TrimSpace(newPassword)
	checkPassword(&fe, "password", newPassword)
	if newPassword != "" && newPassword == strings.TrimSpace(oldPassword) {
		fe.add("password", "ui_err_password_same", "Choose a password different from the current one.", nil)
	} else if defaultPasswords[newPassword] {
		fe.add("password", "ui_err_password_default", "This well-known default password is not allowed.", nil)
	}
	if strings.TrimSpace(confirm) != newPassword {
		fe.add("confirm", "ui_err_password_mismatch", "The two passwords differ.", nil)
	}
	if err := fe.err(); err != nil {
		return err
	}
	hash, err := l.hasher.Hash(newPassword)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	u.Password = hash
	if err := l.users.UpdateUser(ctx, u); err != nil {
		return fmt.Errorf("update password of user %d: %w", userID, err)
	}
	if err := l.flags.SetMustChangePassword(ctx, userID, false); err != nil {
		return fmt.Errorf("unflag user %d: %w", userID, err)
	}
	return nil
}
