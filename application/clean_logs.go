package application

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/xjob-dev/xjob/ports"
)

// CleanOptions are the settings of CleanLogs.
type CleanOptions struct {
	// RetentionDays: logs triggered before today's midnight minus this many
	// days are deleted; 0 disables the cleanup. Upstream silently ignores
	// values below 3; xjob accepts any value from 1.
	RetentionDays int
	// Interval between cleanups (default 24 h; the first runs at start).
	Interval time.Duration
	// Location is the zone whose midnight counts (the admin's zone).
	Location *time.Location
	Logger   *slog.Logger
	Metrics  Metrics
}

func (o CleanOptions) withDefaults() CleanOptions {
	if o.Interval <= 0 {
		o.Interval = 24 * time.Hour
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	o.Logger = orLogger(o.Logger)
	o.Metrics = orMetrics(o.Metrics)
	return o
}

// CleanLogs deletes trigger logs past the retention period, once a day.
type CleanLogs struct {
	logs  ports.LogStore
	clock ports.Clock
	opts  CleanOptions
}

// NewCleanLogs returns the retention use case.
func NewCleanLogs(logs ports.LogStore, clock ports.Clock, opts CleanOptions) *CleanLogs {
	if logs == nil || clock == nil {
		panic("application: NewCleanLogs: nil dependency")
	}
	return &CleanLogs{logs: logs, clock: clock, opts: opts.withDefaults()}
}

// Run cleans at start and then every Interval until ctx is done; it does
// nothing when the retention is disabled.
func (uc *CleanLogs) Run(ctx context.Context) {
	if uc.opts.RetentionDays <= 0 {
		return
	}
	l := loop{name: "clean-logs", period: uc.opts.Interval, timeout: time.Hour, logger: uc.opts.Logger, metrics: uc.opts.Metrics}
	l.run(ctx, func(ctx context.Context) (time.Duration, error) {
		_, err := uc.Clean(ctx)
		return 0, err
	})
}

// Clean deletes the logs past retention and returns how many. It is a
// no-op when retention is disabled.
func (uc *CleanLogs) Clean(ctx context.Context) (int, error) {
	if uc.opts.RetentionDays <= 0 {
		return 0, nil
	}
	now := uc.clock.Now()
	before := startOfDay(now.In(uc.opts.Location)).AddDate(0, 0, -uc.opts.RetentionDays)
	n, err := uc.logs.DeleteLogs(ctx, ports.ClearFilter{Before: before})
	if err != nil {
		return n, fmt.Errorf("delete logs before %s: %w", before.Format(time.DateOnly), err)
	}
	if n > 0 {
		uc.opts.Logger.Info("deleted logs past retention", "count", n, "before", before)
	}
	return n, nil
}
