package application

import (
	"container/heap"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// FireTriggerer is the trigger path as delivery uses it; *TriggerJob
// implements it. Delivery prepares a fire PrepareAhead before its instant
// (its logs are written then) and fires it at the instant; it needs to
// know when the logs exist (TriggerPool.Submit gives no such moment) to
// mark a fire delivered; see docs/scheduler.md.
type FireTriggerer interface {
	// Prepare writes the logs of reqs without calling executors.
	Prepare(ctx context.Context, reqs []TriggerRequest) []*PreparedTrigger
	// Fire makes the executor calls of a prepared trigger.
	Fire(ctx context.Context, pt *PreparedTrigger) error
	// Resume makes the calls of prepared logs whose outcome was never
	// recorded (the preparing node stopped), under the same log ids.
	Resume(ctx context.Context, req TriggerRequest, logs []*domain.JobLog) error
}

// FireOptions are the settings of FireDelivery.
type FireOptions struct {
	// Node names this admin process in fire records; default host-pid-random.
	Node string
	// MisfireThreshold: a fire delivered later than this after its instant
	// is a misfire (default 5 s, upstream's pre-read window).
	MisfireThreshold time.Duration
	// PendingGrace: other nodes take over a fire still pending this long
	// after its instant (default 2 s).
	PendingGrace time.Duration
	// ClaimLease: other nodes check a claimed fire not confirmed delivered
	// after this long (default 10 s). It must exceed the time a trigger
	// takes to write its log, or a slow trigger could be delivered twice.
	ClaimLease time.Duration
	// RecoverInterval between recovery passes (default 2 s).
	RecoverInterval time.Duration
	// KeepSettled: delivered and skipped fire records are kept this long
	// (default 24 h).
	KeepSettled time.Duration
	// Workers bounds the scheduled triggers running at once (default 300,
	// upstream's fast pool maximum).
	Workers int
	// PrepareAhead is how long before its instant a fire is claimed and
	// its log rows written (default 600 ms, off the whole second most
	// schedules fire on): at the instant only the executor calls are left.
	// Negative claims and prepares at the instant itself.
	PrepareAhead time.Duration
	Logger       *slog.Logger
	Metrics      Metrics
}

func (o FireOptions) withDefaults() FireOptions {
	if o.Node == "" {
		o.Node = DefaultNode()
	}
	if o.MisfireThreshold <= 0 {
		o.MisfireThreshold = 5 * time.Second
	}
	if o.PendingGrace <= 0 {
		o.PendingGrace = 2 * time.Second
	}
	if o.ClaimLease <= 0 {
		o.ClaimLease = 10 * time.Second
	}
	if o.RecoverInterval <= 0 {
		o.RecoverInterval = 2 * time.Second
	}
	if o.KeepSettled <= 0 {
		o.KeepSettled = 24 * time.Hour
	}
	if o.Workers <= 0 {
		o.Workers = 300
	}
	if o.PrepareAhead == 0 {
		o.PrepareAhead = 600 * time.Millisecond
	}
	if o.PrepareAhead < 0 || o.PrepareAhead >= o.ClaimLease {
		o.PrepareAhead = 0
	}
	o.Logger = orLogger(o.Logger)
	o.Metrics = orMetrics(o.Metrics)
	return o
}

// DefaultNode returns a node name unique to this process: host, pid and a
// random suffix (a restarted process is a new node).
func DefaultNode() string {
	host, _ := os.Hostname()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// FireDelivery delivers recorded fires at their exact instant and recovers
// the fires other nodes (or this one, before a crash) left behind.
//
// A fire is delivered by moving it pending → claimed (compare-and-set on
// state and node), running the trigger, then claimed → delivered. The
// compare-and-set is what makes delivery exactly once across nodes: a
// recovering node must win the same row first.
type FireDelivery struct {
	fires ports.FireStore
	logs  ports.LogStore
	jobs  ports.JobStore
	trig  FireTriggerer
	// ahead is the PrepareAhead in ms.
	ahead int64
	clock ports.Clock
	opts  FireOptions

	mu    sync.Mutex
	queue fireQueue
	// ready holds claimed fires whose logs are written, until their instant.
	ready readyQueue
	wake  chan struct{}
	sem   chan struct{}
	// inflight bounds the deliveries not yet finished, including those
	// that handed their worker on and only wait for their outcome to be
	// written: when the database falls behind, delivery slows down with it
	// instead of piling up goroutines.
	inflight chan struct{}
	wg       sync.WaitGroup
	swept    time.Time
	// lastStamp makes every UpdatedAt this node writes unique, so a batch
	// move can tell its own rows apart (see ports.FireStore.MoveFires).
	lastStamp int64
	// settled and skipped group-commit the moves of claimed fires to
	// FireDelivered and FireSkipped.
	settled, skipped *batcher[ports.Fire]
	// discards group-commits the deletion of unsent prepared logs.
	discards *batcher[int64]
	// planned holds, for queued fires, the job as the scan read it.
	planned map[fireKey]*domain.JobInfo
}

// fireKey names one fire: a job and an instant.
type fireKey struct{ job, at int64 }

// NewFireDelivery returns the delivery side of the scheduler.
func NewFireDelivery(fires ports.FireStore, logs ports.LogStore, jobs ports.JobStore, trig FireTriggerer,
	clock ports.Clock, opts FireOptions) *FireDelivery {
	mustDeps("NewFireDelivery", fires, logs, jobs, trig, clock)
	opts = opts.withDefaults()
	d := &FireDelivery{fires: fires, logs: logs, jobs: jobs, clock: clock, opts: opts,
		wake: make(chan struct{}, 1), sem: make(chan struct{}, opts.Workers), inflight: make(chan struct{}, 8*opts.Workers),
		planned: map[fireKey]*domain.JobInfo{}}
	d.trig, d.ahead = trig, opts.PrepareAhead.Milliseconds()
	d.settled = newLingeringBatcher(d.moveClaimed(ports.FireDelivered), recordLinger)
	d.skipped = newBatcher(d.moveClaimed(ports.FireSkipped))
	d.discards = newBatcher(logs.DiscardLogs)
	return d
}

// stamp returns the current time in ms, strictly after every stamp this
// node returned before.
func (d *FireDelivery) stamp() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clock.Now().UnixMilli()
	if now <= d.lastStamp {
		now = d.lastStamp + 1
	}
	d.lastStamp = now
	return now
}

// Node is the name this delivery records as fire owner.
func (d *FireDelivery) Node() string { return d.opts.Node }

// Add queues pending fires owned by this node for their instant.
func (d *FireDelivery) Add(fires ...ports.Fire) { d.AddPlanned(nil, fires...) }

// AddPlanned is Add with the jobs the fires were planned from: delivery
// then triggers from that snapshot instead of reading each job again.
func (d *FireDelivery) AddPlanned(jobs []*domain.JobInfo, fires ...ports.Fire) {
	if len(fires) == 0 {
		return
	}
	byID := make(map[int64]*domain.JobInfo, len(jobs))
	for _, j := range jobs {
		byID[j.ID] = j
	}
	d.mu.Lock()
	for _, f := range fires {
		heap.Push(&d.queue, f)
		if j := byID[f.JobID]; j != nil {
			d.planned[fireKey{f.JobID, f.FireTime}] = j
		}
	}
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Queued returns how many fires wait for their instant.
func (d *FireDelivery) Queued() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.queue.Len() + d.ready.Len()
}

// Run delivers queued fires at their instants and recovers expired ones
// until ctx is done, then waits for the triggers in flight. Fires still
// queued stay pending in the database, where another node (or this one
// after a restart) takes them over.
func (d *FireDelivery) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() {
		l := loop{name: "fire-recovery", period: d.opts.RecoverInterval, timeout: 30 * time.Second,
			logger: d.opts.Logger, metrics: d.opts.Metrics}
		l.run(ctx, func(ctx context.Context) (time.Duration, error) { _, err := d.Recover(ctx); return 0, err })
	})
	for {
		d.DeliverDue(ctx)
		wait := time.Second // look again at least every second: the wall clock may jump
		if next, ok := d.nextInstant(); ok {
			wait = min(wait, time.UnixMilli(next).Sub(d.clock.Now()))
			if wait > 0 && wait <= timerSlack && ctx.Err() == nil {
				d.spinUntil(next)
				continue
			}
		}
		if wait > 0 {
			t := time.NewTimer(wait - timerSlack/2)
			select {
			case <-ctx.Done():
			case <-d.wake:
			case <-t.C:
			}
			t.Stop()
		}
		if ctx.Err() != nil {
			break
		}
	}
	d.fireReady(ctx)
	wg.Wait()
	d.wg.Wait()
}

