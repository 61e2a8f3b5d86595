package web

import (
	"strings"
	"sync"
	"time"
)

// loginLimiter counts failed sign-ins per client IP and username and per
// IP alone within a sliding window. It is in memory: each admin node limits
// on its own, which is enough to make password guessing slow.
type loginLimiter struct {
	mu          sync.Mutex
	perUser     int
	perIP       int
	window      time.Duration
	failures    map[string][]time.Time
	lastCleanup time.Time
}

func newLoginLimiter(perUser, perIP int, window time.Duration) *loginLimiter {
	return &loginLimiter{perUser: perUser, perIP: perIP, window: window, failures: map[string][]time.Time{}}
}

func userKey(ip, username string) string {
	return "u|" + ip + "|" + strings.ToLower(strings.TrimSpace(username))
}
func ipKey(ip string) string { return "i|" + ip }

// allowed reports whether another attempt may be made now.
func (l *loginLimiter) allowed(ip, username string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cleanup(now)
	return len(l.recent(userKey(ip, username), now)) < l.perUser && len(l.recent(ipKey(ip), now)) < l.perIP
}

// fail records a failed attempt.
func (l *loginLimiter) fail(ip, username string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range []string{userKey(ip, username), ipKey(ip)} {
		l.failures[k] = append(l.recent(k, now), now)
	}
}

// succeed forgets the failures of this IP and username.
func (l *loginLimiter) succeed(ip, username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, userKey(ip, username))
}

func (l *loginLimiter) recent(k string, now time.Time) []time.Time {
	ts := l.failures[k]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	if i == len(ts) {
		delete(l.failures, k)
		return nil
	}
	ts = ts[i:]
	l.failures[k] = ts
	return ts
}

func (l *loginLimiter) cleanup(now time.Time) {
	if now.Sub(l.lastCleanup) < l.window {
		return
	}
	l.lastCleanup = now
	for k := range l.failures {
		l.recent(k, now)
	}
}
