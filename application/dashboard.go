package application

import (
	"context"
	"fmt"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// DashboardSummary are the dashboard's headline counts.
type DashboardSummary struct {
	Jobs      int // job definitions
	Runs      int // runs in the report table
	Successes int // successful runs in the report table
	Executors int // distinct executor addresses over all groups
}

// DayCounts are one day of the run chart.
type DayCounts struct {
	Day                    time.Time // 00:00 of the day
	Success, Fail, Running int
}

// MaxChartDays bounds the chart's date range.
const MaxChartDays = 366

// Dashboard computes the dashboard's counts and chart.
type Dashboard struct {
	jobs    ports.JobStore
	groups  ports.GroupStore
	reports ports.ReportStore
	clock   ports.Clock
	opts    ConsoleOptions
}

// NewDashboard returns the dashboard use case.
func NewDashboard(jobs ports.JobStore, groups ports.GroupStore, reports ports.ReportStore, clock ports.Clock, opts ConsoleOptions) *Dashboard {
	if jobs == nil || groups == nil || reports == nil || clock == nil {
		panic("application.NewDashboard: nil dependency")
	}
	return &Dashboard{jobs: jobs, groups: groups, reports: reports, clock: clock, opts: opts}
}

// Summary returns the headline counts.
func (uc *Dashboard) Summary(ctx context.Context) (DashboardSummary, error) {
	var s DashboardSummary
	var err error
	if s.Jobs, err = uc.jobs.CountJobs(ctx, 0); err != nil {
		return s, fmt.Errorf("count jobs: %w", err)
	}
	totals, err := uc.reports.LogReportTotals(ctx)
	if err != nil {
		return s, fmt.Errorf("report totals: %w", err)
	}
	s.Runs = totals.Running + totals.Success + totals.Fail
	s.Successes = totals.Success
	groups, err := uc.groups.AllGroups(ctx)
	if err != nil {
		return s, fmt.Errorf("list groups: %w", err)
	}
	seen := map[string]bool{}
	for _, g := range groups {
		for _, a := range g.Addresses() {
			seen[a] = true
		}
	}
	s.Executors = len(seen)
	return s, nil
}

// DefaultRange is the chart's default: the last seven days up to today.
func (uc *Dashboard) DefaultRange() (from, to time.Time) {
	today := startOfDay(uc.clock.Now().In(uc.opts.location()))
	return today.AddDate(0, 0, -6), today
}

// Chart returns one entry per day from `from` to `to` (inclusive, dates
// only), days without a report row counting zero. The range is swapped if
// reversed and cut to MaxChartDays ending at `to`.
func (uc *Dashboard) Chart(ctx context.Context, from, to time.Time) ([]DayCounts, error) {
	loc := uc.opts.location()
	from, to = startOfDay(from.In(loc)), startOfDay(to.In(loc))
	if to.Before(from) {
		from, to = to, from
	}
	if limit := to.AddDate(0, 0, -(MaxChartDays - 1)); from.Before(limit) {
		from = limit
	}
	rows, err := uc.reports.FindLogReports(ctx, from, to.AddDate(0, 0, 1).Add(-time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("log reports: %w", err)
	}
	byDay := map[string]*domain.LogReport{}
	for _, r := range rows {
		byDay[r.TriggerDay.In(loc).Format(time.DateOnly)] = r
	}
	var out []DayCounts
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		c := DayCounts{Day: d}
		if r := byDay[d.Format(time.DateOnly)]; r != nil {
			c.Success, c.Fail, c.Running = r.SucCount, r.FailCount, r.RunningCount
		}
		out = append(out, c)
	}
	return out, nil
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