// fireReady is the end of Run: the fires already prepared (claimed, logs
// written) are fired at their instants, at most PrepareAhead from now,
// rather than left for recovery.
func (d *FireDelivery) fireReady(ctx context.Context) {
	for {
		d.mu.Lock()
		if d.ready.Len() == 0 {
			d.mu.Unlock()
			return
		}
		r := heap.Pop(&d.ready).(readyFire)
		d.mu.Unlock()
		if wait := time.UnixMilli(r.f.FireTime).Sub(d.clock.Now()); wait > 0 {
			time.Sleep(min(wait, d.opts.PrepareAhead)) // a clock stepped back does not hold up the shutdown
		}
		d.startFire(ctx, r)
	}
}

// Wait blocks until the deliveries started so far have finished.
func (d *FireDelivery) Wait() { d.wg.Wait() }

// timerSlack is how late a Go timer may wake (~1 ms on Linux): the last
// stretch before an instant is waited by spinning, so fires start within
// microseconds of it rather than up to a millisecond after.
const timerSlack = 2 * time.Millisecond

// spinUntil yields the CPU until the clock reaches at (epoch ms), for at
// most timerSlack of real time (a test clock may never get there).
func (d *FireDelivery) spinUntil(at int64) {
	start := time.Now()
	for d.clock.Now().UnixMilli() < at && time.Since(start) < timerSlack {
		runtime.Gosched()
	}
}

