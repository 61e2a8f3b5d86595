package application

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// MonitorOptions are the settings of MonitorFailures.
type MonitorOptions struct {
	// Interval between passes (default 10 s, aligned to the wall clock).
	Interval time.Duration
	// Horizon: failed logs triggered longer ago than this are marked
	// "no alarm needed" without sending, so a restart after a long outage
	// does not flood the operators (default 24 h).
	Horizon time.Duration
	// RateWindow: at most one alarm per job within this window; the next
	// one carries how many were suppressed (default 5 min; <0 = no limit).
	RateWindow time.Duration
	// BatchSize is how many failed logs one pass claims (default 1000).
	BatchSize int
	// AlarmConcurrency bounds the alarms sent at once (default 4).
	AlarmConcurrency int
	// AlarmTimeout bounds one alarm over every channel (default 1 min).
	AlarmTimeout time.Duration
	Logger       *slog.Logger
	Metrics      Metrics
}

func (o MonitorOptions) withDefaults() MonitorOptions {
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
	if o.Horizon <= 0 {
		o.Horizon = 24 * time.Hour
	}
	if o.RateWindow == 0 {
		o.RateWindow = 5 * time.Minute
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	if o.AlarmConcurrency <= 0 {
		o.AlarmConcurrency = 4
	}
	if o.AlarmTimeout <= 0 {
		o.AlarmTimeout = time.Minute
	}
	o.Logger = orLogger(o.Logger)
	o.Metrics = orMetrics(o.Metrics)
	return o
}

// Submitter queues a trigger; *TriggerPool implements it.
type Submitter interface {
	Submit(req TriggerRequest)
}

// AlarmTargets is implemented by an Alarmer that can tell whether a job has
// any channel to alarm to. A job without one is marked "no alarm needed"
// (upstream marks it "alarm success", which the log page then misreports).
type AlarmTargets interface {
	HasAlarmTargets(job *domain.JobInfo) bool
}

// FixDelayFinisher reschedules a FIX_DELAY job after a run that will never
// report a result (a failed trigger); *ScheduleFixDelay implements it.
type FixDelayFinisher interface {
	Finished(ctx context.Context, jobID int64, at time.Time) error
}

// MonitorFailures retries failed runs and alarms them (upstream's
// JobFailAlarmMonitorHelper). Each failed log is claimed with a
// compare-and-set on alarm_status (0 → -1), so several admin nodes share the
// work without alarming one log twice.
type MonitorFailures struct {
	logs     ports.LogStore
	jobs     ports.JobStore
	groups   ports.GroupStore
	retry    Submitter
	alarmer  ports.Alarmer
	msgs     ports.Messages
	clock    ports.Clock
	fixDelay FixDelayFinisher // may be nil
	opts     MonitorOptions

	limiter *alarmLimiter
	sem     chan struct{}
	wg      sync.WaitGroup
}

// NewMonitorFailures returns the fail monitor. fixDelay may be nil.
func NewMonitorFailures(logs ports.LogStore, jobs ports.JobStore, groups ports.GroupStore, retry Submitter,
	alarmer ports.Alarmer, msgs ports.Messages, clock ports.Clock, fixDelay FixDelayFinisher, opts MonitorOptions) *MonitorFailures {
	if logs == nil || jobs == nil || groups == nil || retry == nil || alarmer == nil || msgs == nil || clock == nil {
		panic("application: NewMonitorFailures: nil dependency")
	}
	opts = opts.withDefaults()
	return &MonitorFailures{
		logs: logs, jobs: jobs, groups: groups, retry: retry, alarmer: alarmer, msgs: msgs, clock: clock,
		fixDelay: fixDelay, opts: opts,
		limiter: newAlarmLimiter(opts.RateWindow),
		sem:     make(chan struct{}, opts.AlarmConcurrency),
	}
}

// Run checks every Interval until ctx is done, then waits up to 10 s for
// the alarms in flight (a log whose alarm is cut short stays at -1).
func (uc *MonitorFailures) Run(ctx context.Context) {
	l := loop{name: "monitor-failures", period: uc.opts.Interval, timeout: time.Minute, logger: uc.opts.Logger, metrics: uc.opts.Metrics}
	l.run(ctx, func(ctx context.Context) (time.Duration, error) {
		_, err := uc.Check(ctx)
		return untilNextMultiple(uc.clock.Now(), uc.opts.Interval), err
	})
	done := make(chan struct{})
	go func() { uc.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// Wait blocks until every alarm sent by earlier checks has finished.
func (uc *MonitorFailures) Wait() { uc.wg.Wait() }

// Check handles one batch of failed logs and returns how many it claimed.
// Alarms are sent in the background; Wait waits for them. A store error
// ends the pass; the log being handled is released for the next one.
func (uc *MonitorFailures) Check(ctx context.Context) (int, error) {
	ids, err := uc.logs.FailedLogIDs(ctx, uc.opts.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("find failed logs: %w", err)
	}
	n := 0
	for _, id := range ids {
		won, err := uc.logs.UpdateAlarmStatus(ctx, id, domain.AlarmDefault, domain.AlarmLocked)
		if err != nil {
			return n, fmt.Errorf("claim failed log %d: %w", id, err)
		} else if !won {
			continue // another node has it
		}
		n++
		if err := uc.handle(ctx, id); err != nil {
			uc.release(id)
			return n, err
		}
	}
	return n, nil
}

// handle retries and alarms one claimed log.
func (uc *MonitorFailures) handle(ctx context.Context, id int64) error {
	log, err := uc.logs.FindLogByID(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil // deleted meanwhile
	} else if err != nil {
		return fmt.Errorf("load failed log %d: %w", id, err)
	}
	job, err := uc.jobs.FindJobByID(ctx, log.JobID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return uc.finish(ctx, log, domain.AlarmNoNeed)
	} else if err != nil {
		return fmt.Errorf("load job %d of failed log %d: %w", log.JobID, id, err)
	}
	if err := uc.retryOrReschedule(ctx, job, log); err != nil {
		return err
	}

	now := uc.clock.Now()
	if t, ok := uc.alarmer.(AlarmTargets); ok && !t.HasAlarmTargets(job) {
		return uc.finish(ctx, log, domain.AlarmNoNeed)
	}
	if log.TriggerTime.Before(now.Add(-uc.opts.Horizon)) {
		uc.opts.Logger.Info("failed run older than the alarm horizon: not alarmed",
			"log_id", log.ID, "job_id", job.ID, "trigger_time", log.TriggerTime)
		return uc.finish(ctx, log, domain.AlarmNoNeed)
	}
	ok, suppressed := uc.limiter.allow(job.ID, now)
	if !ok {
		return uc.finish(ctx, log, domain.AlarmNoNeed) // counted in the job's next alarm
	}
	group, err := uc.groups.FindGroupByID(ctx, job.GroupID)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return fmt.Errorf("load group %d of job %d: %w", job.GroupID, job.ID, err)
	}
	return uc.dispatch(ctx, ports.Alarm{Job: job, Group: group, Log: log, Suppressed: suppressed})
}

// retryOrReschedule triggers the retry a failed log still has (keeping its
// shard and parameter) and notes it in the log's trigger_msg. A FIX_DELAY
// job whose trigger failed without a retry gets its next fire, since no
// result will ever come back for this run.
func (uc *MonitorFailures) retryOrReschedule(ctx context.Context, job *domain.JobInfo, log *domain.JobLog) error {
	if log.ExecutorFailRetryCount <= 0 {
		if uc.fixDelay != nil && job.ScheduleType == domain.ScheduleFixDelay && log.TriggerCode != domain.CodeSuccess {
			if err := uc.fixDelay.Finished(ctx, job.ID, uc.clock.Now()); err != nil {
				return fmt.Errorf("reschedule fix-delay job %d: %w", job.ID, err)
			}
		}
		return nil
	}
	param := log.ExecutorParam
	uc.retry.Submit(TriggerRequest{
		JobID:          log.JobID,
		Type:           domain.TriggerRetry,
		FailRetryCount: log.ExecutorFailRetryCount - 1,
		ShardingParam:  log.ExecutorShardingParam,
		ExecutorParam:  &param,
		FireTime:       uc.clock.Now(),
	})
	log.TriggerMsg += "<br><br><span style=\"color:#00c0ef;\" > >>>>>>>>>>>" +
		uc.msgs.T(domain.TriggerRetry.MessageID(), nil) + "<<<<<<<<<<< </span><br>"
	if err := uc.logs.UpdateTriggerInfos(ctx, []*domain.JobLog{log}); err != nil {
		return fmt.Errorf("note retry on log %d: %w", log.ID, err)
	}
	return nil
}

// dispatch sends the alarm in the background, at most AlarmConcurrency at
// once; when all are busy it waits (bounded by ctx), which slows only this
// monitor, never scheduling or triggering.
func (uc *MonitorFailures) dispatch(ctx context.Context, a ports.Alarm) error {
	select {
	case uc.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	uc.wg.Add(1)
	go func() {
		defer func() { <-uc.sem; uc.wg.Done() }()
		// The alarm outlives the pass that dispatched it.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), uc.opts.AlarmTimeout)
		defer cancel()
		status := domain.AlarmSuccess
		if err := uc.alarmer.Alarm(ctx, a); err != nil {
			status = domain.AlarmFailed
			uc.opts.Logger.Warn("alarm failed", "log_id", a.Log.ID, "job_id", a.Job.ID, "err", err)
			a.Log.TriggerMsg += "<br><span style=\"color:#dd4b39;\">" +
				uc.msgs.T("alarm_send_fail", map[string]any{"Error": html.EscapeString(err.Error())}) + "</span>"
			if err := uc.logs.UpdateTriggerInfos(ctx, []*domain.JobLog{a.Log}); err != nil {
				uc.opts.Logger.Warn("note alarm failure on log", "log_id", a.Log.ID, "err", err)
			}
		}
		if err := uc.finish(ctx, a.Log, status); err != nil {
			uc.opts.Logger.Warn("record alarm status", "log_id", a.Log.ID, "err", err)
		}
	}()
	return nil
}

// finish moves the claimed log from -1 to its final alarm status.
func (uc *MonitorFailures) finish(ctx context.Context, log *domain.JobLog, status domain.AlarmStatus) error {
	if _, err := uc.logs.UpdateAlarmStatus(ctx, log.ID, domain.AlarmLocked, status); err != nil {
		return fmt.Errorf("set alarm status of log %d: %w", log.ID, err)
	}
	return nil
}

// release gives a claimed log back (best effort) after a failed pass, so the
// next pass retries it instead of leaving it locked.
func (uc *MonitorFailures) release(id int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := uc.logs.UpdateAlarmStatus(ctx, id, domain.AlarmLocked, domain.AlarmDefault); err != nil {
		uc.opts.Logger.Warn("release failed log", "log_id", id, "err", err)
	}
}

// alarmLimiter allows one alarm per job per window and counts the rest.
type alarmLimiter struct {
	window time.Duration
	mu     sync.Mutex
	jobs   map[int64]*jobAlarms
}

type jobAlarms struct {
	last       time.Time
	suppressed int
}

func newAlarmLimiter(window time.Duration) *alarmLimiter {
	return &alarmLimiter{window: window, jobs: map[int64]*jobAlarms{}}
}

// allow reports whether the job may alarm now and, if so, how many of its
// alarms were suppressed since its last one.
func (l *alarmLimiter) allow(jobID int64, now time.Time) (bool, int) {
	if l.window < 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.jobs[jobID]
	if s != nil && now.Sub(s.last) < l.window && !now.Before(s.last) {
		s.suppressed++
		return false, 0
	}
	if s == nil {
		if len(l.jobs) > 10000 {
			l.prune(now)
		}
		s = &jobAlarms{}
		l.jobs[jobID] = s
	}
	n := s.suppressed
	s.last, s.suppressed = now, 0
	return true, n
}

// prune forgets jobs whose window ended with nothing suppressed.
func (l *alarmLimiter) prune(now time.Time) {
	for id, s := range l.jobs {
		if s.suppressed == 0 && now.Sub(s.last) >= l.window {
			delete(l.jobs, id)
		}
	}
}
