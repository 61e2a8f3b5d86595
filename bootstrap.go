package xjob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// tokenFile is where a generated access token is kept, under the data dir.
const tokenFile = "access-token"

// Secrets are what the first start generated and must show the operator once.
type Secrets struct {
	AccessToken      string
	TokenGenerated   bool
	AdminUser        string
	AdminPassword    string // set only when the admin was created now
	AdminID          int64
	AdminNeedsChange bool // the password was generated, not chosen
}

// randomHex returns n random bytes, hex encoded.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// ensureAccessToken returns the configured token, or the one kept in the data
// directory, or generates, keeps and returns a new one.
func ensureAccessToken(cfg *Config, s *Secrets) error {
	if cfg.AccessToken != "" {
		s.AccessToken = cfg.AccessToken
		return nil
	}
	path := filepath.Join(cfg.DataDir, tokenFile)
	b, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(b)) != "" {
		s.AccessToken = strings.TrimSpace(string(b))
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--data-dir: read %s: %w", path, err)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("--data-dir: %w", err)
	}
	s.AccessToken = randomHex(24)
	s.TokenGenerated = true
	if err := os.WriteFile(path, []byte(s.AccessToken+"\n"), 0o600); err != nil {
		return fmt.Errorf("--data-dir: keep access token: %w", err)
	}
	return nil
}

// ensureAdmin creates the admin user on a database without users. A
// password not chosen by the operator is random and must be changed at the
// first sign-in.
func ensureAdmin(ctx context.Context, cfg *Config, users ports.UserStore, hasher ports.PasswordHasher, s *Secrets) error {
	n, err := users.CountUsers(ctx)
	if err != nil {
		return fmt.Errorf("count users: %w", err)
	}
	if n > 0 {
		return nil
	}
	pw := cfg.AdminPassword
	if pw == "" {
		pw = randomHex(9)
		s.AdminNeedsChange = true
	}
	hash, err := hasher.Hash(pw)
	if err != nil {
		return fmt.Errorf("hash admin password: %w", err)
	}
	u := &domain.User{Username: "admin", Password: hash, Role: domain.RoleAdmin}
	if err := users.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("create admin user: %w", err)
	}
	s.AdminUser, s.AdminPassword, s.AdminID = u.Username, pw, u.ID
	return nil
}