// nextInstant returns when DeliverDue has work next: the instant of the
// earliest prepared fire, or PrepareAhead before the earliest queued one.
func (d *FireDelivery) nextInstant() (int64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	next, ok := int64(0), false
	if d.queue.Len() > 0 {
		next, ok = d.queue[0].FireTime-d.ahead, true
	}
	if d.ready.Len() > 0 && (!ok || d.ready[0].f.FireTime < next) {
		next, ok = d.ready[0].f.FireTime, true
	}
	return next, ok
}

// DeliverDue starts the delivery of every prepared fire whose instant has
// come, then claims the queued fires due within PrepareAhead (in one
// statement) and prepares those it won: their logs are written now and
// their executor calls made at the instant (at once when it has passed).
// It returns how many fires it claimed. Deliveries run in the background,
// at most Workers at once; Wait waits for them. Fires it could not claim
// (another node took them over, or the database is away) are left to
// recovery.
func (d *FireDelivery) DeliverDue(ctx context.Context) int {
	d.startReady(ctx, d.clock.Now().UnixMilli())
	now := d.clock.Now().UnixMilli()
	var due []ports.Fire
	jobs := map[fireKey]*domain.JobInfo{}
	d.mu.Lock()
	for d.queue.Len() > 0 && d.queue[0].FireTime <= now+d.ahead && len(due) < maxPrepare {
		f := heap.Pop(&d.queue).(ports.Fire)
		due = append(due, f)
		k := fireKey{f.JobID, f.FireTime}
		if j := d.planned[k]; j != nil {
			jobs[k] = j
			delete(d.planned, k)
		}
	}
	d.mu.Unlock()
	if len(due) == 0 {
		return 0
	}
	due = d.dropMisfires(ctx, due, jobs, now)
	claimed := d.claimAll(ctx, due)
	reqs := make([]TriggerRequest, len(claimed))
	for i, f := range claimed {
		reqs[i] = TriggerRequest{JobID: f.JobID, Type: f.Type, FailRetryCount: -1, FireTime: time.UnixMilli(f.FireTime),
			Job: jobs[fireKey{f.JobID, f.FireTime}]}
	}
	pts := d.trig.Prepare(ctx, reqs)
	d.mu.Lock()
	for i, f := range claimed {
		heap.Push(&d.ready, readyFire{f: f, job: reqs[i].Job, pt: pts[i]})
	}
	d.mu.Unlock()
	d.startReady(ctx, d.clock.Now().UnixMilli())
	return len(claimed)
}

