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
	for _, tt := range []struct {
		now    time.Time
		period time.Duration
		want   time.Duration
	}{
		{time.Unix(100, 3e8), 10 * time.Second, 9950 * time.Millisecond},   // next :10.25
		{time.Unix(100, 1e8), 10 * time.Second, 150 * time.Millisecond},    // :00.25 is ahead
		{time.Unix(100, 25e7), 10 * time.Second, 10 * time.Second},         // exactly on it
		{time.Unix(100, 9e8), time.Second, 350 * time.Millisecond},         // next second + 250 ms
		{time.Unix(100, 0), 100 * time.Millisecond, 50 * time.Millisecond}, // phase 250 % 100 = 50 ms
	} {
		if d := untilNextMultiple(tt.now, tt.period); d != tt.want {
			t.Errorf("untilNextMultiple(%v, %v) = %v, want %v", tt.now.UnixNano(), tt.period, d, tt.want)
		}
	}
}
