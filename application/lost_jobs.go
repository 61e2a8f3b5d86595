package application

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// LostJobsOptions are the settings of FailLostJobs.
type LostJobsOptions struct {
	// Interval between passes (default 60 s).
	Interval time.Duration
	// LostAfter: a run of an auto-registered group still without result
	// this long after its trigger, whose executor is no longer registered,
	// is failed as lost (default 10 min, as upstream).
	LostAfter time.Duration
	// TimeoutGrace is added to a job's executor_timeout before the admin
	// fails a run the executor should have timed out itself (default 60 s).
	TimeoutGrace time.Duration
	// RegistryDeadTimeout: an executor without heartbeat for this long no
	// longer counts as registered (default domain.DeadTimeout seconds).
	RegistryDeadTimeout time.Duration
	// BatchSize bounds the running logs looked at per pass (default 5000).
	BatchSize int
	Logger    *slog.Logger
	Metrics   Metrics
}

func (o LostJobsOptions) withDefaults() LostJobsOptions {
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.LostAfter <= 0 {
		o.LostAfter = 10 * time.Minute
	}
	if o.TimeoutGrace <= 0 {
		o.TimeoutGrace = time.Minute
	}
	if o.RegistryDeadTimeout <= 0 {
		o.RegistryDeadTimeout = domain.DeadTimeout * time.Second
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 5000
	}
	o.Logger = orLogger(o.Logger)
	o.Metrics = orMetrics(o.Metrics)
	return o
}

// FailLostJobs fails runs whose result will never come (upstream's lost-job
// monitor in JobCompleteHelper), with two differences:
//   - a run on a manually configured group is never judged by registry
//     presence (its executors never register, so upstream fails every such
//     run after 10 minutes); only the timeout rule applies to it;
//   - a run older than its job's executor_timeout plus a grace period is
//     failed by the admin too (upstream relies on the executor alone).
type FailLostJobs struct {
	logs     ports.LogStore
	jobs     ports.JobStore
	groups   ports.GroupStore
	registry ports.RegistryStore
	msgs     ports.Messages
	clock    ports.Clock
	fixDelay FixDelayFinisher // may be nil
	opts     LostJobsOptions
}

// NewFailLostJobs returns the lost-run monitor. fixDelay may be nil.
func NewFailLostJobs(logs ports.LogStore, jobs ports.JobStore, groups ports.GroupStore, registry ports.RegistryStore,
	msgs ports.Messages, clock ports.Clock, fixDelay FixDelayFinisher, opts LostJobsOptions) *FailLostJobs {
	if logs == nil || jobs == nil || groups == nil || registry == nil || msgs == nil || clock == nil {
		panic("application: NewFailLostJobs: nil dependency")
	}
	return &FailLostJobs{logs: logs, jobs: jobs, groups: groups, registry: registry, msgs: msgs, clock: clock,
		fixDelay: fixDelay, opts: opts.withDefaults()}
}

// Run checks every Interval until ctx is done.
func (uc *FailLostJobs) Run(ctx context.Context) {
	l := loop{name: "lost-jobs", period: uc.opts.Interval, logger: uc.opts.Logger, metrics: uc.opts.Metrics}
	l.run(ctx, func(ctx context.Context) (time.Duration, error) {
		_, err := uc.Check(ctx)
		return untilNextMultiple(uc.clock.Now(), uc.opts.Interval), err
	})
}

