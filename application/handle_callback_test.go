package application_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/executorclient/executortest"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// callbackEnv has a running pool so child jobs really run.
func callbackEnv(t *testing.T, db *sqlstore.DB) (*env, *application.HandleCallback, *executortest.Executor, *domain.Group) {
	e := newEnv(t, db, "en")
	exs, addrs := executors(t, 1, executortest.Java)
	pool := startPool(t, e, application.PoolOptions{FastWorkers: 2, SlowWorkers: 1})
	h := application.NewHandleCallback(e.logs, e.jobs, pool, e.msgs, e.clock, nil)
	return e, h, exs[0], e.group(domain.AddressAuto, addrs...)
}

func TestCallbackFirstResultWins(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		e, h, _, g := callbackEnv(t, db)
		job := e.job(g, nil)
		a := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
		b := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
		// Out of order, duplicated, with unknown ids, in one batch and again.
		batch := []domain.CallbackParam{
			{LogID: b.ID, HandleCode: 500, HandleMsg: "boom"},
			{LogID: 999999, HandleCode: 200},
			{LogID: a.ID, HandleCode: 200, HandleMsg: "ok"},
			{LogID: b.ID, HandleCode: 200, HandleMsg: "late"},
		}
		for range 2 {
			if err := h.Handle(e.ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		logs := e.logsOf(job.ID)
		if logs[0].HandleCode != 200 || logs[0].HandleMsg != "ok" || logs[0].HandleTime.IsZero() {
			t.Errorf("log a %+v", logs[0])
		}
		if logs[1].HandleCode != 500 || logs[1].HandleMsg != "boom" {
			t.Errorf("log b %+v", logs[1])
		}
	})
}

