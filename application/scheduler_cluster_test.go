package application_test

import (
	"context"
	"io"
	"net"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/clock"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// These tests run the scheduler for real (system clock, real timers) on the
// test MariaDB; they skip without XJOB_TEST_MYSQL_DSN.

// runNode runs a node's scan and (unless scanOnly) its delivery until ctx ends.
func runNode(ctx context.Context, wg *sync.WaitGroup, n schedNode, scanOnly bool) {
	wg.Go(func() { n.scan.Run(ctx) })
	if !scanOnly {
		wg.Go(func() { n.delivery.Run(ctx) })
	}
}

// createEverySecond creates count running FIX_RATE 1 s jobs whose first
// instant is first.
func createEverySecond(tb testing.TB, jobs ports.JobStore, count int, first time.Time, mut func(*domain.JobInfo)) []*domain.JobInfo {
	out := make([]*domain.JobInfo, count)
	for i := range out {
		out[i] = schedCreateJob(tb, jobs, func(j *domain.JobInfo) {
			j.ScheduleConf = "1"
			j.TriggerNextTime = first.UnixMilli()
			if mut != nil {
				mut(j)
			}
		})
	}
	return out
}

// checkEverySecond asserts each job was triggered exactly once at every
// whole second in [first, until].
func checkEverySecond(t *testing.T, trig *recTrigger, jobs []*domain.JobInfo, first, until time.Time) {
	t.Helper()
	if d := trig.duplicates(); len(d) > 0 {
		t.Fatalf("fired more than once: %v", d)
	}
	got := map[fireKey]bool{}
	for _, r := range trig.requests() {
		got[fireKey{r.JobID, r.FireTime.UnixMilli()}] = true
	}
	missing := 0
	for _, j := range jobs {
		for at := first; !at.After(until); at = at.Add(time.Second) {
			if !got[fireKey{j.ID, at.UnixMilli()}] {
				missing++
				if missing < 10 {
					t.Errorf("job %d never fired at %s", j.ID, at.Format("15:04:05.000"))
				}
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d (job, instant) pairs lost", missing)
	}
}

func TestSchedulerTwoNodesExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for seconds")
	}
	dsn := schedMySQLDSN(t)
	dbA, dbB := schedOpenMySQL(t, dsn), schedOpenMySQL(t, dsn)
	first := time.Now().Truncate(time.Second).Add(2 * time.Second)
	jobs := createEverySecond(t, sqlstore.NewJobStore(dbA), 20, first, nil)
	trig := newRecTrigger()
	sys := clock.System{}
	a := newSchedNode(dbA, trig, sys, "node-a", application.FireOptions{})
	b := newSchedNode(dbB, trig, sys, "node-b", application.FireOptions{})

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	runNode(ctx, &wg, a, false)
	runNode(ctx, &wg, b, false)
	time.Sleep(time.Until(first.Add(6 * time.Second)))
	cancel()
	wg.Wait()

	checkEverySecond(t, trig, jobs, first, first.Add(4*time.Second))
	// Fires are delivered at their instant, not on a coarse tick.
	trig.mu.Lock()
	late := append([]time.Duration(nil), trig.late...)
	trig.mu.Unlock()
	sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
	if med := late[len(late)/2]; med < 0 || med > 250*time.Millisecond {
		t.Errorf("median lateness %v, want a few ms", med)
	}
	t.Logf("lateness: median %v, p90 %v, max %v over %d fires", late[len(late)/2], late[len(late)*9/10], late[len(late)-1], len(late))
	st := fireStates(t, dbA)
	for k, s := range st {
		if s != ports.FireDelivered && s != ports.FirePending {
			t.Errorf("fire %v in state %d", k, s)
		}
	}
}

func TestSchedulerRecoversDeadNodesFires(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for seconds")
	}
	dsn := schedMySQLDSN(t)
	dbA, dbB := schedOpenMySQL(t, dsn), schedOpenMySQL(t, dsn)
	first := time.Now().Truncate(time.Second).Add(2 * time.Second)
	jobs := createEverySecond(t, sqlstore.NewJobStore(dbA), 10, first, nil)
	trig := newRecTrigger()
	sys := clock.System{}
	// Node A records fires (it wins the schedule lock about half the time)
	// and never delivers them, as if killed right after each commit.
	a := newSchedNode(dbA, newRecTrigger(), sys, "doomed", application.FireOptions{})
	b := newSchedNode(dbB, trig, sys, "survivor", application.FireOptions{RecoverInterval: 500 * time.Millisecond})

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	runNode(ctx, &wg, a, true)
	runNode(ctx, &wg, b, false)
	time.Sleep(time.Until(first.Add(8 * time.Second)))
	cancel()
	wg.Wait()

	// Instants A planned are taken over after their 2 s grace and are still
	// within the 5 s misfire window, so none is lost or skipped.
	checkEverySecond(t, trig, jobs, first, first.Add(4*time.Second))
	for _, r := range trig.requests() {
		if r.Type != domain.TriggerCron {
			t.Fatalf("recovered fire delivered as %s, want CRON (within the window)", r.Type)
		}
	}
}