// maxPrepare bounds the fires one DeliverDue claims and prepares. Behind
// its queue (overload), a node prepares the oldest fires a batch at a
// time, so the fires that turn into misfires meanwhile are skipped before
// any log is written for them.
const maxPrepare = 2000

// startReady starts the delivery of the prepared fires due at now.
func (d *FireDelivery) startReady(ctx context.Context, now int64) {
	for {
		d.mu.Lock()
		if d.ready.Len() == 0 || d.ready[0].f.FireTime > now {
			d.mu.Unlock()
			return
		}
		r := heap.Pop(&d.ready).(readyFire)
		d.mu.Unlock()
		d.startFire(ctx, r)
	}
}

// dropMisfires hands the fires that are already more than the misfire
// threshold late (an overloaded node falling behind) to the misfire policy,
// as recovery would, and returns the others. Without it a node that cannot
// keep up would work through an ever older backlog.
func (d *FireDelivery) dropMisfires(ctx context.Context, due []ports.Fire, jobs map[fireKey]*domain.JobInfo, now int64) []ports.Fire {
	limit := now - d.opts.MisfireThreshold.Milliseconds()
	latest := map[int64]int64{}
	onTime := due[:0:0]
	var late []ports.Fire
	for _, f := range due {
		if f.FireTime < limit {
			late = append(late, f)
			latest[f.JobID] = max(latest[f.JobID], f.FireTime)
		} else {
			onTime = append(onTime, f)
		}
	}
	// The fires of DO_NOTHING jobs as the scan read them are skipped in one
	// statement: under overload there are many, and each would otherwise
	// cost a job read and a write.
	var skip []ports.Fire
	rest := late[:0:0]
	for _, f := range late {
		if j := jobs[fireKey{f.JobID, f.FireTime}]; j != nil && j.MisfireStrategy.OrDefault() == domain.MisfireDoNothing {
			skip = append(skip, f)
		} else {
			rest = append(rest, f)
		}
	}
	if len(skip) > 0 {
		to := ports.Fire{State: ports.FireSkipped, Node: d.opts.Node, UpdatedAt: d.stamp()}
		moved, err := d.fires.MoveFires(ctx, ports.FirePending, d.opts.Node, skip, to)
		if err != nil {
			d.opts.Logger.Warn("skip late fires; recovery retries them", "fires", len(skip), "err", err)
		}
		for range moved {
			d.opts.Metrics.FireSkipped()
		}
		if len(moved) > 0 {
			d.opts.Logger.Info("misfire: late fires skipped", "fires", len(moved))
		}
	}
	for _, f := range rest {
		isLatest := latest[f.JobID] == f.FireTime
		d.start(ctx, func(ctx context.Context) {
			if _, err := d.recoverOne(ctx, f, d.clock.Now(), isLatest); err != nil {
				d.opts.Logger.Warn("misfire of a late fire; recovery retries it", "job_id", f.JobID, "fire_time", f.FireTime, "err", err)
			}
		})
	}
	return onTime
}

// claimAll moves this node's pending fires to claimed in one statement.
func (d *FireDelivery) claimAll(ctx context.Context, fires []ports.Fire) []ports.Fire {
	if len(fires) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	at := d.stamp()
	// The lease runs from the instant: a fire claimed ahead of it is not
	// overdue before it was due.
	lease := at
	for _, f := range fires {
		lease = max(lease, f.FireTime)
	}
	lease += d.opts.ClaimLease.Milliseconds()
	to := ports.Fire{State: ports.FireClaimed, Node: d.opts.Node, LeaseUntil: lease, UpdatedAt: at}
	claimed, err := d.fires.MoveFires(ctx, ports.FirePending, d.opts.Node, fires, to)
	if err != nil {
		d.opts.Logger.Warn("claim due fires; recovery retries them", "fires", len(fires), "err", err)
	}
	return claimed
}

