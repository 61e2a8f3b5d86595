package main

import (
	"context"
	"fmt"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// timer times one call (see RunLogs); a capped total is passed as -total.
type timer func(name string, reps int, fn func() (rows, total int, err error)) error

// consolePageSize is the log list's default page size.
const consolePageSize = 20

// timeLogPages times the log list as the console runs it, for each filter:
// the first page, a deep page (reached by the console's "older" cursor:
// the logs older than the 100 000th match, or the last page) and the page
// before that one ("newer" cursor). Each call is one LogStore.FindLogs
// with the store's default count and scan limits: the page and its total
// (capped at 10 000 by default, shown as "10,000+").
//
// The running filter uses the floor that the lost-run monitor keeps (see
// idFloor); an admin's monitor has made its passes a minute after start,
// so two passes run first. The same filter is also timed on a store
// without a floor.
func timeLogPages(ctx context.Context, db *sqlstore.DB, dsn string, end time.Time, timeIt timer) error {
	logs := sqlstore.NewLogStore(db)
	// Exact totals and cursors at a given depth, for setting up the deep
	// pages (not timed).
	exactDB, closeExact, err := sqlstore.Open(ctx, dsn, sqlstore.WithLocation(time.UTC), sqlstore.WithoutMigrate(),
		sqlstore.WithLogCountLimit(0), sqlstore.WithLogScanLimit(0))
	if err != nil {
		return err
	}
	defer closeExact()
	exact := sqlstore.NewLogStore(exactDB)
	for i := range 2 {
		if i > 0 {
			time.Sleep(2100 * time.Millisecond)
		}
		if _, err := logs.RunningLogs(ctx, end.Add(-10*time.Minute), 1000); err != nil {
			return err
		}
	}
	week, all := end.AddDate(0, 0, -7), domain.LogStatusAll
	pastDay := end.AddDate(0, 0, -10)
	filters := []struct {
		name  string
		f     ports.LogFilter
		store *sqlstore.LogStore
	}{
		{"all, last 7 days (an admin's default)", ports.LogFilter{From: week, Status: all}, logs},
		{"all", ports.LogFilter{Status: all}, logs},
		{"group", ports.LogFilter{GroupID: 3, Status: all}, logs},
		{"group+job", ports.LogFilter{GroupID: 3, JobID: 43, Status: all}, logs},
		{"group, last 7 days (a group's default)", ports.LogFilter{GroupID: 3, From: week, Status: all}, logs},
		{"group, one day 10 days ago", ports.LogFilter{GroupID: 3, From: pastDay, To: pastDay.Add(24 * time.Hour), Status: all}, logs},
		{"group+success", ports.LogFilter{GroupID: 3, Status: domain.LogStatusSuccess}, logs},
		{"group+fail", ports.LogFilter{GroupID: 3, Status: domain.LogStatusFail}, logs},
		{"group+running", ports.LogFilter{GroupID: 3, Status: domain.LogStatusRunning}, logs},
		{"group+running, no lost-run floor yet", ports.LogFilter{GroupID: 3, Status: domain.LogStatusRunning}, nil},
		{"fail, all groups", ports.LogFilter{Status: domain.LogStatusFail}, logs},
		{"group+job+fail, last 7 days", ports.LogFilter{GroupID: 3, JobID: 43, From: week, To: end, Status: domain.LogStatusFail}, logs},
	}
	for _, fl := range filters {
		store := fl.store
		if store == nil {
			store = sqlstore.NewLogStore(db) // a new store: no floor yet
		}
		if err := timeFilterPages(ctx, fl.name, fl.f, store, exact, timeIt); err != nil {
			return err
		}
	}
	return nil
}

// timeFilterPages times the first page of f, a deep page and the page
// before it; exact (no limits) finds the deep page's cursor.
func timeFilterPages(ctx context.Context, name string, f ports.LogFilter, logs, exact *sqlstore.LogStore, timeIt timer) error {
	f.Limit = consolePageSize
	call := func(f ports.LogFilter) func() (int, int, error) {
		return func() (int, int, error) {
			p, err := logs.FindLogs(ctx, f)
			if p.TotalCapped {
				return len(p.Logs), -p.Total, err
			}
			return len(p.Logs), p.Total, err
		}
	}
	if err := timeIt("log page 1: "+name, 20, call(f)); err != nil {
		return err
	}
	probe := f
	probe.Limit = 1
	p, err := exact.FindLogs(ctx, probe)
	if err != nil {
		return err
	}
	depth := min(100_000, p.Total-consolePageSize)
	if depth <= 0 {
		return nil
	}
	probe.Offset = depth - 1
	if p, err = exact.FindLogs(ctx, probe); err != nil || len(p.Logs) == 0 {
		return fmt.Errorf("%s: no log at depth %d: %v", name, depth, err)
	}
	deep := f
	deep.BeforeID = p.Logs[0].ID
	if err := timeIt(fmt.Sprintf("log page after %d logs (older cursor): %s", depth, name), 20, call(deep)); err != nil {
		return err
	}
	dp, err := logs.FindLogs(ctx, deep)
	if err != nil || dp.Newer == 0 {
		return err
	}
	back := f
	back.AfterID = dp.Newer
	return timeIt(fmt.Sprintf("log page before it (newer cursor): %s", name), 20, call(back))
}
