package executor

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// callbackWindow is how long results are gathered into one /api/callback
// request after the first of them arrives.
const callbackWindow = 50 * time.Millisecond

// maxCallbackBatch bounds the results sent in one request.
const maxCallbackBatch = 500

// callbacks reports run results to the admins. Every batch is written to
// the spool before it is sent and deleted only once an admin accepted it,
// so results survive admin outages and executor restarts; a crash between
// an accepted delivery and the delete repeats that batch once, which the
// admin ignores (it keeps the first result of a log).
type callbacks struct {
	admin *adminClient
	spool *spool
	retry time.Duration
	log   *slog.Logger

	mu      sync.Mutex
	pending []domain.CallbackParam
	wake    chan struct{}

	down bool // the last delivery failed; owned by the sending goroutine
}

func newCallbacks(admin *adminClient, sp *spool, retry time.Duration, log *slog.Logger) *callbacks {
	return &callbacks{admin: admin, spool: sp, retry: retry, log: log, wake: make(chan struct{}, 1)}
}

// add queues one result for delivery.
func (c *callbacks) add(p domain.CallbackParam) {
	c.mu.Lock()
	c.pending = append(c.pending, p)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// loop delivers results until ctx is done: new ones after a short window,
// spooled ones right away and then every retry interval.
func (c *callbacks) loop(ctx context.Context) {
	t := time.NewTicker(c.retry)
	defer t.Stop()
	c.deliverSpool(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
			if !sleep(ctx, callbackWindow) {
				return
			}
			c.persistPending()
			if !c.down {
				c.deliverSpool(ctx)
			}
		case <-t.C:
			c.persistPending()
			c.deliverSpool(ctx)
		}
	}
}

// flush persists what is pending and makes one last delivery attempt; what
// is not delivered stays in the spool for the next start.
func (c *callbacks) flush(ctx context.Context) {
	c.persistPending()
	c.deliverSpool(ctx)
}

// take removes up to maxCallbackBatch pending results.
func (c *callbacks) take() []domain.CallbackParam {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(len(c.pending), maxCallbackBatch)
	batch := c.pending[:n:n]
	c.pending = c.pending[n:]
	if len(c.pending) > 0 {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	return batch
}

// requeue puts a batch that could not be spooled back in front.
func (c *callbacks) requeue(batch []domain.CallbackParam) {
	c.mu.Lock()
	c.pending = append(batch, c.pending...)
	c.mu.Unlock()
}

// persistPending writes pending results to the spool, in batches.
func (c *callbacks) persistPending() {
	for {
		batch := c.take()
		if len(batch) == 0 {
			return
		}
		if err := c.spool.write(batch); err != nil {
			c.log.Error("cannot spool job results; keeping them in memory", "count", len(batch), "err", err)
			c.requeue(batch)
			return
		}
	}
}

// deliverSpool sends spooled batches oldest first and deletes each one an
// admin accepted; it stops at the first failure.
func (c *callbacks) deliverSpool(ctx context.Context) {
	files, err := c.spool.list()
	if err != nil {
		c.log.Error("cannot list callback spool", "err", err)
		return
	}
	for _, f := range files {
		if ctx.Err() != nil {
			return
		}
		body, err := c.spool.read(f)
		if err != nil {
			c.log.Error("unreadable callback spool file set aside", "file", f, "err", err)
			c.spool.quarantine(f)
			continue
		}
		if err := c.admin.call(ctx, "callback", body); err != nil {
			c.setDown(true, err)
			return
		}
		c.spool.remove(f)
		c.setDown(false, nil)
	}
}

func (c *callbacks) setDown(down bool, err error) {
	if down && !c.down {
		c.log.Warn("job results not delivered; kept on disk and retried", "retry", c.retry, "err", err)
	} else if !down && c.down {
		c.log.Info("job results delivered again")
	}
	c.down = down
}

// sleep waits d or until ctx is done; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