// moveClaimed returns a batch write that moves this node's claimed fires to
// state in one statement.
func (d *FireDelivery) moveClaimed(state ports.FireState) func(context.Context, []ports.Fire) error {
	return func(ctx context.Context, fires []ports.Fire) error {
		to := ports.Fire{State: state, Node: d.opts.Node, UpdatedAt: d.stamp()}
		_, err := d.fires.MoveFires(ctx, ports.FireClaimed, d.opts.Node, fires, to)
		return err
	}
}

// start runs fn on a worker; it waits for a free worker, which only
// happens when Workers triggers are all slow at once.
func (d *FireDelivery) start(ctx context.Context, fn func(ctx context.Context)) {
	d.startWorker(ctx, func(ctx context.Context, _ func()) { fn(ctx) })
}

// startWorker is start for a fn that may hand its worker on before it
// returns, by calling release (once or more).
func (d *FireDelivery) startWorker(ctx context.Context, fn func(ctx context.Context, release func())) {
	d.inflight <- struct{}{}
	d.sem <- struct{}{}
	d.wg.Add(1)
	go func() {
		release := sync.OnceFunc(func() { <-d.sem })
		defer func() { release(); <-d.inflight; d.wg.Done() }()
		// A delivery outlives the loop that started it (a claimed fire is
		// finished rather than left for recovery), within its own bound.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		fn(ctx, release)
	}()
}

// startFire runs a prepared fire on a worker, which is free again as soon
// as the executor calls are made: writing their outcome does not hold up
// the next fires.
func (d *FireDelivery) startFire(ctx context.Context, r readyFire) {
	d.startWorker(ctx, func(ctx context.Context, release func()) {
		if r.pt != nil {
			r.pt.OnSent(release)
		}
		d.fire(ctx, r)
	})
}

// claim moves f (as stored) to claimed by this node; ok is false when
// another node won or the store failed.
func (d *FireDelivery) claim(ctx context.Context, f ports.Fire, typ domain.TriggerType) (ports.Fire, bool) {
	now := d.stamp()
	to := f
	to.Type, to.State, to.Node = typ, ports.FireClaimed, d.opts.Node
	to.LeaseUntil, to.UpdatedAt = now+d.opts.ClaimLease.Milliseconds(), now
	won, err := d.fires.MoveFire(ctx, f.State, f.Node, to)
	if err != nil {
		d.opts.Logger.Warn("claim fire", "job_id", f.JobID, "fire_time", f.FireTime, "err", err)
		return f, false
	}
	return to, won
}

// deliver runs the trigger of a fire claimed by this node and settles it.
// A trigger that failed to write its logs leaves the fire claimed: after
// ClaimLease, recovery looks for its log and delivers it again if none.
func (d *FireDelivery) deliver(ctx context.Context, f ports.Fire) {
	req := TriggerRequest{JobID: f.JobID, Type: f.Type, FailRetryCount: -1, FireTime: time.UnixMilli(f.FireTime)}
	d.fire(ctx, readyFire{f: f, pt: d.trig.Prepare(ctx, []TriggerRequest{req})[0]})
}

// fire makes the executor calls of a prepared fire and settles it. r.job
// is the job as the scan planned it, nil when unknown.
func (d *FireDelivery) fire(ctx context.Context, r readyFire) {
	f, job := r.f, r.job
	instant := time.UnixMilli(f.FireTime)
	lateness := d.clock.Now().Sub(instant)
	if job != nil && f.Type != domain.TriggerMisfire && lateness > d.opts.MisfireThreshold &&
		job.MisfireStrategy.OrDefault() == domain.MisfireDoNothing {
		// Claimed in time but waited too long for a worker (an overloaded
		// node): DO_NOTHING drops it rather than run it this late, and
		// the logs prepared for it go too.
		if err := d.discard(ctx, r.pt); err != nil {
			d.opts.Logger.Warn("discard the logs of a late fire; recovery retries it", "job_id", f.JobID, "fire_time", f.FireTime, "err", err)
			return
		}
		if err := d.skipped.do(ctx, []ports.Fire{f}); err != nil {
			d.opts.Logger.Warn("skip late fire", "job_id", f.JobID, "fire_time", f.FireTime, "err", err)
			return
		}
		d.opts.Metrics.FireSkipped()
		return
	}
	err := d.trig.Fire(ctx, r.pt)
	d.settleFire(ctx, f, lateness, err)
}

