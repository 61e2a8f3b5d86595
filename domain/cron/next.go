package cron

import (
	"math"
	"time"
)

// Next returns the first fire time strictly after after, evaluated on the
// wall clock of loc (nil means UTC). ok is false when the expression never
// fires again (for example 30 February, or only past years). Fire times are
// whole seconds; the search ends with the year 2199.
//
// Daylight-saving rule. A wall-clock time that a transition skips (02:30 on
// a spring-forward night) fires at the first instant after the gap (03:00
// new time), once, however many of the skipped times match. A wall-clock
// time that a transition repeats (01:30 on a fall-back night) fires once, at
// its first occurrence; the repeated hour fires nothing new. Quartz differs:
// it drops skipped times and fires repeated ones at their second occurrence.
func (e *Expression) Next(after time.Time, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	a := after.Unix()
	// settled: a lies in an offset period that began at least two days ago,
	// so the clock was not turned back just before a.
	sp, ok := spanAt(a, loc)
	settled := ok && (sp.start == math.MinInt64 || a-sp.start >= window)
	lb := a + sp.off + 1
	if !settled {
		lb = wallLowerBound(a, loc)
	}
	w, found := e.nextWall(lb)
	if !found {
		return time.Time{}, false
	}
	// Well inside a's period, the wall time has a single reading.
	if u := w - sp.off; settled && (sp.end == math.MaxInt64 || sp.end-u > window) {
		return time.Unix(u, 0).In(loc), true
	}
	return time.Unix(instantOf(w, loc), 0).In(loc), true
}

// zoneSpan is a stretch of time [start, end) with one UTC offset; the ends
// are math.MinInt64/MaxInt64 when unbounded.
type zoneSpan struct{ off, start, end int64 }

// spanAt returns the offset period holding instant a. ok is false when the
// zone reports bounds that do not hold a (Go's zone rules beyond the
// tzdata table can misreport them at year ends); callers then fall back to
// offset lookups only.
func spanAt(a int64, loc *time.Location) (zoneSpan, bool) {
	t := time.Unix(a, 0).In(loc)
	_, off := t.Zone()
	sp := zoneSpan{off: int64(off), start: math.MinInt64, end: math.MaxInt64}
	start, end := t.ZoneBounds()
	if !start.IsZero() {
		sp.start = start.Unix()
	}
	if !end.IsZero() {
		sp.end = end.Unix()
	}
	return sp, sp.start <= a && a < sp.end
}

// nextWall returns the first matching wall-clock time at or after lb. Wall
// times are seconds since 1970-01-01T00:00:00 of loc's wall clock, read as
// if it were UTC.
func (e *Expression) nextWall(lb int64) (int64, bool) {
	if e.stepwiseDays() {
		return e.nextWallStepwise(lb)
	}
	y, mo, d, h, mi, s := civilOf(lb)
	var dmask uint64
	maskKey := -1
	for y <= maxYear {
		if ny := e.yearFrom(y); ny == 0 {
			return 0, false
		} else if ny != y {
			y, mo, d, h, mi, s = ny, 1, 1, 0, 0, 0
		}
		nm := nextBit(e.month, mo)
		if nm > 12 {
			y, mo, d, h, mi, s = y+1, 1, 1, 0, 0, 0
			continue
		}
		if nm != mo {
			mo, d, h, mi, s = nm, 1, 0, 0, 0
		}
		if key := y<<4 | mo; key != maskKey {
			dmask, maskKey = e.dayMask(y, mo), key
		}
		if nd := nextBit(dmask, d); nd == 64 {
			mo, d, h, mi, s = mo+1, 1, 0, 0, 0
			continue
		} else if nd != d {
			d, h, mi, s = nd, 0, 0, 0
		}
		var ok bool
		if h, mi, s, ok = e.timeAtOrAfter(h, mi, s); !ok {
			d, h, mi, s = d+1, 0, 0, 0
			continue
		}
		return wallOf(y, mo, d, h, mi, s), true
	}
	return 0, false
}

