package main

import (
	"math"
	"slices"
	"strconv"
)

// Schedule is the cron schedule of a seeded job, in the two shapes the
// scenarios use: `* * * * * ?` (Second < 0, every second) and
// `S * * * * ?` (second S of every minute). The checker computes expected
// instants from it on its own, so a scheduler bug cannot hide in a shared
// cron library.
type Schedule struct {
	Second int
}

// EverySecond is the schedule `* * * * * ?`.
var EverySecond = Schedule{Second: -1}

// Cron returns the schedule's Quartz cron expression.
func (s Schedule) Cron() string {
	if s.Second < 0 {
		return "* * * * * ?"
	}
	return strconv.Itoa(s.Second) + " * * * * ?"
}

// Instants returns the schedule's instants (epoch ms) in [from, to].
func (s Schedule) Instants(from, to int64) []int64 {
	first := ceilDiv(from, 1000) * 1000
	var out []int64
	if s.Second < 0 {
		for t := first; t <= to; t += 1000 {
			out = append(out, t)
		}
		return out
	}
	for t := first; t <= to; t += 1000 {
		if floorMod(t/1000, 60) == int64(s.Second) {
			for ; t <= to; t += 60_000 {
				out = append(out, t)
			}
			break
		}
	}
	return out
}

// Next returns the schedule's first instant at or after t (epoch ms).
func (s Schedule) Next(t int64) int64 {
	n := ceilDiv(t, 1000) * 1000
	if s.Second < 0 {
		return n
	}
	d := floorMod(int64(s.Second)-floorMod(n/1000, 60), 60)
	return n + d*1000
}

// nearest returns the schedule's instant nearest to t (epoch ms).
func (s Schedule) nearest(t int64) int64 {
	if s.Second < 0 {
		return floorDiv(t+500, 1000) * 1000
	}
	next := s.Next(t)
	if prev := next - 60_000; t-prev < next-t {
		return prev
	}
	return next
}

// Arrival is one POST /run the stub executor received. At is the wall
// clock in ns, derived from a monotonic reading (see Stub.now).
type Arrival struct {
	JobID       int64 `json:"jobId"`
	LogID       int64 `json:"logId"`
	LogDateTime int64 `json:"logDateTime"` // ms, the instant the scheduler says it fires
	At          int64 `json:"at"`          // ns
}

// FireCheck is the verdict of CheckFires, in the spirit of Jepsen's
// Chronos checker: every expected (job, instant) in the window must be
// matched by exactly one run, on time.
type FireCheck struct {
	Expected    int `json:"expected"`
	Matched     int `json:"matched"`
	Missed      int `json:"missed"`
	Duplicates  int `json:"duplicates"`
	Unexpected  int `json:"unexpected"` // runs of unknown jobs or off-schedule instants
	Early       int `json:"early"`      // runs that arrived more than 1 ms before their instant
	OutOfWindow int `json:"outOfWindow"`
	// FiresPerSec counts the matched runs that arrived within the window
	// (from its first instant to one second after its last), per second:
	// what the scheduler sustained, not what it caught up on later.
	FiresPerSec float64 `json:"firesPerSec"`
	// DrainFiresPerSec is all matched runs over first instant → last arrival.
	DrainFiresPerSec float64 `json:"drainFiresPerSec"`
	Lateness         Summary `json:"latenessMs"`
	// Per instant (all jobs due at one second): the lateness of its first
	// run, and how long its runs took to drain (last minus first arrival).
	// A small first and a large drain mean throughput, not timing, is short.
	FirstLateness Summary `json:"firstRunLatenessMs"`
	Drain         Summary `json:"drainMs"`
	// MissedSample lists a few missed (job, instant) pairs for diagnosis.
	MissedSample [][2]int64 `json:"missedSample,omitempty"`
}

// CheckFires matches runs to the expected instants of each job in the
// window [from, to] (epoch ms, inclusive). A run claims the instant its
// logDateTime names (the nearest schedule instant; xjob and the Quartz peer
// send the scheduled instant itself); a run without logDateTime claims the
// latest instant at or before its arrival. A second run for a claimed
// instant is a duplicate; an instant no run claims is missed. Lateness is
// arrival minus instant.
func CheckFires(jobs map[int64]Schedule, from, to int64, runs []Arrival) FireCheck {
	var c FireCheck
	for _, s := range jobs {
		c.Expected += len(s.Instants(from, to))
	}
	seen := make(map[[2]int64]bool, len(runs))
	late := make([]float64, 0, len(runs))
	var inWindow int
	var lastAt int64
	type span struct{ first, last float64 }
	spans := map[int64]*span{}
	for _, r := range runs {
		s, ok := jobs[r.JobID]
		if !ok {
			c.Unexpected++
			continue
		}
		var t int64
		if r.LogDateTime > 0 {
			t = s.nearest(r.LogDateTime)
			if d := r.LogDateTime - t; d > 999 || d < -999 {
				c.Unexpected++ // claims an instant that is not in the schedule
				continue
			}
		} else {
			t = s.nearest(r.At/1e6 - 500)
		}
		if t < from || t > to {
			c.OutOfWindow++
			continue
		}
		k := [2]int64{r.JobID, t}
		if seen[k] {
			c.Duplicates++
			continue
		}
		seen[k] = true
		c.Matched++
		ms := float64(r.At-t*1e6) / 1e6
		if ms < -1 {
			c.Early++
		}
		late = append(late, ms)
		if r.At < (to+1000)*1e6 {
			inWindow++
		}
		lastAt = max(lastAt, r.At)
		if sp := spans[t]; sp == nil {
			spans[t] = &span{ms, ms}
		} else {
			sp.first, sp.last = min(sp.first, ms), max(sp.last, ms)
		}
	}
	firsts := make([]float64, 0, len(spans))
	drains := make([]float64, 0, len(spans))
	for _, sp := range spans {
		firsts = append(firsts, sp.first)
		drains = append(drains, sp.last-sp.first)
	}
	c.FirstLateness, c.Drain = Summarize(firsts), Summarize(drains)
	c.Missed = c.Expected - c.Matched
	if c.Missed > 0 {
		c.MissedSample = missedSample(jobs, from, to, seen, 10)
	}
	if to >= from {
		c.FiresPerSec = float64(inWindow) / (float64(to-from+1000) / 1000)
	}
	if d := float64(lastAt-from*1e6) / 1e9; d > 0 {
		c.DrainFiresPerSec = float64(c.Matched) / d
	}
	c.Lateness = Summarize(late)
	return c
}

func missedSample(jobs map[int64]Schedule, from, to int64, seen map[[2]int64]bool, n int) [][2]int64 {
	ids := make([]int64, 0, len(jobs))
	for id := range jobs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out [][2]int64
	for _, id := range ids {
		for _, t := range jobs[id].Instants(from, to) {
			if !seen[[2]int64{id, t}] {
				out = append(out, [2]int64{id, t})
				if len(out) == n {
					return out
				}
			}
		}
	}
	return out
}

// Summary is a distribution by nearest-rank percentiles.
type Summary struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Summarize sorts xs in place and summarizes it.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	slices.Sort(xs)
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return Summary{N: len(xs), P50: rank(xs, 0.50), P90: rank(xs, 0.90), P99: rank(xs, 0.99),
		Max: xs[len(xs)-1], Mean: sum / float64(len(xs))}
}

// rank is the nearest-rank percentile of sorted xs.
func rank(xs []float64, p float64) float64 {
	i := int(math.Ceil(p*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
