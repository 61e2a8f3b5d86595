package application_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/executorclient/executortest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
)

// waitFor polls cond until it holds or the test times out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func startPool(t *testing.T, e *env, opts application.PoolOptions) *application.TriggerPool {
	pool := application.NewTriggerPool(e.trigger, e.clock, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { pool.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return pool
}

func TestPoolRunsSubmitted(t *testing.T) {
	e := newSQLiteEnv(t, "en")
	exs, addrs := executors(t, 1, executortest.Java)
	job := e.job(e.group(domain.AddressAuto, addrs...), nil)
	pool := startPool(t, e, application.PoolOptions{FastWorkers: 4, SlowWorkers: 2})
	for range 20 {
		pool.Submit(application.NewTriggerRequest(job.ID, domain.TriggerCron))
	}
	waitFor(t, "20 runs", func() bool { return len(exs[0].Runs()) == 20 })
	if pool.Rejected() != 0 {
		t.Errorf("rejected %d", pool.Rejected())
	}
}

func TestPoolQueueFullIsRecorded(t *testing.T) {
	e := newSQLiteEnv(t, "en")
	exs, addrs := executors(t, 1, executortest.Java)
	exs[0].SetDelay(300 * time.Millisecond)
	job := e.job(e.group(domain.AddressAuto, addrs...), func(j *domain.JobInfo) { j.ExecutorFailRetryCount = 2 })
	pool := startPool(t, e, application.PoolOptions{FastWorkers: 1, FastQueue: 1, SlowWorkers: 1, SlowQueue: 1})
	for range 4 {
		pool.Submit(application.NewTriggerRequest(job.ID, domain.TriggerCron))
	}
	if pool.Rejected() == 0 {
		t.Fatal("nothing rejected with one worker and a queue of one")
	}
	var rejected []*domain.JobLog
	for _, l := range e.logsOf(job.ID) {
		if l.TriggerCode == 500 {
			rejected = append(rejected, l)
		}
	}
	if int64(len(rejected)) != pool.Rejected() {
		t.Fatalf("%d failed rows for %d rejections", len(rejected), pool.Rejected())
	}
	l := rejected[0]
	if l.ExecutorFailRetryCount != 2 || l.ExecutorParam != "p" || l.ExecutorAddress != "" ||
		l.TriggerMsg != "Trigger type：Scheduled trigger<br>Trigger rejected: the trigger queue is full, the admin is overloaded. "+
			"If the job has retries left, the fail monitor triggers it again." {
		t.Errorf("rejected log %+v", l)
	}
	if !l.Failed() {
		t.Error("a rejected trigger must count as failed for the fail monitor")
	}
}

func TestPoolSlowLane(t *testing.T) {
	e := newSQLiteEnv(t, "en")
	exs, addrs := executors(t, 1, executortest.Java)
	exs[0].SetDelay(550 * time.Millisecond)
	g := e.group(domain.AddressAuto, addrs...)
	slow := e.job(g, nil)
	pool := startPool(t, e, application.PoolOptions{FastWorkers: 20, SlowWorkers: 2})
	for range 11 {
		pool.Submit(application.NewTriggerRequest(slow.ID, domain.TriggerCron))
	}
	waitFor(t, "11 slow runs", func() bool { return len(exs[0].Runs()) == 11 })
	time.Sleep(100 * time.Millisecond) // the last trigger's duration is counted after its run
	// More than 10 slow triggers this minute: the next ones queue on the slow lane.
	for range 4 {
		pool.Submit(application.NewTriggerRequest(slow.ID, domain.TriggerCron))
	}
	if pool.SlowDepth() == 0 {
		t.Errorf("slow lane depth 0 after 11 slow triggers (fast %d)", pool.FastDepth())
	}
	// A new minute resets the counts.
	e.clock.Advance(time.Minute)
	waitFor(t, "15 runs", func() bool { return len(exs[0].Runs()) == 15 })
	exs[0].SetDelay(0)
	pool.Submit(application.NewTriggerRequest(slow.ID, domain.TriggerCron))
	waitFor(t, "16 runs", func() bool { return len(exs[0].Runs()) == 16 })
	pool.Submit(application.NewTriggerRequest(slow.ID, domain.TriggerCron))
	if pool.SlowDepth() != 0 {
		t.Error("job still on the slow lane in a new minute")
	}
}

func TestPoolDrainsOnStop(t *testing.T) {
	e := newSQLiteEnv(t, "en")
	exs, addrs := executors(t, 1, executortest.Java)
	exs[0].SetDelay(20 * time.Millisecond)
	job := e.job(e.group(domain.AddressAuto, addrs...), nil)
	pool := application.NewTriggerPool(e.trigger, e.clock, application.PoolOptions{FastWorkers: 1, DrainTimeout: 150 * time.Millisecond})
	for range 30 {
		pool.Submit(application.NewTriggerRequest(job.ID, domain.TriggerCron))
	}
	done := make(chan struct{})
	go func() { pool.Run(context.Background()); close(done) }()
	pool.Stop()
	<-done
	pool.Submit(application.NewTriggerRequest(job.ID, domain.TriggerCron)) // after stop
	logs := e.logsOf(job.ID)
	ran, shutdown := 0, 0
	for _, l := range logs {
		switch {
		case l.TriggerCode == 200:
			ran++
		case strings.Contains(l.TriggerMsg, "the admin stopped before it could run"):
			shutdown++
		default:
			t.Errorf("log %+v", l)
		}
	}
	if len(logs) != 31 || ran == 0 || shutdown == 0 || ran != len(exs[0].Runs()) {
		t.Errorf("%d logs: %d ran, %d rejected at shutdown", len(logs), ran, shutdown)
	}
}

// A trigger whose log could not be written (a deadlock, a database
// restart) reached no executor; the pool tries it again instead of losing
// it, and the job runs once.
func TestPoolRetriesTriggerThatReachedNoExecutor(t *testing.T) {
	e := newSQLiteEnv(t, "en")
	exs, addrs := executors(t, 1, executortest.Java)
	job := e.job(e.group(domain.AddressAuto, addrs...), nil)
	pool := startPool(t, e, application.PoolOptions{FastWorkers: 1, SlowWorkers: 1})
	e.logs.failCreates.Store(2)
	pool.Submit(application.NewTriggerRequest(job.ID, domain.TriggerParent))
	waitFor(t, "the run after two failed log inserts", func() bool { return len(exs[0].Runs()) == 1 })
	time.Sleep(50 * time.Millisecond)
	if n := len(exs[0].Runs()); n != 1 {
		t.Fatalf("%d runs, want 1", n)
	}
	if logs := e.logsOf(job.ID); len(logs) != 1 || logs[0].TriggerCode != domain.CodeSuccess {
		t.Fatalf("logs %+v, want one successful trigger", logs)
	}
	if got := e.logs.creates.Load(); got != 3 {
		t.Errorf("%d log inserts, want 3 (two failed, one written)", got)
	}
}
