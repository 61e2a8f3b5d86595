package executor

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// Messages the executor answers or reports with, worded as upstream's so
// that admins and people reading trigger logs see what they know.
const (
	msgDiscardLater    = "block strategy effect：Discard Later"
	reasonCoverEarly   = "block strategy effect：Cover Early"
	reasonChange       = "change job handler or glue type, and terminate the old job thread."
	reasonAdminKill    = "scheduling center kill job."
	reasonShutdown     = "executor stopped, and kill the job."
	suffixKilledRun    = " [job running, killed]"
	suffixKilledQueued = " [job not executed, in the job queue, killed.]"
	msgTimeout         = "job execute timeout "
	msgStopping        = "executor is stopping."
	msgIdleBusy        = "job thread is running or has trigger queue."
	msgAlreadyKilled   = "job thread already killed."
)

// trigger is one accepted /run request with the handler that will run it.
type trigger struct {
	p   domain.TriggerParam
	run Handler
}

// worker runs the triggers of one job id, one at a time, in order.
type worker struct {
	jobID   int64
	key     string // what it runs; a trigger with another key replaces it
	queue   []*trigger
	running *activeRun
	stopped bool
	wake    chan struct{}
}

// activeRun is the trigger a worker is executing.
type activeRun struct {
	logID  int64
	cancel context.CancelCauseFunc
}

func (w *worker) busy() bool { return w.running != nil || len(w.queue) > 0 }

func (w *worker) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// killedError is the cancellation cause of a run stopped on purpose.
type killedError struct{ reason string }

func (e *killedError) Error() string { return e.reason }

// timeoutError is the cancellation cause of a run over its executorTimeout.
type timeoutError struct{}

func (timeoutError) Error() string { return msgTimeout }

// jobs is the table of workers by job id and of the logIds they hold.
type jobs struct {
	mu      sync.Mutex
	workers map[int64]*worker
	active  map[int64]struct{} // logIds queued or running
	closed  bool
	wg      sync.WaitGroup // worker goroutines

	logDir   string
	idle     time.Duration
	grace    time.Duration
	maxQueue int
	log      *slog.Logger
	report   func(domain.CallbackParam)
}

// dispatch queues tr on its job's worker, applying the block strategy. It
// returns "" when accepted, else the refusal message.
func (t *jobs) dispatch(tr *trigger, key string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return msgStopping
	}
	p := tr.p
	w := t.workers[p.JobID]
	reason := ""
	if w != nil && w.key != key {
		reason = reasonChange
	} else if w != nil && w.busy() {
		switch domain.BlockStrategy(p.ExecutorBlockStrategy).OrDefault() {
		case domain.BlockDiscardLater:
			return msgDiscardLater
		case domain.BlockCoverEarly:
			reason = reasonCoverEarly
		}
	}
	if _, dup := t.active[p.LogID]; dup {
		return fmt.Sprintf("repeat trigger job, logId:%d", p.LogID)
	}
	if reason != "" {
		t.stopLocked(w, reason)
		w = nil
	}
	if w != nil && len(w.queue) >= t.maxQueue {
		return fmt.Sprintf("trigger queue of job %d is full (%d).", p.JobID, t.maxQueue)
	}
	if w == nil {
		w = t.startLocked(p.JobID, key)
	}
	w.queue = append(w.queue, tr)
	t.active[p.LogID] = struct{}{}
	w.signal()
	return ""
}

// idleBeat reports whether jobID has nothing running or queued.
func (t *jobs) idleBeat(jobID int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.workers[jobID]
	return w == nil || !w.busy()
}

// kill stops jobID's worker; it reports false if there was none.
func (t *jobs) kill(jobID int64, reason string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.workers[jobID]
	if w == nil {
		return false
	}
	t.stopLocked(w, reason)
	return true
}

// isActive reports whether logID is queued or running.
func (t *jobs) isActive(logID int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.active[logID]
	return ok
}

// stopAll refuses new triggers, kills every worker and waits (until ctx is
// done) for their goroutines to report their last results.
func (t *jobs) stopAll(ctx context.Context, reason string) error {
	t.mu.Lock()
	t.closed = true
	for _, w := range t.workers {
		t.stopLocked(w, reason)
	}
	t.mu.Unlock()
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("executor: waiting for running jobs: %w", ctx.Err())
	}
}

func (t *jobs) startLocked(jobID int64, key string) *worker {
	w := &worker{jobID: jobID, key: key, wake: make(chan struct{}, 1)}
	t.workers[jobID] = w
	t.wg.Add(1)
	go t.loop(w)
	return w
}

// stopLocked removes w, cancels its run with reason and reports its queued
// triggers as killed.
func (t *jobs) stopLocked(w *worker, reason string) {
	if t.workers[w.jobID] == w {
		delete(t.workers, w.jobID)
	}
	w.stopped = true
	if w.running != nil {
		w.running.cancel(&killedError{reason: reason})
	}
	for _, tr := range w.queue {
		delete(t.active, tr.p.LogID)
		t.report(callbackOf(tr.p, domain.CodeFail, reason+suffixKilledQueued))
	}
	w.queue = nil
	w.signal()
}

// loop is a worker's goroutine.
func (t *jobs) loop(w *worker) {
	defer t.wg.Done()
	for {
		tr, ctx, ok := t.next(w)
		if !ok {
			return
		}
		t.finish(w, tr.p.LogID, t.execute(ctx, tr))
	}
}

// next waits for w's next trigger and marks it running. It returns false
// once w is stopped or has been idle for t.idle (and is then retired).
func (t *jobs) next(w *worker) (*trigger, context.Context, bool) {
	idle := time.NewTimer(t.idle)
	defer idle.Stop()
	for {
		t.mu.Lock()
		if w.stopped {
			t.mu.Unlock()
			return nil, nil, false
		}
		if len(w.queue) > 0 {
			tr := w.queue[0]
			w.queue = w.queue[1:]
			ctx, cancel := context.WithCancelCause(context.Background())
			w.running = &activeRun{logID: tr.p.LogID, cancel: cancel}
			t.mu.Unlock()
			return tr, ctx, true
		}
		t.mu.Unlock()
		select {
		case <-w.wake:
		case <-idle.C:
			t.retire(w)
		}
	}
}

// retire removes an idle worker; a trigger that raced in keeps it alive.
func (t *jobs) retire(w *worker) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(w.queue) > 0 || w.stopped {
		w.signal()
		return
	}
	if t.workers[w.jobID] == w {
		delete(t.workers, w.jobID)
	}
	w.stopped = true
	t.log.Debug("job worker retired after idle timeout", "jobId", w.jobID)
}

// finish marks w's run of logID done and reports its result; from now on
// /log reports the end of its log.
func (t *jobs) finish(w *worker, logID int64, cb domain.CallbackParam) {
	t.mu.Lock()
	delete(t.active, logID)
	if w.running != nil && w.running.logID == logID {
		w.running.cancel(nil) // release the context's resources
		w.running = nil
	}
	t.mu.Unlock()
	t.report(cb)
}

func callbackOf(p domain.TriggerParam, code int, msg string) domain.CallbackParam {
	return domain.CallbackParam{LogID: p.LogID, LogDateTim: p.LogDateTime, HandleCode: code, HandleMsg: msg}
}
