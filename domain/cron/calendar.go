package cron

import "math/bits"

// daysFromCivil returns the number of days from 1970-01-01 to the given
// proleptic Gregorian date (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := int(z - era*146097)
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + int(era)*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// daysIn returns the length of month m of year y.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dayMask returns the days (bits 1-31) of month m of year y on which the
// expression fires, from day-of-week or from day-of-month rules.
func (e *Expression) dayMask(y, m int) uint64 {
	last := daysIn(y, m)
	first := int((daysFromCivil(y, m, 1)%7 + 11) % 7) // weekday of the 1st, 0 = Sunday
	all := uint64(1)<<uint(last+1) - 2
	if e.byWeekday {
		return e.weekdayMask(first, last) & all
	}
	mask := e.dom
	if e.domLast != 0 {
		// bit n ("L-n") becomes bit last-n; offsets past the 1st drop out.
		mask |= bits.Reverse64(e.domLast) >> uint(63-last) &^ 1
	}
	for w := e.domW; w != 0; w &= w - 1 {
		if b := bits.TrailingZeros64(w); b <= last {
			mask |= 1 << uint(nearestWeekday(b, first, last))
		}
	}
	for w := e.domLastW; w != 0; w &= w - 1 {
		if b := last - bits.TrailingZeros64(w); b >= 1 {
			mask |= 1 << uint(nearestWeekday(b, first, last))
		}
	}
	return mask & all
}

// weekdayMask returns the day-of-week rules' days of a month whose 1st is
// weekday first and whose last day is last.
func (e *Expression) weekdayMask(first, last int) uint64 {
	mask := e.dowPattern[first]
	lastWd := (first + last - 1) % 7
	for w := e.dowLast; w != 0; w &= w - 1 {
		wd := bits.TrailingZeros64(w)
		mask |= 1 << uint(last-(lastWd-wd+7)%7)
	}
	for wd, ks := range e.dowNth {
		if ks == 0 {
			continue
		}
		d1 := 1 + (wd-first+7)%7
		for k := uint8(1); k <= 5; k++ {
			if ks&(1<<k) != 0 && d1+7*int(k-1) <= last {
				mask |= 1 << uint(d1+7*int(k-1))
			}
		}
	}
	return mask
}

// nearestWeekday returns the Monday-to-Friday day nearest day d of a month,
// never leaving the month: a Saturday 1st moves to Monday the 3rd and a
// Sunday last day back to Friday.
func nearestWeekday(d, first, last int) int {
	switch (first + d - 1) % 7 {
	case 6: // Saturday
		if d == 1 {
			return 3
		}
		return d - 1
	case 0: // Sunday
		if d == last {
			return d - 2
		}
		return d + 1
	}
	return d
}
