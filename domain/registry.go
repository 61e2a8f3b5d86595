package domain

import "time"

// Default registry timings (seconds): executors beat every BeatTimeout and
// are dead after DeadTimeout without one.
const (
	BeatTimeout = 30
	DeadTimeout = 90
)

// Registry is one heartbeat row of an executor (xxl_job_registry).
type Registry struct {
	ID         int64
	Group      RegistryGroup
	Key        string // app name
	Value      string // address, e.g. http://10.0.0.5:9999/
	UpdateTime time.Time
}

// IsAlive reports whether the row had a heartbeat within deadTimeout of now.
func (r *Registry) IsAlive(now time.Time, deadTimeout time.Duration) bool {
	return r.UpdateTime.After(now.Add(-deadTimeout))
}