// settleFire records the outcome of a fire's trigger.
func (d *FireDelivery) settleFire(ctx context.Context, f ports.Fire, lateness time.Duration, err error) {
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		to := f
		to.State = ports.FireSkipped // the job was deleted meanwhile
		d.settle(ctx, f, to)
	case err != nil:
		d.opts.Logger.Warn("trigger of a fire failed; recovery retries it", "job_id", f.JobID, "fire_time", f.FireTime, "err", err)
	default:
		d.opts.Metrics.FireDelivered(f.Type, max(lateness, 0))
		// The fires of concurrent deliveries settle together, in one statement.
		if err := d.settled.do(ctx, []ports.Fire{f}); err != nil {
			d.opts.Logger.Warn("settle fire", "job_id", f.JobID, "fire_time", f.FireTime, "err", err)
		}
	}
}

// discard deletes the logs prepared for a fire that will not run.
func (d *FireDelivery) discard(ctx context.Context, pt *PreparedTrigger) error {
	if pt == nil || pt.Err != nil || len(pt.logs) == 0 {
		return nil
	}
	return d.discards.do(ctx, pt.LogIDs())
}

// settle moves a claimed fire to its final state.
func (d *FireDelivery) settle(ctx context.Context, from, to ports.Fire) {
	to.UpdatedAt = d.stamp()
	if _, err := d.fires.MoveFire(ctx, from.State, from.Node, to); err != nil {
		d.opts.Logger.Warn("settle fire", "job_id", from.JobID, "fire_time", from.FireTime, "err", err)
	}
}

// Recover takes over the fires whose lease expired and returns how many it
// took. A pending fire (its owner missed the instant) is delivered if still
// within the misfire threshold, else the job's misfire strategy applies. A
// claimed fire (its deliverer vanished mid-way) counts as delivered when
// the trigger log of its instant exists, and is treated like a pending one
// otherwise. Recover also deletes old settled records now and then.
func (d *FireDelivery) Recover(ctx context.Context) (int, error) {
	now := d.clock.Now()
	if err := d.sweep(ctx, now); err != nil {
		return 0, err
	}
	expired, err := d.fires.ExpiredFires(ctx, now.UnixMilli(), 1000)
	if err != nil {
		return 0, fmt.Errorf("find expired fires: %w", err)
	}
	// FIRE_ONCE_NOW means once: of several misfired fires of one job only
	// the latest is compensated.
	latestMisfire := map[int64]int64{}
	for _, f := range expired {
		if now.UnixMilli()-f.FireTime > d.opts.MisfireThreshold.Milliseconds() {
			latestMisfire[f.JobID] = max(latestMisfire[f.JobID], f.FireTime)
		}
	}
	n := 0
	for _, f := range expired {
		took, err := d.recoverOne(ctx, f, now, latestMisfire[f.JobID] == f.FireTime)
		if err != nil {
			return n, err
		}
		if took {
			n++
			d.opts.Metrics.FireRecovered()
		}
	}
	return n, nil
}

