package application

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

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
}

// NewHandleCallback returns the use case; child jobs are submitted to pool
// (a *TriggerPool). metrics may be nil.
func NewHandleCallback(logs ports.LogStore, jobs ports.JobStore, pool Submitter, msgs ports.Messages,
	clock ports.Clock, metrics Metrics) *HandleCallback {
	mustDeps("NewHandleCallback", logs, jobs, pool, msgs, clock)
	if metrics == nil {
		metrics = NopMetrics{}
	}
	return &HandleCallback{logs: logs, jobs: jobs, pool: pool, msgs: msgs, clock: clock, metrics: metrics}
}

// WithFixDelay makes every recorded result schedule the next run of a
// FIX_DELAY job (a no-op for other jobs).
func (uc *HandleCallback) WithFixDelay(f FixDelayFinisher) *HandleCallback {
	uc.fixDelay = f
	return uc
}

// Handle records each result. A result for an unknown log, or for a log
// that already has one, is skipped: the first result wins, on every admin
// node, because the store writes it only while handle_code is 0. Every
// item is tried; the error joins the store failures, after which the
// executor may safely send the whole batch again.
func (uc *HandleCallback) Handle(ctx context.Context, params []domain.CallbackParam) error {
	params = firstPerLog(params)
	if len(params) == 0 {
		return nil
	}
	// A batch reads its logs, and the jobs of its successful runs, once.
	logs, err := uc.loadLogs(ctx, params)
	if err != nil {
		return err
	}
	plans, err := uc.childPlans(ctx, params, logs)
	if err != nil {
		return err
	}
	errs := make([]error, len(params))
	if len(params) == 1 {
		return uc.record(ctx, params[0], logs[params[0].LogID], plans)
	}
	// Items are independent (each log is updated only while it has no
	// result), so a batch is written a few at a time.
	sem := make(chan struct{}, callbackParallelism)
	var wg sync.WaitGroup
	for i, p := range params {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = uc.record(ctx, p, logs[p.LogID], plans)
		})
	}
	wg.Wait()
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

// callbackParallelism bounds the items of one callback batch written at once.
const callbackParallelism = 8

// loadLogs reads the logs a batch names; unknown ids are simply absent.
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
	ids := make([]int64, 0, len(params))
	for _, p := range params {
		if _, seen := out[p.LogID]; !seen {
			out[p.LogID] = nil
			ids = append(ids, p.LogID)
		}
	}
	logs, err := uc.logs.FindLogsByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("callback of %d logs: %w", len(ids), err)
	}
	clear(out)
	for _, l := range logs {
		out[l.ID] = l
	}
	return out, nil
}

// childPlan is what a successful run of one job appends and triggers.
type childPlan struct {
	report   string
	children []int64
}

// childPlans prepares the child-job report of every job with a successful
// result in the batch.
func (uc *HandleCallback) childPlans(ctx context.Context, params []domain.CallbackParam,
	logs map[int64]*domain.JobLog) (map[int64]childPlan, error) {
	var jobIDs []int64
	seen := map[int64]bool{}
	for _, p := range params {
		if l := logs[p.LogID]; p.HandleCode == domain.CodeSuccess && l != nil && !l.Finished() && !seen[l.JobID] {
			seen[l.JobID] = true
			jobIDs = append(jobIDs, l.JobID)
		}
	}
	if len(jobIDs) == 0 {
		return nil, nil
	}
	jobs, err := uc.jobs.FindJobsByIDs(ctx, jobIDs)
	if err != nil {
		return nil, fmt.Errorf("callback: read jobs: %w", err)
	}
	plans := make(map[int64]childPlan, len(jobs))
	for _, job := range jobs {
		report, ids, err := uc.childReport(ctx, job)
		if err != nil {
			return nil, fmt.Errorf("callback: child jobs of job %d: %w", job.ID, err)
		}
		plans[job.ID] = childPlan{report: report, children: ids}
	}
	return plans, nil
}

// record stores one result on its log (nil: unknown log, ignored).
func (uc *HandleCallback) record(ctx context.Context, p domain.CallbackParam, stored *domain.JobLog,
	plans map[int64]childPlan) error {
	if stored == nil || stored.Finished() {
		return nil
	}
	log := new(domain.JobLog)
	*log = *stored // a batch may name one log twice: each item works on its own copy
	msg := p.HandleMsg
	var children []int64
	if p.HandleCode == domain.CodeSuccess {
		plan := plans[log.JobID]
		msg, children = msg+plan.report, plan.children
	}
	now := uc.clock.Now()
	log.RecordHandle(p.HandleCode, msg, now)
	won, err := uc.logs.UpdateHandleInfo(ctx, log)
	if err != nil {
		return fmt.Errorf("callback of log %d: %w", p.LogID, err)
	}
	if !won {
		return nil // another node or an earlier copy of this callback was first
	}
	uc.metrics.CallbackLatency(now.Sub(log.TriggerTime))
	if uc.fixDelay != nil {
		// A FIX_DELAY job's next run counts from this result.
		if err := uc.fixDelay.Finished(ctx, log.JobID, now); err != nil {
			return fmt.Errorf("callback of log %d: schedule next fixed-delay run: %w", p.LogID, err)
		}
	}
	// Children start only once this result is stored, so a callback sent
	// twice (or to two nodes) triggers them once.
	for _, id := range children {
		uc.pool.Submit(NewTriggerRequest(id, domain.TriggerParent))
	}
	return nil
}

// childReport returns the child-trigger report appended to a successful
// run's message and the children to trigger. The job itself is never its
// own child; ids that are not numbers or name no job are reported invalid.
func (uc *HandleCallback) childReport(ctx context.Context, job *domain.JobInfo) (string, []int64, error) {
	if strings.TrimSpace(job.ChildJobIDs) == "" {
		return "", nil, nil
	}
	items := strings.Split(job.ChildJobIDs, ",")
	exists, err := uc.existingJobs(ctx, items)
	if err != nil {
		return "", nil, err
	}
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
	return b.String(), children, nil
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
