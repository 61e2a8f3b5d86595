package sqlstore_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
)

// A CompleteLogs transaction that InnoDB rolls back to break a deadlock
// (here with a heavier transaction of another client that locks the same
// rows in the opposite order) is run again rather than failing the batch.
func TestCompleteLogsRetriesDeadlock(t *testing.T) {
	ctx := context.Background()
	name := sqltest.MustCreateMySQLDatabase(t)
	db, cleanup, err := sqlstore.Open(ctx, "mysql:"+sqltest.MySQLDSN(t, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	logs := sqlstore.NewLogStore(db)
	now := time.Now().Truncate(time.Second)
	open := []*domain.JobLog{
		{GroupID: 1, JobID: 1, TriggerTime: now, TriggerCode: 200},
		{GroupID: 1, JobID: 1, TriggerTime: now, TriggerCode: 200},
	}
	if err := logs.CreateLogs(ctx, open); err != nil {
		t.Fatal(err)
	}
	a, b := open[0].ID, open[1].ID // CompleteLogs locks a, then b

	raw := sqltest.RawMySQL(t, name)
	other, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	// Inserted rows make the other transaction the heavier one: InnoDB rolls
	// back the lighter transaction of a deadlock.
	for i := range 200 {
		if _, err := other.ExecContext(ctx, "INSERT INTO xxl_job_log (job_group, job_id, trigger_time, trigger_code, handle_code) VALUES (1, 2, NOW(), 200, 0)"); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	if _, err := other.ExecContext(ctx, "SELECT id FROM xxl_job_log WHERE id = ? FOR UPDATE", b); err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		won []int64
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		var results []*domain.JobLog
		for _, l := range open {
			r := *l
			r.HandleCode, r.HandleMsg, r.HandleTime = 200, "ok", now
			results = append(results, &r)
		}
		won, err := logs.CompleteLogs(ctx, results)
		done <- outcome{won, err}
	}()
	// Once CompleteLogs holds a and waits for b, taking a closes the cycle.
	waitLockWait(t, raw, done)
	if _, err := other.ExecContext(ctx, "SELECT id FROM xxl_job_log WHERE id = ? FOR UPDATE", a); err != nil {
		t.Fatalf("the other transaction was chosen as the deadlock victim: %v", err)
	}
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-done:
		if o.err != nil || !slices.Equal(o.won, []int64{a, b}) {
			t.Fatalf("CompleteLogs = %v, %v; want [%d %d] after a retry", o.won, o.err, a, b)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("CompleteLogs did not return")
	}
}

// waitLockWait waits until CompleteLogs's update runs, then a little longer:
// it can only be waiting, holding the lower id, for the higher.
func waitLockWait[T any](t *testing.T, raw *sql.DB, done chan T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		err := raw.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM information_schema.PROCESSLIST
			WHERE info LIKE 'UPDATE xxl_job_log SET handle_time%'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			time.Sleep(100 * time.Millisecond)
			return
		}
		select {
		case o := <-done:
			t.Fatalf("CompleteLogs returned without waiting for the locked row: %+v", o)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("CompleteLogs never waited for the locked row")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
