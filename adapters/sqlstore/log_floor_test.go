package sqlstore_test

import (
	"slices"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
)

// TestScanFloors drives FailedLogIDs and RunningLogs through many passes
// while logs change state, checking that the id floors that let the scans
// skip history never skip a log they must return.
func TestScanFloors(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		logs := sqlstore.NewLogStore(db)
		logs.SetFloorSettle(time.Nanosecond)
		now := time.Now()
		mk := func(tc, hc int, alarm domain.AlarmStatus) *domain.JobLog {
			return &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: now.Add(-time.Hour), TriggerCode: tc, HandleCode: hc, AlarmStatus: alarm}
		}
		many := func(n int, tc, hc int, alarm domain.AlarmStatus) {
			batch := make([]*domain.JobLog, n)
			for i := range batch {
				batch[i] = mk(tc, hc, alarm)
			}
			sqltest.MustCreateLogs(t, db, batch...)
		}
		one := func(tc, hc int, alarm domain.AlarmStatus) *domain.JobLog {
			return sqltest.MustCreateLogs(t, db, mk(tc, hc, alarm))[0]
		}
		failed := func() []int64 {
			t.Helper()
			ids, err := logs.FailedLogIDs(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		running := func() []int64 {
			t.Helper()
			rs, err := logs.RunningLogs(ctx, now, 100)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range rs {
				ids = append(ids, r.ID)
			}
			return ids
		}
		passes := func(n int, wantFailed, wantRunning []int64) {
			t.Helper()
			for i := range n {
				if got := failed(); !slices.Equal(got, wantFailed) {
					t.Fatalf("pass %d: FailedLogIDs = %v, want %v", i, got, wantFailed)
				}
				if got := running(); !slices.Equal(got, wantRunning) {
					t.Fatalf("pass %d: RunningLogs = %v, want %v", i, got, wantRunning)
				}
				time.Sleep(time.Millisecond)
			}
		}
		setAlarm := func(id int64, from, to domain.AlarmStatus) {
			t.Helper()
			if won, err := logs.UpdateAlarmStatus(ctx, id, from, to); err != nil || !won {
				t.Fatalf("alarm %d %d->%d: %v %v", id, from, to, won, err)
			}
		}
		handle := func(l *domain.JobLog, code int) {
			t.Helper()
			l.HandleCode, l.HandleTime = code, now
			if won, err := logs.UpdateHandleInfo(ctx, l); err != nil || !won {
				t.Fatalf("handle %d: %v %v", l.ID, won, err)
			}
		}

		many(50, 200, 200, 0)                   // history: successes
		many(20, 200, 500, domain.AlarmSuccess) // alarmed failures
		many(20, 500, 0, domain.AlarmSuccess)   // alarmed trigger failures
		r := one(200, 0, 0)                     // running
		many(30, 200, 200, 0)
		trig := one(500, 0, 0) // trigger failed, not alarmed
		p := one(0, 0, 0)      // created, not triggered yet
		passes(3, []int64{trig.ID}, []int64{r.ID})

		// A monitor claims the failure, fails, and gives it back.
		setAlarm(trig.ID, domain.AlarmDefault, domain.AlarmLocked)
		passes(3, nil, []int64{r.ID})
		setAlarm(trig.ID, domain.AlarmLocked, domain.AlarmDefault)
		passes(2, []int64{trig.ID}, []int64{r.ID})
		setAlarm(trig.ID, domain.AlarmDefault, domain.AlarmLocked)
		setAlarm(trig.ID, domain.AlarmLocked, domain.AlarmSuccess)
		passes(3, nil, []int64{r.ID})
		if fail, run := logs.Floors(); fail > r.ID || run > r.ID || fail <= 1 || run <= 1 {
			t.Errorf("floors %d, %d: want above the history and at most the running log %d", fail, run, r.ID)
		}

		// The old running log fails; the pending one is triggered and runs.
		handle(r, 502)
		p.TriggerCode = 200
		if err := logs.UpdateTriggerInfos(ctx, []*domain.JobLog{p}); err != nil {
			t.Fatal(err)
		}
		passes(3, []int64{r.ID}, []int64{p.ID})
		setAlarm(r.ID, domain.AlarmDefault, domain.AlarmSuccess)
		handle(p, 200)
		passes(3, nil, nil)
		if fail, run := logs.Floors(); fail <= p.ID || run <= p.ID {
			t.Errorf("floors %d, %d: want past every settled log (%d)", fail, run, p.ID)
		}

		// New logs after the floors moved on.
		many(10, 200, 200, 0)
		late := one(200, 0, 0)
		f := one(200, 123, 0)
		passes(3, []int64{f.ID}, []int64{late.ID})
	})
}