// yearFrom returns the first year >= y the expression allows, 0 if none.
func (e *Expression) yearFrom(y int) int {
	if e.anyYear {
		return y
	}
	return e.years.next(y)
}

// timeAtOrAfter returns the first matching time of day at or after
// h:mi:s, or ok=false when the rest of the day has none.
func (e *Expression) timeAtOrAfter(h, mi, s int) (int, int, int, bool) {
	for {
		nh := nextBit(e.hour, h)
		if nh == 64 {
			return 0, 0, 0, false
		}
		if nh != h {
			h, mi, s = nh, 0, 0
		}
		nmi := nextBit(e.min, mi)
		if nmi == 64 {
			h, mi, s = h+1, 0, 0
			continue
		}
		if nmi != mi {
			mi, s = nmi, 0
		}
		ns := nextBit(e.sec, s)
		if ns == 64 {
			mi, s = mi+1, 0
			continue
		}
		return h, mi, ns, true
	}
}

// civilOf splits wall time w into its calendar fields, moving times before
// minYear to the start of minYear.
func civilOf(w int64) (y, mo, d, h, mi, s int) {
	days := floorDiv(w, 86400)
	sod := int(w - days*86400)
	y, mo, d = civilFromDays(days)
	if y < minYear {
		return minYear, 1, 1, 0, 0, 0
	}
	return y, mo, d, sod / 3600, sod / 60 % 60, sod % 60
}

// wallOf joins calendar fields into a wall time.
func wallOf(y, mo, d, h, mi, s int) int64 {
	return daysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+s)
}

// wallLowerBound returns the smallest wall time whose fire instant can lie
// after the instant a (whole seconds). Normally that is a's wall time plus
// one second; after the clock was turned back it is the wall time the clock
// had reached before the turn, since the repeated walls have already fired
// at their first occurrence.
func wallLowerBound(a int64, loc *time.Location) int64 {
	off := offsetAt(a, loc)
	lb := a + off + 1
	if before := offsetAt(a-window, loc); before > off {
		s := firstWithOffset(a-window, a, off, loc) // when the clock was turned back
		if prev := offsetAt(s-1, loc); s+prev > lb {
			lb = s + prev
		}
	}
	return lb
}

// window bounds the search for a transition around a wall time. UTC offsets
// lie within -12h..+14h and real zones never change twice in two days.
const window = 2 * 86400

// instantOf maps wall time w to its instant in loc: the earliest instant
// whose wall clock reads w, or, when a transition skips w, the instant of
// that transition (the first instant after the gap).
func instantOf(w int64, loc *time.Location) int64 {
	early, late := offsetAt(w-window/2, loc), offsetAt(w+window/2, loc)
	uEarly, uLate := w-early, w-late
	okEarly := offsetAt(uEarly, loc) == early
	if early == late && okEarly {
		return uEarly // no transition nearby: the only reading
	}
	okLate := offsetAt(uLate, loc) == late
	switch {
	case okEarly && okLate: // the clock was turned back: w occurs twice
		return min(uEarly, uLate)
	case okEarly:
		return uEarly
	case okLate:
		return uLate
	}
	// The clock was turned forward over w: the transition lies in
	// (uLate, uEarly], where the offset first becomes late.
	return firstWithOffset(uLate, uEarly, late, loc)
}

// firstWithOffset returns the first instant in (lo, hi] whose offset is off,
// assuming the offset changes once there (binary search; hi if never).
func firstWithOffset(lo, hi, off int64, loc *time.Location) int64 {
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if offsetAt(mid, loc) == off {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// offsetAt returns loc's UTC offset in seconds at instant u.
func offsetAt(u int64, loc *time.Location) int64 {
	_, off := time.Unix(u, 0).In(loc).Zone()
	return int64(off)
}
