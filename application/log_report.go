package application

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// ReportOptions are the settings of ReportLogs.
type ReportOptions struct {
	// Interval between passes (default 60 s).
	Interval time.Duration
	// Location is the zone whose days the report counts (the admin's zone).
	Location *time.Location
	Logger   *slog.Logger
	Metrics  Metrics
}

func (o ReportOptions) withDefaults() ReportOptions {
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	o.Logger = orLogger(o.Logger)
	o.Metrics = orMetrics(o.Metrics)
	return o
}

// ReportLogs keeps the dashboard's per-day counts (xxl_job_log_report) up
// to date for today and the two days before, as upstream's
// JobLogReportHelper does.
type ReportLogs struct {
	logs    ports.LogStore
	reports ports.ReportStore
	clock   ports.Clock
	opts    ReportOptions
}

// NewReportLogs returns the log report use case.
func NewReportLogs(logs ports.LogStore, reports ports.ReportStore, clock ports.Clock, opts ReportOptions) *ReportLogs {
	if logs == nil || reports == nil || clock == nil {
		panic("application: NewReportLogs: nil dependency")
	}
	return &ReportLogs{logs: logs, reports: reports, clock: clock, opts: opts.withDefaults()}
}

// Run reports every Interval until ctx is done.
func (uc *ReportLogs) Run(ctx context.Context) {
	l := loop{name: "log-report", period: uc.opts.Interval, logger: uc.opts.Logger, metrics: uc.opts.Metrics}
	l.run(ctx, func(ctx context.Context) (time.Duration, error) {
		return untilNextMultiple(uc.clock.Now(), uc.opts.Interval), uc.Report(ctx)
	})
}

// Report recounts today and the two days before.
func (uc *ReportLogs) Report(ctx context.Context) error {
	now := uc.clock.Now().In(uc.opts.Location)
	today := startOfDay(now)
	for i := 0; i < 3; i++ {
		day := today.AddDate(0, 0, -i)
		end := day.AddDate(0, 0, 1).Add(-time.Millisecond)
		c, err := uc.logs.CountLogs(ctx, day, end)
		if err != nil {
			return fmt.Errorf("count logs of %s: %w", day.Format(time.DateOnly), err)
		}
		r := &domain.LogReport{TriggerDay: day, RunningCount: c.Running, SucCount: c.Success, FailCount: c.Fail, UpdateTime: now}
		if err := uc.reports.SaveLogReport(ctx, r); err != nil {
			return fmt.Errorf("save log report of %s: %w", day.Format(time.DateOnly), err)
		}
	}
	return nil
}