func (d *FireDelivery) recoverOne(ctx context.Context, f ports.Fire, now time.Time, latest bool) (bool, error) {
	late := now.Sub(time.UnixMilli(f.FireTime))
	if f.State == ports.FireClaimed {
		// The deliverer died between its claim and the trigger. Only the
		// time it was late claiming, plus how long the lease has been over,
		// counts: waiting out the lease is the protocol's, not a misfire.
		late = time.Duration(max(f.UpdatedAt-f.FireTime, 0))*time.Millisecond + now.Sub(time.UnixMilli(f.LeaseUntil))
		logs, err := d.logsOf(ctx, f)
		if err != nil {
			return false, err
		}
		if unsent := d.unrecorded(logs); len(unsent) > 0 {
			return d.resume(ctx, f, unsent, now, late)
		}
		if len(logs) > 0 {
			to := f
			to.State, to.LogID, to.Node = ports.FireDelivered, logs[0].ID, d.opts.Node
			to.UpdatedAt = now.UnixMilli()
			won, err := d.fires.MoveFire(ctx, f.State, f.Node, to)
			return won, err
		}
	}
	if late <= d.opts.MisfireThreshold {
		claimed, ok := d.claim(ctx, f, f.Type)
		if ok {
			d.opts.Logger.Info("delivering a fire another node missed", "job_id", f.JobID, "fire_time", f.FireTime, "from_node", f.Node)
			d.start(ctx, func(ctx context.Context) { d.deliver(ctx, claimed) })
		}
		return ok, nil
	}
	job, err := d.jobs.FindJobByID(ctx, f.JobID)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return false, fmt.Errorf("load job %d of a missed fire: %w", f.JobID, err)
	}
	if job != nil && latest && d.compensates(job, f, now) {
		claimed, ok := d.claim(ctx, f, domain.TriggerMisfire)
		if ok {
			d.opts.Logger.Info("misfire: firing once now", "job_id", f.JobID, "fire_time", f.FireTime, "late", late)
			d.start(ctx, func(ctx context.Context) { d.deliver(ctx, claimed) })
		}
		return ok, nil
	}
	to := f
	to.State, to.Node, to.UpdatedAt = ports.FireSkipped, d.opts.Node, now.UnixMilli()
	won, err := d.fires.MoveFire(ctx, f.State, f.Node, to)
	if err != nil {
		return false, fmt.Errorf("skip missed fire of job %d: %w", f.JobID, err)
	}
	if won {
		d.opts.Logger.Info("misfire: fire skipped", "job_id", f.JobID, "fire_time", f.FireTime, "late", late)
		d.opts.Metrics.FireSkipped()
	}
	return won, nil
}

// compensates reports whether recovery should fire a missed fire once now
// (FIRE_ONCE_NOW). Not when the scan will: a job whose trigger_next_time
// is itself a misfire gets its compensation from the scan, and a job whose
// trigger_last_time moved past the fire was scanned since (possibly with
// its own compensation). "Once" holds across both paths.
func (d *FireDelivery) compensates(job *domain.JobInfo, f ports.Fire, now time.Time) bool {
	return job.TriggerStatus == domain.TriggerRunning &&
		job.MisfireStrategy.OrDefault() == domain.MisfireFireOnceNow &&
		job.TriggerLastTime <= f.FireTime &&
		job.TriggerNextTime > now.UnixMilli()-d.opts.MisfireThreshold.Milliseconds()
}

