package application_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/clock"
	"github.com/xjob-dev/xjob/adapters/executorclient/executortest"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// prepEnv is the real trigger path (TriggerJob, executor client, a stand-in
// executor on loopback) behind a scheduler node, on SQLite.
type prepEnv struct {
	*env
	ex  *executortest.Executor
	job *domain.JobInfo
	at  time.Time // the job's next instant
}

func newPrepEnv(t *testing.T, misfire domain.MisfireStrategy) *prepEnv {
	e := newSQLiteEnv(t, "en")
	ex := executortest.Start(t, executortest.Java, testToken, "demo")
	g := e.group(domain.AddressManual, ex.Address())
	at := e.clock.Now().Add(time.Second)
	job := e.job(g, func(j *domain.JobInfo) {
		j.ScheduleType, j.ScheduleConf, j.MisfireStrategy = domain.ScheduleFixRate, "60", misfire
		j.TriggerStatus, j.TriggerNextTime = domain.TriggerRunning, at.UnixMilli()
	})
	return &prepEnv{env: e, ex: ex, job: job, at: at}
}

// node returns a scheduler node triggering through the env's TriggerJob.
func (p *prepEnv) node(name string, clk ports.Clock) schedNode {
	d := application.NewFireDelivery(sqlstore.NewFireStore(p.db), p.logs, p.jobs, p.trigger, clk,
		application.FireOptions{Node: name})
	return schedNode{scan: application.NewScanSchedule(p.db, d, clk, application.ScheduleOptions{Location: time.UTC}), delivery: d}
}

func (p *prepEnv) fireState() ports.FireState {
	p.t.Helper()
	st, ok := fireStates(p.t, p.db)[fireKey{p.job.ID, p.at.UnixMilli()}]
	if !ok {
		p.t.Fatal("no fire recorded for the job's instant")
	}
	return st
}

// prepare scans and lets node n prepare the job's fire 400 ms ahead; it
// returns the prepared log.
func (p *prepEnv) prepare(n schedNode) *domain.JobLog {
	p.t.Helper()
	if _, err := n.scan.Scan(p.ctx); err != nil {
		p.t.Fatal(err)
	}
	p.clock.Set(p.at.Add(-400 * time.Millisecond))
	if got := n.delivery.DeliverDue(p.ctx); got != 1 {
		p.t.Fatalf("DeliverDue claimed %d fires 400 ms ahead, want 1", got)
	}
	n.delivery.Wait()
	logs := p.logsOf(p.job.ID)
	if len(logs) != 1 || logs[0].TriggerCode != 0 || !logs[0].TriggerTime.Equal(p.at) {
		p.t.Fatalf("logs after preparing: %+v, want one unsent log at the instant", logs)
	}
	if runs := p.ex.Runs(); len(runs) != 0 {
		p.t.Fatalf("the executor was called %d times before the instant", len(runs))
	}
	if st := p.fireState(); st != ports.FireClaimed {
		p.t.Fatalf("fire state %v after preparing, want claimed", st)
	}
	return logs[0]
}

func TestPreparedFireRunsAtItsInstant(t *testing.T) {
	p := newPrepEnv(t, domain.MisfireDoNothing)
	n := p.node("a", p.clock)
	prepared := p.prepare(n)

	p.clock.Set(p.at.Add(-time.Millisecond))
	n.delivery.DeliverDue(p.ctx)
	n.delivery.Wait()
	if runs := p.ex.Runs(); len(runs) != 0 {
		t.Fatal("fired a millisecond early")
	}
	p.clock.Set(p.at)
	n.delivery.DeliverDue(p.ctx)
	n.delivery.Wait()
	runs := p.ex.Runs()
	if len(runs) != 1 || runs[0].LogID != prepared.ID || runs[0].LogDateTime != p.at.UnixMilli() {
		t.Fatalf("runs %+v, want one under the prepared log %d", runs, prepared.ID)
	}
	if logs := p.logsOf(p.job.ID); len(logs) != 1 || logs[0].TriggerCode != domain.CodeSuccess {
		t.Fatalf("logs %+v, want the prepared log with trigger code 200", logs)
	}
	if st := p.fireState(); st != ports.FireDelivered {
		t.Fatalf("fire state %v, want delivered", st)
	}
}

