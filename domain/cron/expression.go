package cron

import (
	"strconv"
	"strings"
)

// Expression is a parsed Quartz cron expression. Its fields are precomputed
// bitsets, so Next allocates nothing. An Expression is immutable and safe for
// concurrent use.
type Expression struct {
	src string

	sec, min, hour uint64 // bits 0-59, 0-59, 0-23
	month          uint64 // bits 1-12

	// Day-of-month rules (used when day-of-week is '?').
	dom      uint64 // bit d: day d
	domLast  uint64 // bit n: n days before the last day ("L", "L-n")
	domW     uint64 // bit d: the weekday nearest day d ("dW")
	domLastW uint64 // bit n: the weekday nearest "L-n" ("LW", "L-nW")

	// Day-of-week rules (used when day-of-month is '?'); weekday 0 is Sunday.
	dow        uint64    // bit w: every such weekday
	dowLast    uint64    // bit w: the last such weekday of the month ("wL")
	dowNth     [7]uint8  // bit k of dowNth[w]: the k-th such weekday ("w#k")
	dowPattern [7]uint64 // days matching dow in a month whose 1st is weekday i

	byWeekday bool // day-of-month is '?'
	anyYear   bool // no year field, or '*'
	years     yearSet

	items [7][]item // the parsed fields, for Explain
}

// Parse parses a Quartz cron expression: "second minute hour day-of-month
// month day-of-week [year]". It accepts what Quartz's CronExpression
// accepts, except for the few inputs Quartz misreads silently (see
// docs/cron.md). Errors are *SyntaxError.
func Parse(expr string) (*Expression, error) {
	fields := strings.Fields(expr)
	if len(fields) == 0 {
		return nil, &SyntaxError{Expr: expr, Field: FieldExpression, Problem: ProblemEmpty}
	}
	if len(fields) < 6 || len(fields) > 7 {
		return nil, &SyntaxError{Expr: expr, Field: FieldExpression, Problem: ProblemFieldCount,
			Value: strconv.Itoa(len(fields)), Min: 6, Max: 7}
	}
	e := &Expression{src: expr, anyYear: len(fields) == 6}
	for i, text := range fields {
		p := fieldParser{e: e, kind: fieldKind(i), spec: &specs[i], text: strings.ToUpper(text)}
		if err := p.parse(); err != nil {
			err.Expr = expr
			return nil, err
		}
	}
	if err := e.checkDayFields(fields[5]); err != nil {
		err.Expr = expr
		return nil, err
	}
	e.buildPatterns()
	return e, nil
}

// MustParse is like Parse but panics on error; for tests and constants.
func MustParse(expr string) *Expression {
	e, err := Parse(expr)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the expression exactly as it was given to Parse.
func (e *Expression) String() string { return e.src }

// checkDayFields applies Quartz's rule that exactly one of day-of-month and
// day-of-week is '?'.
func (e *Expression) checkDayFields(dowText string) *SyntaxError {
	domAny := isAny(e.items[kDayOfMonth])
	dowAny := isAny(e.items[kDayOfWeek])
	switch {
	case domAny && dowAny:
		return &SyntaxError{Field: FieldDayOfWeek, Value: dowText, Problem: ProblemNoDays}
	case !domAny && !dowAny:
		return &SyntaxError{Field: FieldDayOfWeek, Value: dowText, Problem: ProblemBothDays}
	}
	e.byWeekday = domAny
	return nil
}

// buildPatterns precomputes, for each weekday the 1st of a month can fall
// on, which days of that month the plain day-of-week values select.
func (e *Expression) buildPatterns() {
	for first := 0; first < 7; first++ {
		var m uint64
		for d := 1; d <= 31; d++ {
			if e.dow&(1<<uint((first+d-1)%7)) != 0 {
				m |= 1 << uint(d)
			}
		}
		e.dowPattern[first] = m
	}
}

func isAny(items []item) bool { return len(items) == 1 && items[0].kind == itemAny }
