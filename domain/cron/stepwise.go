package cron

import "math/bits"

// stepwiseDays reports whether the day-of-month field needs Quartz's own
// step-by-step day search: with 'W' items, or with "L-n" offsets mixed with
// plain days. Quartz 2.5 (the engine of XXL-JOB 3.x) has quirks there that
// its users' schedules depend on, so xjob reproduces them rather than the
// documented meaning:
//
//   - A 'W' day that moves forward (a Sunday to Monday, a Saturday 1st to
//     Monday 3rd) fires only once, at the first matching time of day found
//     on an earlier day of that month; the rest of that day is skipped.
//   - Reaching a 'W' day from an earlier day of the month keeps the time of
//     day already found there, so the first fire can come later than the
//     day's first matching time (after a query in the middle of a day).
//   - A plain day hides an earlier "L-n" day of a short month when it lies
//     before 31-n ("27,L-3" in a 28-day February fires on the 27th only).
func (e *Expression) stepwiseDays() bool {
	return !e.byWeekday && (e.domW|e.domLastW != 0 || (e.domLast != 0 && e.dom != 0))
}

// nextWallStepwise is nextWall for stepwiseDays expressions. It follows
// Quartz's order: time of day, then day of month, then month, then year,
// restarting whenever a field has to move on.
func (e *Expression) nextWallStepwise(lb int64) (int64, bool) {
	y, mo, d, h, mi, s := civilOf(lb)
	for y <= maxYear {
		var ok bool
		if h, mi, s, ok = e.timeAtOrAfter(h, mi, s); !ok {
			d++
			h, mi, s, _ = e.timeAtOrAfter(0, 0, 0)
		}
		y, mo, d = normalizeDay(y, mo, d)
		day, restart := e.quartzDay(y, mo, d, int64(h*3600+mi*60+s), lb)
		if restart {
			if day < 0 {
				mo, day = mo+1, 1
			}
			y, mo, d = normalizeDay(y, mo, day)
			h, mi, s = 0, 0, 0
			continue
		}
		d = day
		if e.month&(1<<uint(mo)) == 0 {
			nm := nextBit(e.month, mo)
			if nm > 12 {
				y, nm = y+1, nextBit(e.month, 1)
			}
			mo, d, h, mi, s = nm, 1, 0, 0, 0
			continue
		}
		if ny := e.yearFrom(y); ny != y {
			if y = ny; y == 0 {
				return 0, false
			}
			mo, d, h, mi, s = 1, 1, 0, 0, 0
			continue
		}
		return wallOf(y, mo, d, h, mi, s), true
	}
	return 0, false
}

// normalizeDay carries a day past the end of its month (or a month past
// December) into the following month, as a lenient calendar does.
func normalizeDay(y, mo, d int) (int, int, int) {
	if mo > 12 {
		y, mo = y+1, mo-12
	}
	if last := daysIn(y, mo); d > last {
		d -= last
		if mo++; mo > 12 {
			y, mo = y+1, 1
		}
	}
	return y, mo, d
}

// quartzDay is Quartz's day-of-month step on day d of y-mo, with tod the
// time of day already found (seconds). It returns the chosen day and
// whether the search restarts there from midnight (day -1: next month).
// A 'W' candidate is kept with the current time of day when it is not
// before lb; a plain or "L" day earlier than it wins and restarts.
func (e *Expression) quartzDay(y, mo, d int, tod, lb int64) (int, bool) {
	last := daysIn(y, mo)
	plain := quartzSmallest(d, last, e.dom, e.domLast)
	nearest := -1
	if b := quartzSmallest(d, last, e.domW, e.domLastW); b > 0 {
		first := int((daysFromCivil(y, mo, 1)%7 + 11) % 7)
		nearest = nearestWeekday(b, first, last)
		if daysFromCivil(y, mo, nearest)*86400+tod < lb {
			nearest = -1
		}
	}
	switch {
	case plain > 0 && (nearest < 0 || plain < nearest):
		return plain, plain != d
	case plain < 0 && nearest < 0:
		return -1, true
	}
	return nearest, false
}

// quartzSmallest is Quartz's findSmallestDay: the first day >= d of a month
// of last days among plain days and "L-n" offsets, or -1. Like Quartz it
// compares a plain day with an offset as if the month had 31 days.
func quartzSmallest(d, last int, plain, fromEnd uint64) int {
	scaled := 1 << 30 // "none"
	if room := last - d; room >= 0 {
		if m := fromEnd & (1<<uint(room+1) - 1); m != 0 {
			scaled = 31 - (63 - bits.LeadingZeros64(m)) // largest offset that fits
		}
	}
	if p := nextBit(plain, d); p <= 31 && p < scaled && p <= last {
		return p
	}
	if scaled == 1<<30 {
		return -1
	}
	return scaled + last - 31
}
