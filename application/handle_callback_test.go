package application_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/xjob-dev/xjob/adapters/executorclient/executortest"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
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