func TestCallbackTriggersChildren(t *testing.T) {
	e, h, ex, g := callbackEnv(t, sqltest.MustOpenSQLite(t))
	child1 := e.job(g, nil)
	child2 := e.job(g, nil)
	parent := e.job(g, nil)
	parent.ChildJobIDs = strings.Join([]string{itoa(child1.ID), "x", itoa(parent.ID), " " + itoa(child2.ID), "424242"}, ",")
	if err := e.jobs.UpdateJob(e.ctx, parent); err != nil {
		t.Fatal(err)
	}
	log := e.mustTrigger(application.NewTriggerRequest(parent.ID, domain.TriggerManual))
	for range 2 { // the repeat must not trigger the children again
		if err := h.Handle(e.ctx, []domain.CallbackParam{{LogID: log.ID, HandleCode: 200, HandleMsg: "done"}}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "child runs", func() bool { return len(ex.Runs()) == 3 })
	// The executor sees /run before the trigger's log update commits.
	waitFor(t, "child trigger messages", func() bool {
		for _, c := range []*domain.JobInfo{child1, child2} {
			if logs := e.logsOf(c.ID); len(logs) != 1 || logs[0].TriggerMsg == "" {
				return false
			}
		}
		return true
	})
	for _, c := range []*domain.JobInfo{child1, child2} {
		logs := e.logsOf(c.ID)
		if len(logs) != 1 || !strings.HasPrefix(logs[0].TriggerMsg, "Trigger type：Triggered by parent job<br>") {
			t.Errorf("child %d logs %+v", c.ID, logs)
		}
	}
	got := e.logsOf(parent.ID)[0].HandleMsg
	want := "done" + `<br><br><span style="color:#00c0ef;" > >>>>>>>>>>>Trigger child jobs<<<<<<<<<<< </span><br>` +
		"1/5 [Job ID=" + itoa(child1.ID) + "]: trigger submitted, see its own log <br>" +
		"2/5 [Job ID=x]: not a valid job ID, not triggered <br>" +
		"4/5 [Job ID=" + itoa(child2.ID) + "]: trigger submitted, see its own log <br>" +
		"5/5 [Job ID=424242]: not a valid job ID, not triggered <br>"
	if got != want {
		t.Errorf("handle msg\n%s\nwant\n%s", got, want)
	}
}

func TestCallbackFailureTriggersNoChild(t *testing.T) {
	e, h, ex, g := callbackEnv(t, sqltest.MustOpenSQLite(t))
	child := e.job(g, nil)
	parent := e.job(g, func(j *domain.JobInfo) { j.ChildJobIDs = itoa(child.ID) })
	log := e.mustTrigger(application.NewTriggerRequest(parent.ID, domain.TriggerManual))
	long := strings.Repeat("é", domain.MaxHandleMsgLen+10)
	if err := h.Handle(e.ctx, []domain.CallbackParam{{LogID: log.ID, HandleCode: 502, HandleMsg: long}}); err != nil {
		t.Fatal(err)
	}
	got := e.logsOf(parent.ID)[0]
	if got.HandleCode != 502 || len([]rune(got.HandleMsg)) != domain.MaxHandleMsgLen {
		t.Errorf("handle code %d, msg of %d runes", got.HandleCode, len([]rune(got.HandleMsg)))
	}
	if len(e.logsOf(child.ID)) != 0 || len(ex.Runs()) != 1 {
		t.Error("child triggered after a failed run")
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// completeCounter is the real log store, counting CompleteLogs calls; each
// call takes at least delay, as a durable commit on a server would.
type completeCounter struct {
	ports.LogStore
	calls atomic.Int64
	delay time.Duration
}

func (c *completeCounter) CompleteLogs(ctx context.Context, logs []*domain.JobLog) ([]int64, error) {
	c.calls.Add(1)
	time.Sleep(c.delay)
	return c.LogStore.CompleteLogs(ctx, logs)
}

// Concurrent one-result requests, two per log with different results, are
// written together; each log keeps one result and its child runs once.
func TestCallbackConcurrentSmallRequests(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		e, _, ex, g := callbackEnv(t, db)
		counter := &completeCounter{LogStore: e.logs, delay: 20 * time.Millisecond}
		pool := startPool(t, e, application.PoolOptions{FastWorkers: 2, SlowWorkers: 1})
		h := application.NewHandleCallback(counter, e.jobs, pool, e.msgs, e.clock, nil)
		child := e.job(g, nil)
		parent := e.job(g, func(j *domain.JobInfo) { j.ChildJobIDs = itoa(child.ID) })
		const runs = 20
		var logs []*domain.JobLog
		for range runs {
			logs = append(logs, e.mustTrigger(application.NewTriggerRequest(parent.ID, domain.TriggerManual)))
		}
		start := make(chan struct{})
		errs := make(chan error, 2*runs)
		var wg sync.WaitGroup
		for _, l := range logs {
			for _, msg := range []string{"a", "b"} {
				wg.Go(func() {
					<-start
					errs <- h.Handle(e.ctx, []domain.CallbackParam{{LogID: l.ID, HandleCode: 200, HandleMsg: msg}})
				})
			}
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := counter.calls.Load(); n > runs {
			t.Errorf("%d CompleteLogs calls for %d requests: small requests were not written together", n, 2*runs)
		}
		for _, l := range e.logsOf(parent.ID) {
			if l.HandleCode != 200 || !(strings.HasPrefix(l.HandleMsg, "a<br>") || strings.HasPrefix(l.HandleMsg, "b<br>")) {
				t.Errorf("log %d: code %d msg %q", l.ID, l.HandleCode, l.HandleMsg)
			}
		}
		waitFor(t, "child runs", func() bool { return len(ex.Runs()) >= 2*runs })
		time.Sleep(200 * time.Millisecond) // a duplicate trigger would show up by now
		if n := len(ex.Runs()); n != 2*runs {
			t.Errorf("%d runs, want %d parents and %d children", n, runs, runs)
		}
		if n := len(e.logsOf(child.ID)); n != runs {
			t.Errorf("%d child logs, want %d", n, runs)
		}
	})
}

// A FIX_DELAY job's next run counts from its result, whatever the result;
// other jobs keep their schedule.
func TestCallbackSchedulesFixDelay(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		e, _, _, g := callbackEnv(t, db)
		pool := startPool(t, e, application.PoolOptions{FastWorkers: 2, SlowWorkers: 1})
		h := application.NewHandleCallback(e.logs, e.jobs, pool, e.msgs, e.clock, nil).
			WithFixDelay(application.NewScheduleFixDelay(e.jobs, time.UTC, nil))
		waiting := func(j *domain.JobInfo) {
			j.ScheduleType, j.ScheduleConf = domain.ScheduleFixDelay, "3"
			j.TriggerStatus, j.TriggerNextTime = domain.TriggerRunning, application.FixDelayWaiting
		}
		ok1, ok2 := e.job(g, waiting), e.job(g, waiting)
		failed := e.job(g, waiting)
		cron := e.job(g, func(j *domain.JobInfo) {
			j.ScheduleType, j.ScheduleConf = domain.ScheduleCron, "0 0 0 * * ?"
			j.TriggerStatus, j.TriggerNextTime = domain.TriggerRunning, 12345
		})
		var batch []domain.CallbackParam
		for _, j := range []*domain.JobInfo{ok1, ok1, ok2, failed, cron} {
			code := 200
			if j == failed {
				code = 500
			}
			l := e.mustTrigger(application.NewTriggerRequest(j.ID, domain.TriggerManual))
			batch = append(batch, domain.CallbackParam{LogID: l.ID, HandleCode: code})
		}
		e.clock.Set(e.clock.Now().Add(time.Minute))
		for _, b := range [][]domain.CallbackParam{batch[:1], batch[1:]} { // a small request and a batch
			if err := h.Handle(e.ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		want := e.clock.Now().UnixMilli() + 3000
		for _, j := range []*domain.JobInfo{ok1, ok2, failed, cron} {
			got, err := e.jobs.FindJobByID(e.ctx, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantNext := want
			if j == cron {
				wantNext = 12345
			}
			if got.TriggerNextTime != wantNext {
				t.Errorf("job %d: next %d, want %d", j.ID, got.TriggerNextTime, wantNext)
			}
		}
	})
}

// meetStore is the real log store whose CompleteLogs waits until `want`
// callers have arrived, so every caller has read its logs while they were
// still open.
type meetStore struct {
	ports.LogStore
	mu      sync.Mutex
	arrived int
	want    int
	all     chan struct{}
}

func (m *meetStore) CompleteLogs(ctx context.Context, logs []*domain.JobLog) ([]int64, error) {
	m.mu.Lock()
	if m.arrived++; m.arrived == m.want {
		close(m.all)
	}
	m.mu.Unlock()
	select {
	case <-m.all:
	case <-time.After(5 * time.Second):
		return nil, errors.New("the other node never wrote")
	}
	return m.LogStore.CompleteLogs(ctx, logs)
}

// Two admin nodes recording the same results at the same moment: each log
// keeps one node's result and its child job runs once.
func TestCallbackTwoNodes(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		e, _, ex, g := callbackEnv(t, db)
		meet := &meetStore{LogStore: e.logs, want: 2, all: make(chan struct{})}
		pool := startPool(t, e, application.PoolOptions{FastWorkers: 2, SlowWorkers: 1})
		child := e.job(g, nil)
		parent := e.job(g, func(j *domain.JobInfo) { j.ChildJobIDs = itoa(child.ID) })
		// Node a gets runs 0-19 and node b runs 10-29 (reversed), so each
		// wins some and the middle ten are contended.
		const runs = 30
		batches := map[string][]domain.CallbackParam{}
		for i := range runs {
			l := e.mustTrigger(application.NewTriggerRequest(parent.ID, domain.TriggerManual))
			if i < 20 {
				batches["a"] = append(batches["a"], domain.CallbackParam{LogID: l.ID, HandleCode: 200, HandleMsg: "a"})
			}
			if i >= 10 {
				p := domain.CallbackParam{LogID: l.ID, HandleCode: 200, HandleMsg: "b"}
				batches["b"] = append([]domain.CallbackParam{p}, batches["b"]...)
			}
		}
		var wg sync.WaitGroup
		errs := map[string]error{}
		var mu sync.Mutex
		for node, batch := range batches {
			h := application.NewHandleCallback(meet, e.jobs, pool, e.msgs, e.clock, nil)
			wg.Go(func() {
				err := h.Handle(e.ctx, batch)
				mu.Lock()
				errs[node] = err
				mu.Unlock()
			})
		}
		wg.Wait()
		for node, err := range errs {
			if err != nil {
				t.Fatalf("node %s: %v", node, err)
			}
		}
		for _, l := range e.logsOf(parent.ID) {
			if l.HandleCode != 200 || !(strings.HasPrefix(l.HandleMsg, "a<br>") || strings.HasPrefix(l.HandleMsg, "b<br>")) {
				t.Errorf("log %d: code %d msg %q", l.ID, l.HandleCode, l.HandleMsg)
			}
		}
		waitFor(t, "child runs", func() bool { return len(ex.Runs()) >= 2*runs })
		time.Sleep(200 * time.Millisecond) // a duplicate trigger would show up by now
		if n := len(ex.Runs()); n != 2*runs {
			t.Errorf("%d runs, want %d parents and %d children", n, runs, runs)
		}
	})
}
