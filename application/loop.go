package application

import (
	"context"
	"log/slog"
	"time"
)

// loop runs one background task of the admin on a fixed period. Every pass
// gets its own timeout, so a hung query cannot stall the loop for good, and a
// failing pass is retried with exponential backoff (capped) instead of on the
// period, so a database outage neither spins nor crashes the process.
type loop struct {
	name       string
	period     time.Duration // pause between two successful passes
	timeout    time.Duration // deadline of one pass; 0 = the period
	minBackoff time.Duration // first pause after a failure; 0 = 1 s
	maxBackoff time.Duration // longest pause after failures; 0 = 1 min
	logger     *slog.Logger
	metrics    Metrics
}

// run calls pass until ctx is done. pass returns how long to wait before the
// next pass (0 = the period) and an error if the pass failed.
func (l loop) run(ctx context.Context, pass func(ctx context.Context) (time.Duration, error)) {
	backoff := time.Duration(0)
	for {
		wait, err := l.once(ctx, pass)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			backoff = l.nextBackoff(backoff)
			l.log().Warn("background task failed; backing off",
				"task", l.name, "err", err, "retry_in", backoff)
			l.metric().LoopFailed(l.name)
			wait = backoff
		} else {
			backoff = 0
			if wait <= 0 {
				wait = l.period
			}
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// once runs one pass under the pass timeout and turns a panic into an error,
// so one bad row cannot take the admin down.
func (l loop) once(ctx context.Context, pass func(ctx context.Context) (time.Duration, error)) (wait time.Duration, err error) {
	timeout := l.timeout
	if timeout <= 0 {
		timeout = l.period
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = panicError{r}
		}
	}()
	return pass(ctx)
}

func (l loop) nextBackoff(prev time.Duration) time.Duration {
	lo, hi := l.minBackoff, l.maxBackoff
	if lo <= 0 {
		lo = time.Second
	}
	if hi <= 0 {
		hi = time.Minute
	}
	next := prev * 2
	if next < lo {
		next = lo
	}
	if next > hi {
		next = hi
	}
	return next
}

func (l loop) log() *slog.Logger {
	if l.logger == nil {
		return slog.Default()
	}
	return l.logger
}

func (l loop) metric() Metrics {
	if l.metrics == nil {
		return NopMetrics{}
	}
	return l.metrics
}

// sleep waits d or until ctx is done; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// loopPhase is how far past a wall-clock multiple the aligned loops run:
// most schedules fire on whole seconds, and a scan or monitor pass at that
// very moment would take CPU and database time from the executor calls of
// the instant (FireDelivery prepares 600 ms ahead, so 250 ms is clear of
// both).
const loopPhase = 250 * time.Millisecond

// untilNextMultiple returns how long from now until loopPhase past the
// next wall-clock multiple of period, as upstream aligns its monitors
// (e.g. every 10 s at :00, :10, ...). It returns period when now is exactly
// on such a point.
func untilNextMultiple(now time.Time, period time.Duration) time.Duration {
	if period <= 0 {
		return 0
	}
	phase := loopPhase % period
	rem := time.Duration((now.UnixNano() - int64(phase)) % int64(period))
	if rem < 0 {
		rem += period
	}
	return period - rem
}

type panicError struct{ v any }

func (e panicError) Error() string { return "panic: " + slogValue(e.v) }

func slogValue(v any) string { return slog.AnyValue(v).String() }

// orLogger returns l, or the default logger when l is nil.
func orLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}

// orMetrics returns m, or a no-op when m is nil.
func orMetrics(m Metrics) Metrics {
	if m == nil {
		return NopMetrics{}
	}
	return m
}
