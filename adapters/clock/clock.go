// Package clock provides ports.Clock implementations: System for production
// and Manual for tests that need to move time by hand.
package clock

import (
	"sync"
	"time"

	"github.com/xjob-dev/xjob/ports"
)

var (
	_ ports.Clock = System{}
	_ ports.Clock = (*Manual)(nil)
)

// System reads the machine's clock.
type System struct{}

// Now returns the current local time.
func (System) Now() time.Time { return time.Now() }

// Manual is a clock that only moves when told to. It is safe for concurrent use.
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// NewManual returns a clock stopped at t.
func NewManual(t time.Time) *Manual { return &Manual{t: t} }

// Now returns the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = t
}

// Advance moves the clock forward by d and returns the new time.
func (m *Manual) Advance(d time.Duration) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = m.t.Add(d)
	return m.t
}