// logsOf returns the logs of the job triggered in the fire's second (the
// trigger path stores the fire instant, to the second, as trigger_time).
func (d *FireDelivery) logsOf(ctx context.Context, f ports.Fire) ([]*domain.JobLog, error) {
	sec := time.UnixMilli(f.FireTime).Truncate(time.Second)
	page, err := d.logs.FindLogs(ctx, ports.LogFilter{JobID: f.JobID, Status: domain.LogStatusAll,
		From: sec, To: sec.Add(time.Second - time.Millisecond), Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("look for the logs of job %d at %d: %w", f.JobID, f.FireTime, err)
	}
	return page.Logs, nil
}

// unrecorded returns the logs a prepared trigger wrote whose executor call
// was never recorded: no trigger code, no result.
func (d *FireDelivery) unrecorded(logs []*domain.JobLog) []*domain.JobLog {
	var out []*domain.JobLog
	for _, l := range logs {
		if l.TriggerCode == 0 && l.HandleCode == 0 {
			out = append(out, l)
		}
	}
	return out
}

// resume takes over a claimed fire whose logs were prepared but whose
// executor calls were never recorded (the preparing node stopped between
// the two): the calls are made again under the same log ids — at least
// once — unless the fire is a misfire by now and its job says DO_NOTHING
// (or is gone), in which case the fire is skipped and its logs deleted.
func (d *FireDelivery) resume(ctx context.Context, f ports.Fire, logs []*domain.JobLog, now time.Time, late time.Duration) (bool, error) {
	if late > d.opts.MisfireThreshold {
		job, err := d.jobs.FindJobByID(ctx, f.JobID)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return false, fmt.Errorf("load job %d of a missed fire: %w", f.JobID, err)
		}
		if job == nil || job.MisfireStrategy.OrDefault() != domain.MisfireFireOnceNow {
			to := f
			to.State, to.Node, to.UpdatedAt = ports.FireSkipped, d.opts.Node, now.UnixMilli()
			won, err := d.fires.MoveFire(ctx, f.State, f.Node, to)
			if err != nil || !won {
				return won, err
			}
			ids := make([]int64, len(logs))
			for i, l := range logs {
				ids[i] = l.ID
			}
			if err := d.logs.DiscardLogs(ctx, ids); err != nil {
				d.opts.Logger.Warn("misfire: delete the unsent logs of a skipped fire", "job_id", f.JobID, "fire_time", f.FireTime, "err", err)
			}
			d.opts.Logger.Info("misfire: prepared fire skipped", "job_id", f.JobID, "fire_time", f.FireTime, "late", late)
			d.opts.Metrics.FireSkipped()
			return true, nil
		}
	}
	claimed, ok := d.claim(ctx, f, f.Type)
	if ok {
		d.opts.Logger.Info("resuming a fire another node prepared", "job_id", f.JobID, "fire_time", f.FireTime, "from_node", f.Node, "logs", len(logs))
		d.start(ctx, func(ctx context.Context) {
			req := TriggerRequest{JobID: f.JobID, Type: f.Type, FailRetryCount: -1, FireTime: time.UnixMilli(f.FireTime)}
			d.settleFire(ctx, claimed, d.clock.Now().Sub(req.FireTime), d.trig.Resume(ctx, req, logs))
		})
	}
	return ok, nil
}

// sweep deletes old settled fire records, at most once a minute.
func (d *FireDelivery) sweep(ctx context.Context, now time.Time) error {
	d.mu.Lock()
	due := now.Sub(d.swept) >= time.Minute || now.Before(d.swept)
	if due {
		d.swept = now
	}
	d.mu.Unlock()
	if !due {
		return nil
	}
	if _, err := d.fires.DeleteSettledFires(ctx, now.Add(-d.opts.KeepSettled).UnixMilli(), 5000); err != nil {
		return fmt.Errorf("delete settled fires: %w", err)
	}
	return nil
}

// fireQueue is a min-heap of fires by instant (then job id).
type fireQueue []ports.Fire

func (q fireQueue) Len() int { return len(q) }
func (q fireQueue) Less(i, j int) bool {
	if q[i].FireTime != q[j].FireTime {
		return q[i].FireTime < q[j].FireTime
	}
	return q[i].JobID < q[j].JobID
}
func (q fireQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *fireQueue) Push(x any)   { *q = append(*q, x.(ports.Fire)) }
func (q *fireQueue) Pop() any {
	old := *q
	f := old[len(old)-1]
	*q = old[:len(old)-1]
	return f
}

// readyFire is a claimed fire whose trigger is prepared, waiting for its
// instant; job is the job as the scan planned it (nil when unknown).
type readyFire struct {
	f   ports.Fire
	job *domain.JobInfo
	pt  *PreparedTrigger
}

// readyQueue is a min-heap of prepared fires by instant.
type readyQueue []readyFire

func (q readyQueue) Len() int           { return len(q) }
func (q readyQueue) Less(i, j int) bool { return q[i].f.FireTime < q[j].f.FireTime }
func (q readyQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *readyQueue) Push(x any)        { *q = append(*q, x.(readyFire)) }
func (q *readyQueue) Pop() any {
	old := *q
	r := old[len(old)-1]
	*q = old[:len(old)-1]
	return r
}