// Check fails the lost and timed-out runs it finds and returns how many.
func (uc *FailLostJobs) Check(ctx context.Context) (int, error) {
	now := uc.clock.Now()
	running, err := uc.logs.RunningLogs(ctx, now.Add(-uc.opts.TimeoutGrace), uc.opts.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("find running logs: %w", err)
	} else if len(running) == 0 {
		return 0, nil
	}
	alive, err := uc.aliveAddresses(ctx, now)
	if err != nil {
		return 0, err
	}
	jobs, err := uc.jobsOf(ctx, running)
	if err != nil {
		return 0, err
	}
	groups := map[int64]*domain.Group{}
	n := 0
	for _, log := range running {
		g, err := uc.group(ctx, groups, log.GroupID)
		if err != nil {
			return n, err
		}
		code, key := uc.verdict(log, jobs[log.JobID], g, alive, now)
		if key == "" {
			continue
		}
		done, err := uc.fail(ctx, log, code, key, now)
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

// verdict decides whether a running log is lost or timed out; key is the
// i18n id of the message to record, "" to leave the run alone.
func (uc *FailLostJobs) verdict(log *domain.JobLog, job *domain.JobInfo, g *domain.Group, alive map[string]bool, now time.Time) (code int, key string) {
	if job != nil && job.ExecutorTimeout > 0 {
		limit := time.Duration(job.ExecutorTimeout)*time.Second + uc.opts.TimeoutGrace
		if now.Sub(log.TriggerTime) > limit {
			return domain.CodeTimeout, "joblog_timeout_fail"
		}
	}
	manual := g != nil && g.AddressType == domain.AddressManual
	if !manual && log.IsLost(now.Add(-uc.opts.LostAfter)) && !alive[normAddress(log.ExecutorAddress)] {
		return domain.CodeFail, "joblog_lost_fail"
	}
	return 0, ""
}

// fail records the admin's verdict unless a result arrived meanwhile.
func (uc *FailLostJobs) fail(ctx context.Context, log *domain.JobLog, code int, key string, now time.Time) (bool, error) {
	if !log.RecordHandle(code, uc.msgs.T(key, nil), now) {
		return false, nil
	}
	done, err := uc.logs.UpdateHandleInfo(ctx, log)
	if err != nil {
		return false, fmt.Errorf("fail lost log %d: %w", log.ID, err)
	} else if !done {
		return false, nil // the executor's result won the race
	}
	reason := "lost"
	if code == domain.CodeTimeout {
		reason = "timeout"
	}
	uc.opts.Logger.Warn("run failed by the admin", "log_id", log.ID, "job_id", log.JobID,
		"executor", log.ExecutorAddress, "reason", reason)
	uc.opts.Metrics.LostRun(reason)
	if uc.fixDelay != nil {
		if err := uc.fixDelay.Finished(ctx, log.JobID, now); err != nil {
			return true, fmt.Errorf("reschedule fix-delay job %d: %w", log.JobID, err)
		}
	}
	return true, nil
}

func (uc *FailLostJobs) aliveAddresses(ctx context.Context, now time.Time) (map[string]bool, error) {
	regs, err := uc.registry.AliveRegistries(ctx, now.Add(-uc.opts.RegistryDeadTimeout))
	if err != nil {
		return nil, fmt.Errorf("load registry: %w", err)
	}
	alive := make(map[string]bool, len(regs))
	for _, r := range regs {
		if r.Group == domain.RegistryExecutor {
			alive[normAddress(r.Value)] = true
		}
	}
	return alive, nil
}

func (uc *FailLostJobs) jobsOf(ctx context.Context, logs []*domain.JobLog) (map[int64]*domain.JobInfo, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, l := range logs {
		if !seen[l.JobID] {
			seen[l.JobID] = true
			ids = append(ids, l.JobID)
		}
	}
	list, err := uc.jobs.FindJobsByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("load jobs of running logs: %w", err)
	}
	out := make(map[int64]*domain.JobInfo, len(list))
	for _, j := range list {
		out[j.ID] = j
	}
	return out, nil
}

// group returns the log's group from the pass cache; nil when it is gone.
func (uc *FailLostJobs) group(ctx context.Context, cache map[int64]*domain.Group, id int64) (*domain.Group, error) {
	if g, ok := cache[id]; ok {
		return g, nil
	}
	g, err := uc.groups.FindGroupByID(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		g, err = nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load group %d: %w", id, err)
	}
	cache[id] = g
	return g, nil
}

// normAddress makes "http://h:9999/" and "http://h:9999" compare equal.
func normAddress(a string) string { return strings.TrimRight(strings.TrimSpace(a), "/") }
