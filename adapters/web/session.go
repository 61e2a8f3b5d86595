package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// Sessions are kept server-side in xxl_job_user.token, the column upstream
// uses for its login signature, so they survive restarts and work across
// several admin nodes. The cookie holds "<userID>.<secret>" with a 256-bit
// random secret; the column holds, for up to maxSessionsPerUser sessions,
// the expiry and a hash of each secret:
//
//	x2|<expiry base36>:<first 16 hex of sha256(secret)>|...
//
// A stolen database row therefore reveals no usable cookie. Signing out
// removes the entry; a password change removes all of them. On a 2.4 schema
// (no token column, UpdateUserToken is a no-op) the same records are kept in
// memory instead, which is detected on the first sign-in.
const (
	tokenPrefix        = "x2"
	maxSessionsPerUser = 3
)

// sessionStore creates, checks and removes sessions.
type sessionStore struct {
	users ports.UserStore
	now   func() time.Time

	mu       sync.Mutex
	memory   map[int64]string // userID → encoded records, when the column is missing
	noColumn bool
}

func newSessionStore(users ports.UserStore, now func() time.Time) *sessionStore {
	return &sessionStore{users: users, now: now, memory: map[int64]string{}}
}

type sessionRecord struct {
	expiry int64  // unix seconds
	hash   string // 16 hex chars
}

func parseRecords(token string) []sessionRecord {
	parts := strings.Split(token, "|")
	if len(parts) == 0 || parts[0] != tokenPrefix {
		return nil
	}
	var out []sessionRecord
	for _, p := range parts[1:] {
		exp, h, ok := strings.Cut(p, ":")
		if !ok || len(h) != 16 {
			continue
		}
		e, err := strconv.ParseInt(exp, 36, 64)
		if err != nil {
			continue
		}
		out = append(out, sessionRecord{expiry: e, hash: h})
	}
	return out
}

func formatRecords(recs []sessionRecord) string {
	if len(recs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(tokenPrefix)
	for _, r := range recs {
		b.WriteString("|")
		b.WriteString(strconv.FormatInt(r.expiry, 36))
		b.WriteString(":")
		b.WriteString(r.hash)
	}
	return b.String()
}

func secretHash(secret string) string {
	sum := sha256.Sum256([]byte("xjob-session:" + secret))
	return hex.EncodeToString(sum[:8])
}

// Session is a signed-in request's session.
type Session struct {
	User   *domain.User
	Secret string // the cookie's secret; CSRF tokens derive from it
	Expiry time.Time
}

// errNoSession means the cookie is absent, malformed, unknown or expired.
var errNoSession = errors.New("no session")

func randomSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session for u lasting ttl and returns the cookie value.
// The user's other live sessions are kept unless only is set; the oldest
// beyond maxSessionsPerUser are dropped.
func (s *sessionStore) create(ctx context.Context, u *domain.User, ttl time.Duration, only bool) (string, time.Time, error) {
	secret := randomSecret()
	now := s.now()
	expiry := now.Add(ttl).Truncate(time.Second)
	var recs []sessionRecord
	if !only {
		recs = s.liveRecords(s.tokenOf(u), now)
	}
	recs = append(recs, sessionRecord{expiry: expiry.Unix(), hash: secretHash(secret)})
	if len(recs) > maxSessionsPerUser {
		recs = recs[len(recs)-maxSessionsPerUser:]
	}
	if err := s.store(ctx, u.ID, formatRecords(recs)); err != nil {
		return "", time.Time{}, err
	}
	return strconv.FormatInt(u.ID, 10) + "." + secret, expiry, nil
}

// lookup returns the session of a cookie value.
func (s *sessionStore) lookup(ctx context.Context, cookie string) (*Session, error) {
	idStr, secret, ok := strings.Cut(cookie, ".")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if !ok || err != nil || id <= 0 || len(secret) < 32 {
		return nil, errNoSession
	}
	u, err := s.users.FindUserByID(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, errNoSession
	} else if err != nil {
		return nil, err
	}
	want := secretHash(secret)
	now := s.now().Unix()
	for _, r := range parseRecords(s.tokenOf(u)) {
		if subtle.ConstantTimeCompare([]byte(r.hash), []byte(want)) == 1 && r.expiry > now {
			return &Session{User: u, Secret: secret, Expiry: time.Unix(r.expiry, 0)}, nil
		}
	}
	return nil, errNoSession
}

// remove ends one session (sign-out).
func (s *sessionStore) remove(ctx context.Context, sess *Session) error {
	h := secretHash(sess.Secret)
	var keep []sessionRecord
	for _, r := range s.liveRecords(s.tokenOf(sess.User), s.now()) {
		if r.hash != h {
			keep = append(keep, r)
		}
	}
	return s.store(ctx, sess.User.ID, formatRecords(keep))
}

func (s *sessionStore) liveRecords(token string, now time.Time) []sessionRecord {
	var out []sessionRecord
	for _, r := range parseRecords(token) {
		if r.expiry > now.Unix() {
			out = append(out, r)
		}
	}
	return out
}

// tokenOf returns the user's session records from the column, or from
// memory on a schema without the column.
func (s *sessionStore) tokenOf(u *domain.User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noColumn {
		return s.memory[u.ID]
	}
	return u.Token
}

func (s *sessionStore) store(ctx context.Context, userID int64, token string) error {
	s.mu.Lock()
	noColumn := s.noColumn
	if noColumn {
		s.memory[userID] = token
	}
	s.mu.Unlock()
	if noColumn {
		return nil
	}
	if err := s.users.UpdateUserToken(ctx, userID, token); err != nil {
		return err
	}
	if token == "" {
		return nil
	}
	// A 2.4 schema has no token column: the write is a no-op. Detect it once
	// and keep sessions in memory from then on.
	u, err := s.users.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	if u.Token != token {
		s.mu.Lock()
		s.noColumn = true
		s.memory[userID] = token
		s.mu.Unlock()
	}
	return nil
}
