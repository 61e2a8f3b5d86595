package application

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// FixDelayWaiting is the trigger_next_time of a running FIX_DELAY job whose
// last run has not finished yet (9999-12-31T00:00:00Z in epoch ms): far
// beyond any scan window, so the job is not scheduled until
// ScheduleFixDelay.Finished sets its next instant from the run's end.
const FixDelayWaiting int64 = 253402214400000

// ScheduleOptions are the settings of ScanSchedule.
type ScheduleOptions struct {
	// Location is the zone of schedules without their own time zone.
	Location *time.Location
	// PreRead is how far ahead a scan reads due jobs; a fire more than
	// PreRead late is a misfire (default 5 s, as upstream).
	PreRead time.Duration
	// BatchSize is how many due jobs one scan reads (default 5000, upstream's
	// (fast max + slow max) * 10).
	BatchSize int
	// MaxFiresPerJob bounds the fires one scan plans for one job (default 100).
	MaxFiresPerJob int
	// Timeout bounds one scan (default 30 s).
	Timeout time.Duration
	Logger  *slog.Logger
	Metrics Metrics
}

func (o ScheduleOptions) withDefaults() ScheduleOptions {
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.PreRead <= 0 {
		o.PreRead = 5 * time.Second
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 5000
	}
	if o.MaxFiresPerJob <= 0 {
		o.MaxFiresPerJob = 100
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	o.Logger = orLogger(o.Logger)
	o.Metrics = orMetrics(o.Metrics)
	return o
}

// ScanSchedule is the scheduler's planning half (upstream's
// JobScheduleHelper): under the cluster-wide schedule lock it reads the
// jobs due within the pre-read window, computes their fire instants in each
// job's zone, applies the misfire strategy to jobs found too late, stops
// jobs whose schedule ends or is invalid, and — in the same transaction —
// records every planned fire and advances trigger_next_time. The fires then
// go to FireDelivery, which triggers each at its exact instant.
type ScanSchedule struct {
	locker   ports.ScheduleLocker
	delivery *FireDelivery
	clock    ports.Clock
	opts     ScheduleOptions
}

// NewScanSchedule returns the schedule scan.
func NewScanSchedule(locker ports.ScheduleLocker, delivery *FireDelivery, clock ports.Clock, opts ScheduleOptions) *ScanSchedule {
	mustDeps("NewScanSchedule", locker, delivery, clock)
	return &ScanSchedule{locker: locker, delivery: delivery, clock: clock, opts: opts.withDefaults()}
}

// Run scans until ctx is done: every second while jobs are due, else once
// per PreRead minus a second, backing off while the database is away.
func (uc *ScanSchedule) Run(ctx context.Context) {
	idle := max(uc.opts.PreRead-time.Second, time.Second)
	l := loop{name: "schedule", period: idle, timeout: uc.opts.Timeout, logger: uc.opts.Logger, metrics: uc.opts.Metrics}
	l.run(ctx, func(ctx context.Context) (time.Duration, error) {
		n, err := uc.Scan(ctx)
		switch {
		case err != nil:
			return 0, err
		case n >= uc.opts.BatchSize:
			return time.Millisecond, nil // more are due: go on at once
		case n > 0:
			return untilNextMultiple(uc.clock.Now(), time.Second), nil
		}
		return untilNextMultiple(uc.clock.Now(), idle), nil
	})
}

// Scan runs one scan and returns how many due jobs it read. It returns
// EUNAVAILABLE when the schedule lock row is missing (nothing is
// scheduled then) and EINTERNAL when the store cannot record fires.
func (uc *ScanSchedule) Scan(ctx context.Context) (int, error) {
	start := time.Now()
	var recorded []ports.Fire
	var jobs []*domain.JobInfo
	var found int
	err := uc.locker.WithScheduleLock(ctx, func(ctx context.Context, tx ports.ScheduleTx) error {
		rec, ok := tx.(ports.FireRecorder)
		if !ok {
			return domain.Errorf(domain.EINTERNAL, "The store cannot record fires; scheduling is disabled.")
		}
		now := uc.clock.Now()
		var err error
		jobs, err = tx.SchedulableJobs(ctx, now.UnixMilli()+uc.opts.PreRead.Milliseconds(), uc.opts.BatchSize)
		if err != nil {
			return fmt.Errorf("read due jobs: %w", err)
		}
		found = len(jobs)
		var fires []ports.Fire
		updates := make([]ports.ScheduleUpdate, 0, len(jobs))
		for _, job := range jobs {
			f, u := uc.plan(job, now)
			fires = append(fires, f...)
			updates = append(updates, u)
		}
		if len(fires) > 0 {
			if recorded, err = rec.RecordFires(ctx, fires); err != nil {
				return fmt.Errorf("record fires: %w", err)
			}
		}
		if err := tx.UpdateSchedules(ctx, updates); err != nil {
			return fmt.Errorf("advance schedules: %w", err)
		}
		return nil
	})
	uc.opts.Metrics.ScanDone(time.Since(start), err == nil)
	if err != nil {
		if domain.ErrorCode(err) == domain.EUNAVAILABLE {
			uc.opts.Logger.Error("refusing to schedule", "reason", domain.ErrorMessage(err))
		}
		return 0, err
	}
	// Only committed fires are queued; a crash before this line leaves them
	// pending in the database for recovery.
	uc.delivery.AddPlanned(jobs, recorded...)
	return found, nil
}

// plan returns the fires of one due job and its new schedule state.
func (uc *ScanSchedule) plan(job *domain.JobInfo, now time.Time) ([]ports.Fire, ports.ScheduleUpdate) {
	p := schedulePlan{uc: uc, job: job, now: now, loc: job.Location(uc.opts.Location),
		upd:  ports.ScheduleUpdate{JobID: job.ID, TriggerLastTime: job.TriggerLastTime},
		next: job.TriggerNextTime}
	nowMs, window := now.UnixMilli(), uc.opts.PreRead.Milliseconds()
	if nowMs > p.next+window {
		// Misfire: the instant passed more than the window ago (admin down,
		// database away, clock jumped forward).
		p.upd.TriggerLastTime = p.next
		if job.MisfireStrategy.OrDefault() == domain.MisfireFireOnceNow {
			uc.opts.Logger.Info("misfire: firing once now", "job_id", job.ID, "missed", time.UnixMilli(p.next))
			if p.fire(nowMs, domain.TriggerMisfire) {
				return p.done()
			}
		} else {
			uc.opts.Logger.Info("misfire: skipped", "job_id", job.ID, "missed", time.UnixMilli(p.next))
			uc.opts.Metrics.FireSkipped()
		}
		if !p.advance(now) {
			return p.done()
		}
	}
	// Every instant up to the end of the window is planned, including
	// those already a little (less than the window) late: they are not
	// misfires, so they fire at once. Upstream fires a late job once and
	// goes on from now, silently dropping the instants in between.
	for n := 0; p.next <= nowMs+window && n < uc.opts.MaxFiresPerJob; n++ {
		if p.fire(p.next, domain.TriggerCron) || !p.advance(time.UnixMilli(p.next)) {
			return p.done()
		}
	}
	return p.done()
}

// schedulePlan accumulates one job's fires and schedule update.
type schedulePlan struct {
	uc    *ScanSchedule
	job   *domain.JobInfo
	now   time.Time
	loc   *time.Location
	fires []ports.Fire
	upd   ports.ScheduleUpdate
	next  int64
}

// fire plans a fire at the instant and reports whether planning ends here:
// a FIX_DELAY job fires once and then waits for its run to finish.
func (p *schedulePlan) fire(at int64, typ domain.TriggerType) bool {
	p.fires = append(p.fires, p.uc.delivery.newFire(p.job.ID, at, typ, p.now))
	if typ == domain.TriggerCron {
		p.upd.TriggerLastTime = at
	}
	if p.job.ScheduleType == domain.ScheduleFixDelay {
		p.next = FixDelayWaiting
		return true
	}
	return false
}

// advance moves next to the schedule's instant after from; when there is
// none (the schedule ended) or the schedule is invalid, the job is stopped
// and advance returns false.
func (p *schedulePlan) advance(from time.Time) bool {
	next, ok, err := p.job.NextTriggerTime(from, p.loc)
	if err != nil || !ok {
		reason := "the schedule never fires again"
		if err != nil {
			reason = "the schedule is invalid: " + err.Error()
		}
		p.uc.opts.Logger.Warn("job stopped by the scheduler", "job_id", p.job.ID,
			"schedule_type", p.job.ScheduleType, "schedule_conf", p.job.ScheduleConf, "reason", reason)
		p.upd.Stop, p.upd.TriggerLastTime, p.next = true, 0, 0
		return false
	}
	p.next = next.UnixMilli()
	return true
}

func (p *schedulePlan) done() ([]ports.Fire, ports.ScheduleUpdate) {
	p.upd.TriggerNextTime = p.next
	return p.fires, p.upd
}

// newFire returns a pending fire owned by this node, which other nodes may
// take over PendingGrace after its instant.
func (d *FireDelivery) newFire(jobID, at int64, typ domain.TriggerType, now time.Time) ports.Fire {
	return ports.Fire{JobID: jobID, FireTime: at, Type: typ, State: ports.FirePending, Node: d.opts.Node,
		LeaseUntil: at + d.opts.PendingGrace.Milliseconds(), UpdatedAt: now.UnixMilli()}
}
