package executor

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"github.com/xjob-dev/xjob/domain"
)

// execute runs one trigger on the calling worker goroutine and returns the
// result to report. The run's log is closed before it returns.
func (t *jobs) execute(ctx context.Context, tr *trigger) domain.CallbackParam {
	p := tr.p
	log := openRunLog(t.logDir, p, t.log)
	defer log.close()
	job := newJob(p, log)
	log.line("executor", "<br>----------- xjob job execute start -----------<br>----------- Param:%s", p.ExecutorParams)
	if job.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, job.Timeout, timeoutError{})
		defer cancel()
	}
	res := t.call(ctx, tr.run, job)
	code, msg := outcome(ctx, job, res)
	switch {
	case res.abandoned:
		log.line("executor", "handler ignored cancellation (%v) for %s; result reported, handler abandoned", context.Cause(ctx), t.grace)
	case !res.cancelled && res.err != nil:
		log.line("executor", "handler failed: %v", res.err)
	}
	log.line("executor", "<br>----------- xjob job execute end(finish) -----------<br>----------- Result: handleCode=%d, handleMsg = %s", code, msg)
	return callbackOf(p, code, msg)
}

// ended is how a handler call ended: its error, and whether the run was
// already cancelled when it returned.
type ended struct {
	err       error
	cancelled bool
	abandoned bool
}

// call runs h on its own goroutine. Once ctx is done it waits at most
// t.grace for h to return; after that h is abandoned (its late result is
// dropped) so that a handler ignoring cancellation cannot block the worker.
func (t *jobs) call(ctx context.Context, h Handler, job *Job) ended {
	done := make(chan ended, 1)
	go func() {
		err := safeCall(ctx, h, job)
		done <- ended{err: err, cancelled: ctx.Err() != nil}
	}()
	select {
	case res := <-done:
		return res
	case <-ctx.Done():
	}
	grace := time.NewTimer(t.grace)
	defer grace.Stop()
	select {
	case res := <-done:
		return res
	case <-grace.C:
		return ended{err: context.Cause(ctx), cancelled: true, abandoned: true}
	}
}

// safeCall runs h, turning a panic into an error logged with its stack.
func safeCall(ctx context.Context, h Handler, job *Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			job.log.line("executor", "handler panic: %v\n%s", r, debug.Stack())
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return h(ctx, job)
}

// outcome maps how a run ended to its handleCode and handleMsg. A run
// cancelled (by timeout or kill) before its handler returned is reported
// as such, whatever the handler returned.
func outcome(ctx context.Context, job *Job, res ended) (int, string) {
	if res.cancelled {
		cause := context.Cause(ctx)
		var killed *killedError
		switch {
		case errors.As(cause, &killed):
			job.log.line("executor", "<br>----------- job killed: %s", killed.reason)
			return domain.CodeFail, killed.reason + suffixKilledRun
		case errors.Is(cause, timeoutError{}):
			job.log.line("executor", "<br>----------- xjob job execute timeout")
			return domain.CodeTimeout, msgTimeout
		}
	}
	if res.err != nil {
		return domain.CodeFail, truncateMsg(res.err.Error())
	}
	return domain.CodeSuccess, truncateMsg(job.resultMsg())
}

// maxHandleMsg bounds a reported handleMsg; the admin keeps 15000
// characters of it anyway.
const maxHandleMsg = 16 << 10

// truncateMsg cuts msg to maxHandleMsg bytes on a character boundary.
func truncateMsg(msg string) string {
	if len(msg) <= maxHandleMsg {
		return msg
	}
	cut := maxHandleMsg
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}
