package application

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// Slow-lane rule from upstream: a job whose triggers took longer than
// slowTrigger more than slowTriggerLimit times in the current minute is
// moved to the slow lane, so it cannot hold up the other jobs.
const (
	slowTrigger      = 500 * time.Millisecond
	slowTriggerLimit = 10
)

// PoolOptions size the trigger pool; zero values take the defaults.
type PoolOptions struct {
	FastWorkers int // default 300 (upstream xxl.job.triggerpool.fast.max)
	SlowWorkers int // default 200 (upstream xxl.job.triggerpool.slow.max)
	FastQueue   int // default 2000
	SlowQueue   int // default 5000
	// DrainTimeout bounds how long shutdown keeps triggering queued
	// requests; what is left then is recorded as rejected. Default 10 s.
	DrainTimeout time.Duration
	Logger       *slog.Logger
}

func (o PoolOptions) withDefaults() PoolOptions {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.FastWorkers, 300)
	def(&o.SlowWorkers, 200)
	def(&o.FastQueue, 2000)
	def(&o.SlowQueue, 5000)
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// TriggerPool runs triggers asynchronously on two lanes of bounded workers
// and queues (upstream's JobTriggerPoolHelper). Nothing is dropped
// silently: a request that finds its queue full, or arrives after
// shutdown, is recorded as a failed trigger the fail monitor retries.
type TriggerPool struct {
	trigger *TriggerJob
	clock   ports.Clock
	opts    PoolOptions
	fast    chan TriggerRequest
	slow    chan TriggerRequest

	mu      sync.RWMutex // guards closed against Submit's sends
	closed  bool
	stopped chan struct{}
	stop    sync.Once
	done    chan struct{}

	statsMu    sync.Mutex
	minute     int64
	slowCounts map[int64]int

	rejected atomic.Int64
	started  atomic.Bool
}

// NewTriggerPool returns a pool that runs trigger; call Run to start it.
func NewTriggerPool(trigger *TriggerJob, clock ports.Clock, opts PoolOptions) *TriggerPool {
	mustDeps("NewTriggerPool", trigger, clock)
	opts = opts.withDefaults()
	return &TriggerPool{
		trigger: trigger, clock: clock, opts: opts,
		fast:       make(chan TriggerRequest, opts.FastQueue),
		slow:       make(chan TriggerRequest, opts.SlowQueue),
		stopped:    make(chan struct{}),
		done:       make(chan struct{}),
		slowCounts: map[int64]int{},
	}
}

// Submit queues req without blocking on executors. When the lane's queue is
// full or the pool has stopped, it records the trigger as failed instead
// (trigger code 500 with a message saying why), which takes one log write.
func (p *TriggerPool) Submit(req TriggerRequest) {
	lane := p.fast
	if p.isSlow(req.JobID) {
		lane = p.slow
	}
	p.mu.RLock()
	if !p.closed {
		select {
		case lane <- req:
			p.mu.RUnlock()
			return
		default:
		}
	}
	closed := p.closed
	p.mu.RUnlock()
	reason := "jobconf_trigger_queue_full"
	if closed {
		reason = "jobconf_trigger_shutdown"
	}
	p.reject(req, reason)
}

// FastDepth returns how many requests wait in the fast lane.
func (p *TriggerPool) FastDepth() int { return len(p.fast) }

// SlowDepth returns how many requests wait in the slow lane.
func (p *TriggerPool) SlowDepth() int { return len(p.slow) }

// Rejected returns how many requests were recorded as failed because the
// pool was full or stopped.
func (p *TriggerPool) Rejected() int64 { return p.rejected.Load() }

// Run starts the workers and blocks until ctx is done or Stop is called.
// It then stops taking requests, keeps triggering what is queued for up to
// DrainTimeout, records the rest as rejected and returns.
func (p *TriggerPool) Run(ctx context.Context) {
	p.started.Store(true)
	defer close(p.done)
	var wg sync.WaitGroup
	deadline := make(chan struct{})
	work := context.WithoutCancel(ctx)
	for range p.opts.FastWorkers {
		wg.Go(func() { p.work(work, p.fast, deadline) })
	}
	for range p.opts.SlowWorkers {
		wg.Go(func() { p.work(work, p.slow, deadline) })
	}
	select {
	case <-ctx.Done():
	case <-p.stopped:
	}
	p.mu.Lock()
	p.closed = true
	close(p.fast)
	close(p.slow)
	p.mu.Unlock()
	timer := time.AfterFunc(p.opts.DrainTimeout, func() { close(deadline) })
	defer timer.Stop()
	wg.Wait()
}

// Stop makes Run drain and return, and waits for it when Run was started.
func (p *TriggerPool) Stop() {
	p.stop.Do(func() { close(p.stopped) })
	if p.started.Load() {
		<-p.done
	}
}

func (p *TriggerPool) work(ctx context.Context, lane <-chan TriggerRequest, deadline <-chan struct{}) {
	for req := range lane {
		select {
		case <-deadline:
			p.reject(req, "jobconf_trigger_shutdown")
			continue
		default:
		}
		start := time.Now()
		if err := p.triggerRetrying(ctx, req, deadline); err != nil {
			p.opts.Logger.Error("trigger failed", "job", req.JobID, "type", req.Type, "err", err)
		}
		p.observe(req.JobID, time.Since(start))
	}
}

// retryBackoff is how long the pool waits before each new attempt of a
// trigger that reached no executor because the database failed.
var retryBackoff = []time.Duration{100 * time.Millisecond, time.Second, 5 * time.Second}

// triggerRetrying runs the trigger and, while it fails without having
// reached an executor (a database error writing its log: a deadlock, a
// restart), tries again after a backoff, so a manual, retry or child
// trigger is not lost to a passing database error. A job that is gone is
// not retried, nor anything once the shutdown deadline has passed.
func (p *TriggerPool) triggerRetrying(ctx context.Context, req TriggerRequest, deadline <-chan struct{}) error {
	err := p.trigger.Trigger(ctx, req)
	for _, wait := range retryBackoff {
		if err == nil || !NothingSent(err) || domain.ErrorCode(err) == domain.ENOTFOUND {
			return err
		}
		p.opts.Logger.Warn("trigger reached no executor; trying again", "job", req.JobID, "type", req.Type,
			"in", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-deadline:
			t.Stop()
			return err
		case <-t.C:
		}
		err = p.trigger.Trigger(ctx, req)
	}
	return err
}

func (p *TriggerPool) reject(req TriggerRequest, reasonID string) {
	p.rejected.Add(1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.trigger.Reject(ctx, req, reasonID); err != nil {
		p.opts.Logger.Error("trigger rejected and not recorded", "job", req.JobID, "type", req.Type,
			"reason", reasonID, "err", err)
		return
	}
	p.opts.Logger.Warn("trigger rejected", "job", req.JobID, "type", req.Type, "reason", reasonID)
}

func (p *TriggerPool) isSlow(jobID int64) bool {
	p.statsMu.Lock()
	defer p.statsMu.Unlock()
	return p.slowCounts[jobID] > slowTriggerLimit
}

// observe counts a slow trigger; counts restart every wall-clock minute.
func (p *TriggerPool) observe(jobID int64, took time.Duration) {
	minute := p.clock.Now().Unix() / 60
	p.statsMu.Lock()
	defer p.statsMu.Unlock()
	if minute != p.minute {
		p.minute = minute
		clear(p.slowCounts)
	}
	if took > slowTrigger {
		p.slowCounts[jobID]++
	}
}
