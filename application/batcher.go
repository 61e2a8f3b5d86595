package application

import (
	"context"
	"sync"
	"time"
)

// batcher group-commits writes: while one batch is being written,
// concurrent calls queue up and go together in the next one, so N
// simultaneous callers cost about one statement rather than N. An idle call
// is written at once, with no added wait.
type batcher[T any] struct {
	write func(context.Context, []T) error
	// linger, when set, delays the first write after an idle spell, so
	// that work which must not compete with a burst (recording the
	// outcome of executor calls while others are still being made) waits
	// for it and goes in fewer, larger statements.
	linger time.Duration

	mu      sync.Mutex
	pending []*batchCall[T]
	busy    bool
}

// maxBatch caps one statement (SQLite allows 32766 bound variables).
const maxBatch = 500

type batchCall[T any] struct {
	items []T
	done  chan error
}

func newBatcher[T any](write func(context.Context, []T) error) *batcher[T] {
	return &batcher[T]{write: write}
}

// newLingeringBatcher is newBatcher with a linger.
func newLingeringBatcher[T any](write func(context.Context, []T) error, linger time.Duration) *batcher[T] {
	return &batcher[T]{write: write, linger: linger}
}

// do writes items together with any concurrent callers' and returns the
// outcome of the statement that carried them.
func (b *batcher[T]) do(ctx context.Context, items []T) error {
	it := &batchCall[T]{items: items, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, it)
	start := !b.busy
	b.busy = true
	b.mu.Unlock()
	if start {
		go b.drain(context.WithoutCancel(ctx))
	}
	return <-it.done
}

// drain writes pending batches until none is left.
func (b *batcher[T]) drain(ctx context.Context) {
	if b.linger > 0 {
		time.Sleep(b.linger)
	}
	for {
		batch := b.take()
		if batch == nil {
			return
		}
		var all []T
		for _, it := range batch {
			all = append(all, it.items...)
		}
		err := b.write(ctx, all)
		for _, it := range batch {
			it.done <- err
		}
	}
}

// take removes up to maxBatch items' worth of calls from the queue (at
// least one call), or returns nil and marks the batcher idle.
func (b *batcher[T]) take() []*batchCall[T] {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		b.busy = false
		return nil
	}
	n, size := 0, 0
	for n < len(b.pending) && (n == 0 || size+len(b.pending[n].items) <= maxBatch) {
		size += len(b.pending[n].items)
		n++
	}
	batch := b.pending[:n:n]
	b.pending = b.pending[n:]
	return batch
}
