package application_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// schedT0 is the manual clock's start in scheduler tests: a whole second.
var schedT0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// schedOpenSQLite opens a fresh SQLite database (zone UTC+8, so zone
// mistakes show).
func schedOpenSQLite(tb testing.TB) *sqlstore.DB { return sqltest.MustOpenSQLite(tb) }

// schedMySQLDSN returns the DSN of a fresh database on the test MariaDB
// (XJOB_TEST_MYSQL_DSN), which several pools ("nodes") may open; it skips
// the test without a server.
func schedMySQLDSN(tb testing.TB) string {
	tb.Helper()
	return sqltest.MySQLDSN(tb, sqltest.MustCreateMySQLDatabase(tb))
}

// schedOpenMySQL opens (and migrates) the database of dsn.
func schedOpenMySQL(tb testing.TB, dsn string) *sqlstore.DB {
	tb.Helper()
	db, cleanup, err := sqlstore.Open(context.Background(), "mysql:"+dsn, sqlstore.WithLocation(sqltest.Location))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(cleanup)
	return db
}

// schedCreateJob inserts a running FIX_RATE job (every conf seconds)
// changed by mut, and returns it with its ID.
func schedCreateJob(tb testing.TB, jobs ports.JobStore, mut func(j *domain.JobInfo)) *domain.JobInfo {
	tb.Helper()
	j := &domain.JobInfo{GroupID: 1, Desc: "sched test", Author: "test", ScheduleType: domain.ScheduleFixRate,
		ScheduleConf: "3", MisfireStrategy: domain.MisfireDoNothing, RouteStrategy: domain.RouteFirst,
		BlockStrategy: domain.BlockSerial, GlueType: domain.GlueBean, ExecutorHandler: "demo",
		TriggerStatus: domain.TriggerRunning, AddTime: schedT0, UpdateTime: schedT0, GlueUpdatetime: schedT0}
	if mut != nil {
		mut(j)
	}
	if err := jobs.CreateJob(context.Background(), j); err != nil {
		tb.Fatal(err)
	}
	return j
}

// fireKey is one delivered (job, instant).
type fireKey struct {
	job int64
	at  int64
}

// recTrigger records triggers. Prepare writes nothing: the whole trigger
// happens in Fire, at the instant, as if nothing were prepared ahead; with
// logs set, Fire writes a log per trigger the way TriggerJob records one
// (trigger_time = the fire instant, trigger code 200). Resume counts as a
// trigger of the fire.
type recTrigger struct {
	mu      sync.Mutex
	reqs    []application.TriggerRequest
	late    []time.Duration // wall time of each call minus its FireTime
	count   map[fireKey]int
	logs    ports.LogStore
	err     error
	delay   time.Duration
	gate    chan struct{} // when set, each call waits for a value
	entered chan struct{} // when set, each call signals here before the gate
}

func newRecTrigger() *recTrigger { return &recTrigger{count: map[fireKey]int{}} }

func (r *recTrigger) Prepare(_ context.Context, reqs []application.TriggerRequest) []*application.PreparedTrigger {
	out := make([]*application.PreparedTrigger, len(reqs))
	for i, req := range reqs {
		out[i] = &application.PreparedTrigger{Req: req}
	}
	return out
}

func (r *recTrigger) Fire(ctx context.Context, pt *application.PreparedTrigger) error {
	return r.trigger(ctx, pt.Req)
}

func (r *recTrigger) Resume(ctx context.Context, req application.TriggerRequest, _ []*domain.JobLog) error {
	return r.trigger(ctx, req)
}

func (r *recTrigger) trigger(ctx context.Context, req application.TriggerRequest) error {
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	if r.entered != nil {
		r.entered <- struct{}{}
	}
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	err := r.err
	if err == nil {
		r.reqs = append(r.reqs, req)
		r.late = append(r.late, time.Since(req.FireTime))
		r.count[fireKey{req.JobID, req.FireTime.UnixMilli()}]++
	}
	r.mu.Unlock()
	if err != nil {
		return err
	}
	if r.logs != nil {
		log := &domain.JobLog{GroupID: 1, JobID: req.JobID, TriggerTime: req.FireTime.Truncate(time.Second),
			TriggerCode: domain.CodeSuccess}
		return r.logs.CreateLogs(ctx, []*domain.JobLog{log})
	}
	return nil
}

func (r *recTrigger) requests() []application.TriggerRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]application.TriggerRequest(nil), r.reqs...)
}

// duplicates lists the (job, instant) pairs triggered more than once.
func (r *recTrigger) duplicates() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for k, n := range r.count {
		if n > 1 {
			out = append(out, fmt.Sprintf("job %d at %s: %d times", k.job, time.UnixMilli(k.at).UTC().Format("15:04:05.000"), n))
		}
	}
	return out
}

// schedNode is one admin node's scheduler: scan plus delivery.
type schedNode struct {
	scan     *application.ScanSchedule
	delivery *application.FireDelivery
}

func newSchedNode(db *sqlstore.DB, trig application.FireTriggerer, clock ports.Clock, name string, fo application.FireOptions) schedNode {
	fo.Node = name
	if fo.PrepareAhead == 0 {
		fo.PrepareAhead = -1 // claimed at the instant, as these tests expect
	}
	d := application.NewFireDelivery(sqlstore.NewFireStore(db), sqlstore.NewLogStore(db), sqlstore.NewJobStore(db), trig, clock, fo)
	s := application.NewScanSchedule(db, d, clock, application.ScheduleOptions{Location: time.UTC})
	return schedNode{scan: s, delivery: d}
}

// fireStates returns the recorded fires' states keyed by (job, instant).
func fireStates(tb testing.TB, db *sqlstore.DB) map[fireKey]ports.FireState {
	tb.Helper()
	var rows []struct {
		JobID    int64 `bun:"job_id"`
		FireTime int64 `bun:"fire_time"`
		State    int   `bun:"state"`
	}
	if err := db.Bun().NewRaw("SELECT job_id, fire_time, state FROM xjob_fire").Scan(context.Background(), &rows); err != nil {
		tb.Fatal(err)
	}
	out := map[fireKey]ports.FireState{}
	for _, r := range rows {
		out[fireKey{r.JobID, r.FireTime}] = ports.FireState(r.State)
	}
	return out
}
