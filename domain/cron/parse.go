package cron

import (
	"strings"
)

// itemKind says what one comma-separated item of a field means.
type itemKind uint8

const (
	itemAny     itemKind = iota // "?"
	itemRange                   // "*", "5", "1-5", "50-10", "0/5", "*/7", "1-10/3"
	itemLast                    // day-of-month "L"/"L-n" (lo = n); day-of-week "wL" (lo = w)
	itemNearest                 // day-of-month "dW" (lo = d) or "LW"/"L-nW" (fromEnd, lo = n)
	itemNth                     // day-of-week "w#k" (lo = w, nth = k)
)

// item is one parsed list item, kept for Explain.
type item struct {
	kind    itemKind
	lo, hi  int  // values; hi < lo is a wrapping range; hi == lo a single value
	step    int  // increment after '/', 0 when absent
	star    bool // the range was '*' (or a bare "/n")
	hasStep bool
	openEnd bool // "a/n": the range runs to the end of the field
	fromEnd bool // itemNearest counted from the last day
	nth     int  // itemNth's k
}

// fieldParser parses one field of an expression into e.
type fieldParser struct {
	e    *Expression
	kind fieldKind
	spec *fieldSpec
	text string // upper-cased field text
}

func (p *fieldParser) fail(problem, value string) *SyntaxError {
	return &SyntaxError{Field: p.spec.name, Value: value, Problem: problem}
}

func (p *fieldParser) failRange(problem, value string, lo, hi int) *SyntaxError {
	return &SyntaxError{Field: p.spec.name, Value: value, Problem: problem, Min: lo, Max: hi}
}

// parse splits the field into items (empty items are skipped, as Quartz's
// tokenizer does) and parses each one.
func (p *fieldParser) parse() *SyntaxError {
	if err := p.checkList(); err != nil {
		return err
	}
	for _, s := range strings.Split(p.text, ",") {
		if s == "" {
			continue
		}
		it, err := p.parseItem(s)
		if err != nil {
			return err
		}
		p.e.items[p.kind] = append(p.e.items[p.kind], it)
		p.apply(it)
	}
	if len(p.e.items[p.kind]) == 0 {
		return p.fail(ProblemInvalid, p.text)
	}
	return nil
}

// checkList enforces the list rules: '?' stands alone, and day-of-week's
// 'L' and '#' cannot be combined with other values.
func (p *fieldParser) checkList() *SyntaxError {
	hasList := strings.Contains(p.text, ",")
	if strings.Contains(p.text, "?") {
		if p.kind != kDayOfMonth && p.kind != kDayOfWeek {
			return p.fail(ProblemQuestionMark, p.text)
		}
		if p.text != "?" {
			return p.fail(ProblemInvalid, p.text)
		}
	}
	if p.kind != kDayOfWeek || !hasList {
		return nil
	}
	if strings.Contains(p.text, "L") {
		return p.fail(ProblemLastInList, p.text)
	}
	if strings.Contains(p.text, "#") {
		return p.fail(ProblemNthInList, p.text)
	}
	return nil
}

// parseItem parses one list item, trying the day fields' special forms
// before the plain range syntax.
func (p *fieldParser) parseItem(s string) (item, *SyntaxError) {
	switch {
	case s == "?":
		return item{kind: itemAny}, nil
	case p.kind == kDayOfMonth:
		if it, ok, err := p.parseDayOfMonthSpecial(s); ok || err != nil {
			return it, err
		}
	case p.kind == kDayOfWeek:
		if it, ok, err := p.parseDayOfWeekSpecial(s); ok || err != nil {
			return it, err
		}
	}
	it, err := p.parseRange(s)
	if err != nil && err.Problem == ProblemInvalid {
		return it, p.misplacedOption(s, err)
	}
	return it, err
}

// misplacedOption turns an unreadable item that uses a day-field option in
// the wrong field into the more helpful *_not_allowed error.
func (p *fieldParser) misplacedOption(s string, err *SyntaxError) *SyntaxError {
	switch {
	case strings.Contains(s, "#") && p.kind != kDayOfWeek:
		return p.fail(ProblemNthNotAllowed, s)
	case strings.HasSuffix(s, "W") && p.kind != kDayOfMonth:
		return p.fail(ProblemWeekdayNotAllow, s)
	case strings.HasSuffix(s, "L") && p.kind != kDayOfMonth && p.kind != kDayOfWeek:
		return p.fail(ProblemLastNotAllowed, s)
	}
	return err
}

// parseDayOfMonthSpecial reads "L", "L-n", "LW", "L-nW" and "dW".
func (p *fieldParser) parseDayOfMonthSpecial(s string) (item, bool, *SyntaxError) {
	if strings.HasPrefix(s, "L") {
		rest, nearest := strings.CutSuffix(s[1:], "W")
		off := 0
		if rest != "" {
			digits, ok := strings.CutPrefix(rest, "-")
			n, isNum := atoi(digits)
			if !ok || !isNum {
				return item{}, true, p.fail(ProblemInvalid, s)
			}
			if n > 30 {
				return item{}, true, p.failRange(ProblemOffsetOutOfRange, s, 0, 30)
			}
			off = n
		}
		if nearest {
			return item{kind: itemNearest, lo: off, fromEnd: true}, true, nil
		}
		return item{kind: itemLast, lo: off}, true, nil
	}
	if digits, ok := strings.CutSuffix(s, "W"); ok {
		d, isNum := atoi(digits)
		if !isNum {
			return item{}, true, p.fail(ProblemInvalid, s)
		}
		if d < 1 || d > 31 {
			return item{}, true, p.failRange(ProblemOutOfRange, digits, 1, 31)
		}
		return item{kind: itemNearest, lo: d}, true, nil
	}
	return item{}, false, nil
}

// parseDayOfWeekSpecial reads "L" (Saturday), "wL" and "w#k".
func (p *fieldParser) parseDayOfWeekSpecial(s string) (item, bool, *SyntaxError) {
	if s == "L" {
		return item{kind: itemRange, lo: 7, hi: 7}, true, nil
	}
	if v, ok := strings.CutSuffix(s, "L"); ok {
		w, _, err := p.value(v, s, false)
		if err != nil {
			return item{}, true, err
		}
		return item{kind: itemLast, lo: w}, true, nil
	}
	if v, k, ok := strings.Cut(s, "#"); ok {
		w, _, err := p.value(v, s, false)
		if err != nil {
			return item{}, true, err
		}
		n, isNum := atoi(k)
		if !isNum {
			return item{}, true, p.fail(ProblemInvalid, s)
		}
		if n < 1 || n > 5 {
			return item{}, true, p.failRange(ProblemNthOutOfRange, s, 1, 5)
		}
		return item{kind: itemNth, lo: w, nth: n}, true, nil
	}
	return item{}, false, nil
}
