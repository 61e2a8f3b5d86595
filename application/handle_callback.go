package application

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// HandleCallback records the results executors report for their runs and
// starts the child jobs of a successful run (upstream's JobCompleteHelper).
type HandleCallback struct {
	logs     ports.LogStore
	jobs     ports.JobStore
	pool     Submitter
	msgs     ports.Messages
	clock    ports.Clock
	metrics  Metrics
	fixDelay FixDelayFinisher // nil: no FIX_DELAY bookkeeping
	// small group-commits concurrent small requests (an executor's callback
	// thread often sends one result at a time): they are read and written
	// together, a few statements for the lot.
	small *batcher[domain.CallbackParam]
}

// smallCallback is the largest request handled together with concurrent
// ones; a larger one is a batch already and is handled on its own.
const smallCallback = 16

// NewHandleCallback returns the use case; child jobs are submitted to pool
// (a *TriggerPool). metrics may be nil.
func NewHandleCallback(logs ports.LogStore, jobs ports.JobStore, pool Submitter, msgs ports.Messages,
	clock ports.Clock, metrics Metrics) *HandleCallback {
	mustDeps("NewHandleCallback", logs, jobs, pool, msgs, clock)
	if metrics == nil {
		metrics = NopMetrics{}
	}
	uc := &HandleCallback{logs: logs, jobs: jobs, pool: pool, msgs: msgs, clock: clock, metrics: metrics}
	uc.small = newBatcher(uc.handle)
	return uc
}

// WithFixDelay makes every recorded result schedule the next run of a
// FIX_DELAY job (a no-op for other jobs).
func (uc *HandleCallback) WithFixDelay(f FixDelayFinisher) *HandleCallback {
	uc.fixDelay = f
	return uc
}

// Handle records each result. A result for an unknown log, or for a log
// that already has one, is skipped: the first result wins, on every admin
// node, because the store writes a result only while handle_code is 0
// (LogStore.CompleteLogs) and reports which it wrote; only those trigger
// child jobs and FIX_DELAY bookkeeping. Within a batch (and among the small
// requests handled together) the first result for a log wins. On an error
// the results that were written still take effect, and the executor may
// safely send the whole batch again.
func (uc *HandleCallback) Handle(ctx context.Context, params []domain.CallbackParam) error {
	switch {
	case len(params) == 0:
		return nil
	case len(params) <= smallCallback:
		return uc.small.do(ctx, params)
	}
	return uc.handle(ctx, params)
}

// handle records one batch: one read of its logs, one of their jobs, one
// conditional write of every result, then the effects of the results won.
func (uc *HandleCallback) handle(ctx context.Context, params []domain.CallbackParam) error {
	params = firstPerLog(params)
	logs, err := uc.loadLogs(ctx, params)
	if err != nil {
		return err
	}
	open := params[:0:0]
	for _, p := range params {
		if l := logs[p.LogID]; l != nil && !l.Finished() {
			open = append(open, p)
		}
	}
	if len(open) == 0 {
		return nil
	}
	jobs, err := uc.loadJobs(ctx, open, logs)
	if err != nil {
		return err
	}
	plans, err := uc.childPlans(ctx, open, logs, jobs)
	if err != nil {
		return err
	}
	now := uc.clock.Now()
	results := make([]*domain.JobLog, len(open))
	children := make(map[int64][]int64)
	for i, p := range open {
		log := new(domain.JobLog)
		*log = *logs[p.LogID]
		msg := p.HandleMsg
		if p.HandleCode == domain.CodeSuccess {
			plan := plans[log.JobID]
			msg, children[log.ID] = msg+plan.report, plan.children
		}
		log.RecordHandle(p.HandleCode, msg, now)
		results[i] = log
	}
	won, err := uc.logs.CompleteLogs(ctx, results)
	if err != nil {
		err = fmt.Errorf("callback of %d logs: %w", len(results), err)
	}
	// What was written takes effect even if a later part failed.
	return errors.Join(err, uc.finish(ctx, results, won, jobs, children, now))
}

