package main

import (
	"slices"
	"testing"
)

func TestScheduleInstants(t *testing.T) {
	t.Run("EverySecond", func(t *testing.T) {
		got := EverySecond.Instants(1_000_500, 1_003_000)
		if want := []int64{1_001_000, 1_002_000, 1_003_000}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
	t.Run("SecondOfMinute", func(t *testing.T) {
		s := Schedule{Second: 7}
		from := int64(1_800_000_000_000) // a whole minute: 1800000000 s = 30000000 min
		got := s.Instants(from, from+150_000)
		want := []int64{from + 7_000, from + 67_000, from + 127_000}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		if n := s.Next(from + 7_001); n != from+67_000 {
			t.Fatalf("Next = %d", n)
		}
		if n := s.Next(from + 7_000); n != from+7_000 {
			t.Fatalf("Next at the instant = %d", n)
		}
		if c := s.Cron(); c != "7 * * * * ?" {
			t.Fatalf("Cron = %q", c)
		}
	})
}

func TestCheckFires(t *testing.T) {
	const base = int64(1_800_000_000_000)
	at := func(instant int64, lateMs int64) int64 { return (instant + lateMs) * 1e6 }
	jobs := map[int64]Schedule{1: EverySecond, 2: EverySecond}
	runs := []Arrival{
		{JobID: 1, LogID: 1, LogDateTime: base, At: at(base, 3)},
		{JobID: 1, LogID: 2, LogDateTime: base + 1000, At: at(base+1000, 5)},
		{JobID: 1, LogID: 3, LogDateTime: base + 1000, At: at(base+1000, 9)}, // duplicate
		{JobID: 1, LogID: 4, LogDateTime: base + 2000, At: at(base+2000, 40)},
		{JobID: 2, LogID: 5, LogDateTime: base, At: at(base, 1)},
		// job 2 misses base+1000
		{JobID: 2, LogID: 6, LogDateTime: base + 2000, At: at(base+2000, -5)}, // early
		{JobID: 3, LogID: 7, LogDateTime: base, At: at(base, 1)},              // unknown job
		{JobID: 1, LogID: 8, LogDateTime: base + 9000, At: at(base+9000, 1)},  // after the window
		{JobID: 2, LogID: 9, At: at(base+1000, 700)},                          // no logDateTime: nearest instant before arrival
	}
	c := CheckFires(jobs, base, base+2000, runs)
	want := FireCheck{Expected: 6, Matched: 6, Missed: 0, Duplicates: 1, Unexpected: 1, Early: 1, OutOfWindow: 1}
	if c.Expected != want.Expected || c.Matched != want.Matched || c.Missed != want.Missed ||
		c.Duplicates != want.Duplicates || c.Unexpected != want.Unexpected || c.Early != want.Early ||
		c.OutOfWindow != want.OutOfWindow {
		t.Fatalf("got %+v, want counts %+v", c, want)
	}
	if c.Lateness.Max != 700 || c.Lateness.P50 != 3 {
		t.Fatalf("lateness %+v", c.Lateness)
	}
	// instants base, base+1000, base+2000: first runs 1, 5, -5 ms; drains 2, 695, 45 ms
	if c.FirstLateness.P50 != 1 || c.Drain.Max != 695 {
		t.Fatalf("first %+v drain %+v", c.FirstLateness, c.Drain)
	}
	if c.FiresPerSec != 2 {
		t.Fatalf("fires/s = %v", c.FiresPerSec)
	}

	t.Run("Missed", func(t *testing.T) {
		c := CheckFires(jobs, base, base+2000, runs[:2])
		if c.Missed != 4 || len(c.MissedSample) != 4 || c.MissedSample[0] != [2]int64{1, base + 2000} {
			t.Fatalf("got %+v", c)
		}
	})
	t.Run("OffSchedule", func(t *testing.T) {
		c := CheckFires(map[int64]Schedule{1: {Second: 30}}, base, base+60_000,
			[]Arrival{{JobID: 1, LogDateTime: base + 10_000, At: at(base+10_000, 1)}})
		if c.Unexpected != 1 || c.Missed != 1 {
			t.Fatalf("got %+v", c)
		}
	})
}

func TestSummarize(t *testing.T) {
	xs := make([]float64, 0, 100)
	for i := 100; i >= 1; i-- {
		xs = append(xs, float64(i))
	}
	s := Summarize(xs)
	if s.P50 != 50 || s.P99 != 99 || s.Max != 100 || s.N != 100 || s.Mean != 50.5 {
		t.Fatalf("got %+v", s)
	}
	if (Summarize(nil) != Summary{}) {
		t.Fatal("empty summary not zero")
	}
}
