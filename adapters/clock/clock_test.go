package clock

import (
	"testing"
	"time"
)

func TestManual(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := NewManual(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Now = %v", c.Now())
	}
	if got := c.Advance(90 * time.Second); !got.Equal(start.Add(90*time.Second)) || !c.Now().Equal(got) {
		t.Fatalf("Advance = %v, Now = %v", got, c.Now())
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Set: Now = %v", c.Now())
	}
}

func TestSystem(t *testing.T) {
	before := time.Now()
	if got := (System{}).Now(); got.Before(before) || got.Sub(before) > time.Minute {
		t.Fatalf("System.Now = %v, around %v", got, before)
	}
}