// countingMetrics counts failed loop passes.
type countingMetrics struct {
	application.NopMetrics
	failures atomic.Int64
}

func (m *countingMetrics) LoopFailed(string) { m.failures.Add(1) }

func TestSchedulerSurvivesDatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for seconds")
	}
	dsn := schedMySQLDSN(t)
	schedOpenMySQL(t, dsn) // migrate directly
	addr := regexp.MustCompile(`tcp\(([^)]+)\)`).FindStringSubmatch(dsn)[1]
	px := startProxy(t, addr)
	db := schedOpenMySQL(t, regexp.MustCompile(`tcp\([^)]+\)`).ReplaceAllString(dsn, "tcp("+px.addr()+")"))
	first := time.Now().Truncate(time.Second).Add(2 * time.Second)
	jobs := sqlstore.NewJobStore(db)
	skip := createEverySecond(t, jobs, 1, first, nil)
	once := createEverySecond(t, jobs, 1, first, func(j *domain.JobInfo) { j.MisfireStrategy = domain.MisfireFireOnceNow })
	trig := newRecTrigger()
	metrics := &countingMetrics{}
	sys := clock.System{}
	d := application.NewFireDelivery(sqlstore.NewFireStore(db), sqlstore.NewLogStore(db), jobs, trig, sys,
		application.FireOptions{Node: "n", Metrics: metrics, PrepareAhead: -1})
	n := schedNode{scan: application.NewScanSchedule(db, d, sys, application.ScheduleOptions{Location: time.UTC, Metrics: metrics}), delivery: d}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	runNode(ctx, &wg, n, false)
	time.Sleep(time.Until(first.Add(2 * time.Second)))
	px.cut()
	cutAt := time.Now()
	time.Sleep(12 * time.Second) // longer than pre-read + misfire window
	px.restore()
	restoredAt := time.Now()
	time.Sleep(10 * time.Second)
	cancel()
	wg.Wait()

	if metrics.failures.Load() == 0 {
		t.Fatal("no loop noticed the outage")
	}
	if d := trig.duplicates(); len(d) > 0 {
		t.Fatalf("fired more than once: %v", d)
	}
	after := map[int64]int{}
	misfires := map[int64]int{}
	var times []string
	for _, r := range trig.requests() {
		times = append(times, r.FireTime.Format("05.000")+string(r.Type[0]))
		if r.Type == domain.TriggerMisfire {
			misfires[r.JobID]++
		} else if r.FireTime.After(restoredAt.Add(time.Second)) {
			after[r.JobID]++
		}
	}
	sort.Strings(times)
	t.Logf("cut %s, restored %s, fires %v", cutAt.Format("05.000"), restoredAt.Format("05.000"), times)
	if after[skip[0].ID] < 3 || after[once[0].ID] < 3 {
		t.Fatalf("scheduling did not resume after the outage: %v", after)
	}
	if misfires[skip[0].ID] != 0 || misfires[once[0].ID] != 1 {
		t.Fatalf("misfire triggers %v, want none for DO_NOTHING and one for FIRE_ONCE_NOW", misfires)
	}
}

// tcpProxy forwards loopback connections to a server and can cut them all,
// and refuse new ones, to simulate a database outage.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	down   bool
}

func startProxy(t *testing.T, target string) *tcpProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go func() { io.Copy(s, c); s.Close() }()
		go func() { io.Copy(c, s); c.Close() }()
	}
}

func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *tcpProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}
