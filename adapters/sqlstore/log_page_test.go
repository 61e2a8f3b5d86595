package sqlstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
	"github.com/xjob-dev/xjob/ports/porttest"
)

// TestLogLimits runs the capped-total and bounded-page contract on both
// engines, with limits small enough for a few dozen logs to reach them.
func TestLogLimits(t *testing.T) {
	lim := porttest.LogLimits{Count: 4, Scan: 5}
	opts := []sqlstore.Option{sqlstore.WithLogCountLimit(lim.Count), sqlstore.WithLogScanLimit(lim.Scan)}
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		porttest.RunLogLimitTests(t, func(t *testing.T) porttest.Stores { return stores(sqltest.MustOpenSQLite(t, opts...)) }, lim)
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		porttest.RunLogLimitTests(t, func(t *testing.T) porttest.Stores { return stores(sqltest.MustOpenMySQL(t, opts...)) }, lim)
	})
}

// TestLogListTimeRange checks time ranges wider than the exact bound on
// both engines: their id bounds come from the logs around them, and logs
// inserted out of trigger_time order (within minutes) are still found.
func TestLogListTimeRange(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		logs := sqlstore.NewLogStore(db)
		logs.SetExactRangeRows(5)
		base := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
		var all []*domain.JobLog
		for i := range 240 { // one every 10 s, 40 minutes
			all = append(all, &domain.JobLog{GroupID: int64(1 + i%2), JobID: 1, TriggerTime: base.Add(time.Duration(i) * 10 * time.Second)})
		}
		// Insert each two minutes' logs newest first: ids do not follow
		// trigger_time, each log is up to 110 s "late".
		for c := range slices.Chunk(all, 12) {
			rev := slices.Clone(c)
			slices.Reverse(rev)
			sqltest.MustCreateLogs(t, db, rev...)
		}
		at := func(m float64) time.Time { return base.Add(time.Duration(m * float64(time.Minute))) }
		for _, tc := range []struct {
			name     string
			group    int64
			from, to time.Time
		}{
			{"From", 0, at(12.5), time.Time{}},
			{"To", 0, time.Time{}, at(27)},
			{"Both", 0, at(9), at(31)},
			{"GroupBoth", 2, at(9), at(31)},
			{"Narrow", 0, at(20), at(20.5)},
			{"BeforeAll", 0, at(-20), at(-1)},
			{"AfterAll", 0, at(41), time.Time{}},
			{"AroundAll", 1, at(-5), at(45)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var want []int64
				for _, l := range all {
					in := (tc.from.IsZero() || !l.TriggerTime.Before(tc.from)) && (tc.to.IsZero() || !l.TriggerTime.After(tc.to))
					if in && (tc.group == 0 || l.GroupID == tc.group) {
						want = append(want, l.ID)
					}
				}
				slices.Sort(want)
				slices.Reverse(want)
				p, err := logs.FindLogs(t.Context(), ports.LogFilter{GroupID: tc.group, From: tc.from, To: tc.to, Status: domain.LogStatusAll})
				if err != nil {
					t.Fatal(err)
				}
				if got := logIDs(p.Logs); !slices.Equal(got, want) {
					t.Fatalf("logs %v\nwant %v", got, want)
				}
				if p.Total != len(want) || p.TotalCapped {
					t.Fatalf("total %d (capped %v), want %d", p.Total, p.TotalCapped, len(want))
				}
			})
		}
	})
}

// TestLogListRunningFloor checks that the running filter, which reads only
// above the lost-run scan's floor, still finds every running log as the
// floor rises.
func TestLogListRunningFloor(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		logs := sqlstore.NewLogStore(db)
		logs.SetFloorSettle(time.Nanosecond)
		old := time.Now().Add(-time.Hour)
		mk := func(tc, hc int) *domain.JobLog {
			return &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: old, TriggerCode: tc, HandleCode: hc}
		}
		var made []*domain.JobLog
		for i := range 30 {
			made = append(made, mk(200, 200), mk(500, 0))
			if i%10 == 4 {
				made = append(made, mk(200, 0))
			}
		}
		sqltest.MustCreateLogs(t, db, made...)
		check := func(step string) {
			t.Helper()
			var want []int64
			for _, l := range slices.Backward(made) {
				if l.TriggerCode == 200 && l.HandleCode == 0 {
					want = append(want, l.ID)
				}
			}
			p, err := logs.FindLogs(ctx, ports.LogFilter{GroupID: 1, Status: domain.LogStatusRunning, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if got := logIDs(p.Logs); !slices.Equal(got, want) || p.Total != len(want) || p.TotalCapped {
				t.Fatalf("%s: running %v total %d/%v, want %v", step, got, p.Total, p.TotalCapped, want)
			}
		}
		pass := func() {
			t.Helper()
			for range 3 {
				if _, err := logs.RunningLogs(ctx, time.Now(), 100); err != nil {
					t.Fatal(err)
				}
			}
		}
		check("floor 0")
		pass()
		if _, run := logs.Floors(); run != made[10].ID {
			t.Fatalf("floor %d, want the first running log %d", run, made[10].ID)
		}
		check("floor at the first running log")
		first := made[10] // the first running log finishes
		first.HandleCode = 500
		if _, err := logs.UpdateHandleInfo(ctx, first); err != nil {
			t.Fatal(err)
		}
		pass()
		if _, run := logs.Floors(); run != made[31].ID {
			t.Fatalf("floor %d, want the next running log %d", run, made[31].ID)
		}
		check("floor raised")
	})
}

func logIDs(logs []*domain.JobLog) []int64 {
	ids := make([]int64, len(logs))
	for i, l := range logs {
		ids[i] = l.ID
	}
	return ids
}
