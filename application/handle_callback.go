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
	errs := make([]error, len(params))
	if len(params) == 1 {
		errs[0] = uc.handleOne(ctx, params[0])
		return errs[0]
	}
	// Items are independent (each log is updated only while it has no
	// result), so a batch is handled a few at a time.
	sem := make(chan struct{}, callbackParallelism)
	var wg sync.WaitGroup
	for i, p := range params {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = uc.handleOne(ctx, p)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// callbackParallelism bounds the items of one callback batch handled at once.
const callbackParallelism = 8

func (uc *HandleCallback) handleOne(ctx context.Context, p domain.CallbackParam) error {
	log, err := uc.logs.FindLogByID(ctx, p.LogID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	} else if err != nil {
		return fmt.Errorf("callback of log %d: %w", p.LogID, err)
	}
	if log.Finished() {
		return nil
	}
	msg := p.HandleMsg
	var children []int64
	if p.HandleCode == domain.CodeSuccess {
		report, ids, err := uc.childReport(ctx, log.JobID)
		if err != nil {
			return fmt.Errorf("callback of log %d: %w", p.LogID, err)
		}
		msg, children = msg+report, ids
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
func (uc *HandleCallback) childReport(ctx context.Context, jobID int64) (string, []int64, error) {
	job, err := uc.jobs.FindJobByID(ctx, jobID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return "", nil, nil
	} else if err != nil {
		return "", nil, err
	}
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
