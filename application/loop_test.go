package application

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestLoopBacksOffAndSurvivesPanics(t *testing.T) {
	var calls atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	l := loop{name: "test", period: time.Millisecond, minBackoff: time.Millisecond, maxBackoff: 4 * time.Millisecond}
	go func() {
		defer close(done)
		l.run(ctx, func(ctx context.Context) (time.Duration, error) {
			switch n := calls.Add(1); {
			case n == 1:
				panic("bad row")
			case n < 5:
				return 0, errors.New("database away")
			case n == 6:
				cancel()
			}
			if _, ok := ctx.Deadline(); !ok {
				t.Error("pass without a deadline")
			}
			return 0, nil
		})
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("loop did not stop")
	}
	if calls.Load() != 6 {
		t.Fatalf("%d passes, want 6", calls.Load())
	}
	var got []time.Duration
	var b time.Duration
	for range 5 {
		b = loop{}.nextBackoff(b)
		got = append(got, b)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoff %v, want %v", got, want)
		}
	}
	if d := untilNextMultiple(time.Unix(100, 3e8), 10*time.Second); d != 9700*time.Millisecond {
		t.Fatalf("untilNextMultiple = %v", d)
	}
}