// finish acts on the results this node wrote (won): metrics, child jobs,
// and the next run of each FIX_DELAY job among them, once per job. Children
// start only once the result is stored, so a callback sent twice (or to two
// nodes) triggers them once.
func (uc *HandleCallback) finish(ctx context.Context, results []*domain.JobLog, won []int64,
	jobs map[int64]*domain.JobInfo, children map[int64][]int64, now time.Time) error {
	if len(won) == 0 {
		return nil
	}
	wrote := make(map[int64]bool, len(won))
	for _, id := range won {
		wrote[id] = true
	}
	var fixDelay []int64
	seen := map[int64]bool{}
	for _, log := range results {
		if !wrote[log.ID] {
			continue // another node or an earlier copy of this callback was first
		}
		uc.metrics.CallbackLatency(now.Sub(log.TriggerTime))
		for _, id := range children[log.ID] {
			uc.pool.Submit(NewTriggerRequest(id, domain.TriggerParent))
		}
		if job := jobs[log.JobID]; uc.fixDelay != nil && job != nil && job.ScheduleType == domain.ScheduleFixDelay &&
			!seen[job.ID] {
			seen[job.ID] = true
			fixDelay = append(fixDelay, job.ID)
		}
	}
	var errs []error
	for _, id := range fixDelay {
		// A FIX_DELAY job's next run counts from this result.
		if err := uc.fixDelay.Finished(ctx, id, now); err != nil {
			errs = append(errs, fmt.Errorf("callback: schedule next fixed-delay run of job %d: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// firstPerLog drops the items of a batch that repeat an earlier item's log
// id: the first result wins, as when the items are handled in order.
func firstPerLog(params []domain.CallbackParam) []domain.CallbackParam {
	if len(params) < 2 {
		return params
	}
	seen := make(map[int64]bool, len(params))
	out := params[:0:0]
	for _, p := range params {
		if !seen[p.LogID] {
			seen[p.LogID] = true
			out = append(out, p)
		}
	}
	return out
}

// loadLogs reads the logs a batch names (distinct ids); unknown ids are
// simply absent.
func (uc *HandleCallback) loadLogs(ctx context.Context, params []domain.CallbackParam) (map[int64]*domain.JobLog, error) {
	out := make(map[int64]*domain.JobLog, len(params))
	if len(params) == 1 {
		log, err := uc.logs.FindLogByID(ctx, params[0].LogID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("callback of log %d: %w", params[0].LogID, err)
		}
		out[log.ID] = log
		return out, nil
	}
	ids := make([]int64, len(params))
	for i, p := range params {
		ids[i] = p.LogID
	}
	logs, err := uc.logs.FindLogsByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("callback of %d logs: %w", len(ids), err)
	}
	for _, l := range logs {
		out[l.ID] = l
	}
	return out, nil
}

// loadJobs reads, once, the jobs whose results need them: those of
// successful runs (child jobs) and, with FIX_DELAY bookkeeping, all of them.
// A job that no longer exists is absent.
func (uc *HandleCallback) loadJobs(ctx context.Context, open []domain.CallbackParam,
	logs map[int64]*domain.JobLog) (map[int64]*domain.JobInfo, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, p := range open {
		l := logs[p.LogID]
		if (p.HandleCode == domain.CodeSuccess || uc.fixDelay != nil) && !seen[l.JobID] {
			seen[l.JobID] = true
			ids = append(ids, l.JobID)
		}
	}
	out := make(map[int64]*domain.JobInfo, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	jobs, err := uc.jobs.FindJobsByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("callback: read jobs: %w", err)
	}
	for _, j := range jobs {
		out[j.ID] = j
	}
	return out, nil
}

// childPlan is what a successful run of one job appends and triggers.
type childPlan struct {
	report   string
	children []int64
}

// childPlans prepares the child-job report of every job with a successful
// result among open, checking which child ids exist with one read.
func (uc *HandleCallback) childPlans(ctx context.Context, open []domain.CallbackParam,
	logs map[int64]*domain.JobLog, jobs map[int64]*domain.JobInfo) (map[int64]childPlan, error) {
	var parents []*domain.JobInfo
	var items []string
	seen := map[int64]bool{}
	for _, p := range open {
		job := jobs[logs[p.LogID].JobID]
		if p.HandleCode != domain.CodeSuccess || job == nil || seen[job.ID] || strings.TrimSpace(job.ChildJobIDs) == "" {
			continue
		}
		seen[job.ID] = true
		parents = append(parents, job)
		items = append(items, strings.Split(job.ChildJobIDs, ",")...)
	}
	if len(parents) == 0 {
		return nil, nil
	}
	exists, err := uc.existingJobs(ctx, items)
	if err != nil {
		return nil, fmt.Errorf("callback: read child jobs: %w", err)
	}
	plans := make(map[int64]childPlan, len(parents))
	for _, job := range parents {
		report, ids := uc.childReport(job, exists)
		plans[job.ID] = childPlan{report: report, children: ids}
	}
	return plans, nil
}

// childReport returns the child-trigger report appended to a successful
// run's message and the children to trigger; exists holds the child ids
// that name a job. The job itself is never its own child; ids that are not
// numbers or name no job are reported invalid.
func (uc *HandleCallback) childReport(job *domain.JobInfo, exists map[int64]bool) (string, []int64) {
	items := strings.Split(job.ChildJobIDs, ",")
	var b strings.Builder
	b.WriteString(header(uc.msgs, "jobconf_trigger_child_run"))
	var children []int64
	for i, item := range items {
		item = strings.TrimSpace(item)
		id, _ := strconv.ParseInt(item, 10, 64)
		data := map[string]any{"Index": i + 1, "Total": len(items), "JobID": item}
		switch {
		case id == job.ID:
			continue
		case exists[id]:
			children = append(children, id)
			b.WriteString(uc.msgs.T("jobconf_callback_child_msg1", data))
		default:
			b.WriteString(uc.msgs.T("jobconf_callback_child_msg2", data))
		}
	}
	return b.String(), children
}

func (uc *HandleCallback) existingJobs(ctx context.Context, items []string) (map[int64]bool, error) {
	var ids []int64
	for _, item := range items {
		if id, err := strconv.ParseInt(strings.TrimSpace(item), 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	exists := map[int64]bool{}
	if len(ids) == 0 {
		return exists, nil
	}
	jobs, err := uc.jobs.FindJobsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		exists[j.ID] = true
	}
	return exists, nil
}