// A node that prepared a fire (claim and log written) and died before its
// instant: another node sends the run under the same log id.
func TestPreparedFireResumedByAnotherNode(t *testing.T) {
	p := newPrepEnv(t, domain.MisfireDoNothing)
	prepared := p.prepare(p.node("dead", p.clock))

	alive := p.node("alive", p.clock)
	p.clock.Set(p.at.Add(9 * time.Second)) // claim lease (10 s from the instant) not over
	if n, err := alive.delivery.Recover(p.ctx); err != nil || n != 0 {
		t.Fatalf("Recover within the lease = %d, %v", n, err)
	}
	p.clock.Set(p.at.Add(12 * time.Second))
	if n, err := alive.delivery.Recover(p.ctx); err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	alive.delivery.Wait()
	runs := p.ex.Runs()
	if len(runs) != 1 || runs[0].LogID != prepared.ID {
		t.Fatalf("runs %+v, want one under the prepared log %d", runs, prepared.ID)
	}
	if logs := p.logsOf(p.job.ID); len(logs) != 1 || logs[0].TriggerCode != domain.CodeSuccess {
		t.Fatalf("logs %+v, want only the prepared log, now triggered", logs)
	}
	if st := p.fireState(); st != ports.FireDelivered {
		t.Fatalf("fire state %v, want delivered", st)
	}
	// A further pass finds nothing left to do.
	p.clock.Set(p.at.Add(30 * time.Second))
	if n, err := alive.delivery.Recover(p.ctx); err != nil || n != 0 {
		t.Fatalf("second Recover = %d, %v", n, err)
	}
}

// Taken over too late for DO_NOTHING: the fire is skipped and its unsent
// log deleted; FIRE_ONCE_NOW still sends it once.
func TestPreparedFireMisfiredAfterCrash(t *testing.T) {
	for _, tt := range []struct {
		misfire  domain.MisfireStrategy
		wantRuns int
		want     ports.FireState
	}{
		{domain.MisfireDoNothing, 0, ports.FireSkipped},
		{domain.MisfireFireOnceNow, 1, ports.FireDelivered},
	} {
		t.Run(string(tt.misfire), func(t *testing.T) {
			p := newPrepEnv(t, tt.misfire)
			p.prepare(p.node("dead", p.clock))
			alive := p.node("alive", p.clock)
			p.clock.Set(p.at.Add(10*time.Second + 6*time.Second)) // lease over 6 s ago: a misfire
			if n, err := alive.delivery.Recover(p.ctx); err != nil || n != 1 {
				t.Fatalf("Recover = %d, %v", n, err)
			}
			alive.delivery.Wait()
			if runs := p.ex.Runs(); len(runs) != tt.wantRuns {
				t.Fatalf("%d runs, want %d", len(runs), tt.wantRuns)
			}
			if logs := p.logsOf(p.job.ID); len(logs) != tt.wantRuns {
				t.Fatalf("%d logs left, want %d", len(logs), tt.wantRuns)
			}
			if st := p.fireState(); st != tt.want {
				t.Fatalf("fire state %v, want %v", st, tt.want)
			}
		})
	}
}

// A prepared DO_NOTHING fire that could only be started more than the
// misfire threshold late (an overloaded node) is skipped and its log goes.
func TestPreparedFireTooLateAtItsInstant(t *testing.T) {
	p := newPrepEnv(t, domain.MisfireDoNothing)
	n := p.node("a", p.clock)
	p.prepare(n)
	p.clock.Set(p.at.Add(6 * time.Second))
	n.delivery.DeliverDue(p.ctx)
	n.delivery.Wait()
	if runs := p.ex.Runs(); len(runs) != 0 {
		t.Fatalf("%d runs of a fire 6 s late", len(runs))
	}
	if logs := p.logsOf(p.job.ID); len(logs) != 0 {
		t.Fatalf("logs %+v left for a skipped fire", logs)
	}
	if st := p.fireState(); st != ports.FireSkipped {
		t.Fatalf("fire state %v, want skipped", st)
	}
}

// Stopping the delivery loop still fires what it already prepared, at the
// instant, instead of leaving it to another node's recovery.
func TestPreparedFiresRunOnShutdown(t *testing.T) {
	p := newPrepEnv(t, domain.MisfireDoNothing)
	sys := clock.System{}
	p.at = time.Now().Truncate(time.Second).Add(2 * time.Second)
	p.job.TriggerNextTime = p.at.UnixMilli()
	if err := p.jobs.UpdateJob(p.ctx, p.job); err != nil {
		t.Fatal(err)
	}
	n := p.node("a", sys)
	if _, err := n.scan.Scan(p.ctx); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { n.delivery.Run(ctx) })
	time.Sleep(time.Until(p.at.Add(-200 * time.Millisecond)))
	if st := p.fireState(); st != ports.FireClaimed {
		t.Fatalf("fire state %v 200 ms before the instant, want claimed (prepared)", st)
	}
	cancel()
	wg.Wait()
	if time.Now().Before(p.at) {
		t.Fatal("Run returned before the prepared instant")
	}
	runs := p.ex.Runs()
	if len(runs) != 1 || runs[0].LogDateTime != p.at.UnixMilli() {
		t.Fatalf("runs %+v, want the prepared fire", runs)
	}
	if st := p.fireState(); st != ports.FireDelivered {
		t.Fatalf("fire state %v, want delivered", st)
	}
}
