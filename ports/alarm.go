package ports

import (
	"context"

	"github.com/xjob-dev/xjob/domain"
)

// Alarm describes one failed run to report.
type Alarm struct {
	Job   *domain.JobInfo
	Group *domain.Group // nil if the group is gone
	Log   *domain.JobLog
	// Suppressed counts the job's failures not alarmed since the last alarm
	// because of the rate limit.
	Suppressed int
}

// Alarmer sends an alarm on one or more channels. It returns nil when every
// channel that applies to the job succeeded, or when none applies.
type Alarmer interface {
	Alarm(ctx context.Context, a Alarm) error
}
