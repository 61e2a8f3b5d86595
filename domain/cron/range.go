package cron

import "strings"

// parseRange reads the plain item syntax shared by all fields: "*", "/n",
// "*/n", "a", "a/n", "a-b" and "a-b/n", where a and b are numbers or, in
// month and day-of-week, names. Quartz's own readings are kept: a step
// after a name is ignored ("JAN-MAR/2" is January to March), a range's step
// is not bounded ("5-10/90" is just 5), and a range may end at 0 in the
// 1-based fields, meaning the field's last value ("FRI-0" is not allowed,
// "6-0" is 6-7 in day-of-week).
func (p *fieldParser) parseRange(s string) (item, *SyntaxError) {
	body, stepText, hasStep := strings.Cut(s, "/")
	it := item{kind: itemRange, hasStep: hasStep}
	if hasStep {
		n, ok := atoi(stepText)
		if !ok {
			return it, p.fail(ProblemInvalid, s)
		}
		it.step = n
	}
	if body == "*" || (body == "" && hasStep) {
		it.star = true
		it.lo, it.hi = p.bounds()
		return it, p.checkStep(it, s)
	}
	return p.parseBounds(it, body, s)
}

// parseBounds reads the "a" or "a-b" part of a range item whose step, if
// any, is already in it.
func (p *fieldParser) parseBounds(it item, body, s string) (item, *SyntaxError) {
	loText, hiText, isRange := strings.Cut(body, "-")
	lo, loName, err := p.value(loText, s, false)
	if err != nil {
		return it, err
	}
	it.lo, it.hi = lo, lo
	if isRange {
		hi, hiName, err := p.value(hiText, s, !loName)
		if err != nil {
			return it, err
		}
		if hiName != loName {
			return it, p.fail(ProblemInvalid, s)
		}
		it.hi = hi
	}
	switch {
	case loName && it.hasStep:
		it.hasStep, it.step = false, 0 // Quartz ignores a step after a name
	case it.hasStep && !isRange:
		_, it.hi = p.bounds() // "a/n" runs to the end of the field
		it.openEnd = true
		if err := p.checkStep(it, s); err != nil {
			return it, err
		}
	}
	if p.kind == kYear && it.hi < it.lo {
		return it, p.fail(ProblemRangeReversed, s)
	}
	if it.hasStep && it.step == 0 { // Quartz: "a/0" and "a-b/0" are just a
		it.hi, it.openEnd = it.lo, false
	}
	return it, nil
}

// checkStep bounds the step of "*/n" and "a/n" as Quartz does.
func (p *fieldParser) checkStep(it item, s string) *SyntaxError {
	if it.step > p.spec.maxStep {
		return p.failRange(ProblemStepOutOfRange, s, 0, p.spec.maxStep)
	}
	return nil
}

// bounds returns the values '*' stands for in this field.
func (p *fieldParser) bounds() (int, int) {
	if p.kind == kYear {
		return minYear, maxYear
	}
	return p.spec.min, p.spec.max
}

// value reads one number or name; item is the whole item, for messages.
// rangeEnd allows 0 as the end of a range in a 1-based field.
func (p *fieldParser) value(s, item string, rangeEnd bool) (v int, isName bool, err *SyntaxError) {
	if n, ok := atoi(s); ok {
		if rangeEnd && n == 0 && p.spec.min == 1 {
			return 0, false, nil
		}
		if n < p.spec.min || n > p.spec.max {
			return 0, false, p.failRange(ProblemOutOfRange, s, p.spec.min, p.spec.max)
		}
		return n, false, nil
	}
	for i := range p.spec.names {
		if s == p.spec.names[i] || s == p.spec.long[i] {
			return p.spec.min + i, true, nil
		}
	}
	return 0, false, p.fail(ProblemInvalid, item)
}

// atoi reads 1 to 9 ASCII digits.
func atoi(s string) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// apply adds the values of one parsed item to the expression's bitsets.
func (p *fieldParser) apply(it item) {
	e := p.e
	switch it.kind {
	case itemLast:
		if p.kind == kDayOfMonth {
			e.domLast |= 1 << uint(it.lo)
		} else {
			e.dowLast |= 1 << uint(it.lo-1)
		}
	case itemNearest:
		if it.fromEnd {
			e.domLastW |= 1 << uint(it.lo)
		} else {
			e.domW |= 1 << uint(it.lo)
		}
	case itemNth:
		e.dowNth[it.lo-1] |= 1 << uint(it.nth)
	case itemRange:
		p.applyRange(it)
	}
}

// applyRange sets the bits of a range item. Ranges whose end is below their
// start wrap around the field ("50-10", "FRI-MON", "NOV-FEB"), except in
// the year field. A step of 0 counts as 1 ("*/0" is every value; "a/0" was
// already narrowed to a by parseBounds, as Quartz reads it).
func (p *fieldParser) applyRange(it item) {
	step := it.step
	if step == 0 {
		step = 1
	}
	if p.kind == kYear {
		p.applyYears(it, step)
		return
	}
	span := p.spec.max - p.spec.min + 1
	hi := it.hi
	if hi < it.lo {
		hi += span
	}
	var m uint64
	for v := it.lo; v <= hi; v += step {
		x := v
		if x > p.spec.max {
			x -= span
		}
		m |= 1 << uint(x)
	}
	switch p.kind {
	case kSecond:
		p.e.sec |= m
	case kMinute:
		p.e.min |= m
	case kHour:
		p.e.hour |= m
	case kDayOfMonth:
		p.e.dom |= m
	case kMonth:
		p.e.month |= m
	case kDayOfWeek:
		p.e.dow |= m >> 1 // Quartz's 1 (Sunday) is bit 0
	}
}

// applyYears sets the years of a range item that fall in minYear..maxYear.
func (p *fieldParser) applyYears(it item, step int) {
	if it.star && step == 1 {
		p.e.anyYear = true
		return
	}
	y := it.lo
	if y < minYear {
		y += (minYear - y + step - 1) / step * step
	}
	for ; y <= it.hi && y <= maxYear; y += step {
		p.e.years.add(y)
	}
}
