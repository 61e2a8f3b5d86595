package cron

import (
	"strconv"
	"strings"
)

// Explain returns a one-line English description of the expression, such
// as "At 10:15:00, on Monday through Friday".
func (e *Expression) Explain() string {
	parts := []string{e.explainTime(), e.explainDays()}
	for _, k := range []fieldKind{kMonth, kYear} {
		if s := e.explainField(k, "in "); s != "" {
			parts = append(parts, s)
		}
	}
	out := strings.Join(parts, ", ")
	return strings.ToUpper(out[:1]) + out[1:]
}

// explainTime describes the second, minute and hour fields.
func (e *Expression) explainTime() string {
	sec, min, hour := e.single(kSecond), e.single(kMinute), e.single(kHour)
	switch {
	case sec >= 0 && min >= 0 && hour >= 0:
		return "at " + pad2(hour) + ":" + pad2(min) + ":" + pad2(sec)
	case sec >= 0 && min >= 0:
		s := "at " + pad2(min) + ":" + pad2(sec) + " past the hour"
		if h := e.explainField(kHour, "at "); h != "every hour" {
			s += ", " + h
		}
		return s
	}
	parts := []string{e.explainField(kSecond, "at ")}
	every := strings.HasPrefix(parts[0], "every")
	for _, k := range []fieldKind{kMinute, kHour} {
		if every && e.unrestricted(k) {
			continue // "every second" already says "every minute"
		}
		p := e.explainField(k, "at ")
		parts = append(parts, p)
		every = strings.HasPrefix(p, "every")
	}
	return strings.Join(parts, ", ")
}

// explainDays describes whichever day field is not '?'.
func (e *Expression) explainDays() string {
	k := kDayOfMonth
	if e.byWeekday {
		k = kDayOfWeek
	}
	if e.unrestricted(k) {
		return "every day"
	}
	return e.explainField(k, "on ")
}

// explainField describes one field's items as a list; unrestricted month
// and year fields give "". prefix introduces the list ("at ", "on ", "in ").
func (e *Expression) explainField(k fieldKind, prefix string) string {
	if len(e.items[k]) == 0 || (k >= kMonth && e.unrestricted(k)) {
		return ""
	}
	var phrases, singles []string
	flush := func() {
		if len(singles) > 0 {
			phrases = append(phrases, label(k, len(singles) > 1)+joinList(singles))
			singles = nil
		}
	}
	for _, it := range e.items[k] {
		if it.kind == itemRange && !it.star && it.lo == it.hi {
			singles = append(singles, valueName(k, it.lo))
			continue
		}
		flush()
		phrases = append(phrases, describeItem(k, it))
	}
	flush()
	if strings.HasPrefix(phrases[0], "every") {
		prefix = ""
	}
	return prefix + joinList(phrases)
}

// describeItem describes one item other than a single value.
func describeItem(k fieldKind, it item) string {
	switch it.kind {
	case itemLast:
		if k == kDayOfMonth {
			return fromLast(it.lo)
		}
		return "the last " + valueName(k, it.lo) + " of the month"
	case itemNearest:
		if it.fromEnd && it.lo == 0 {
			return "the last weekday of the month"
		} else if it.fromEnd {
			return "the weekday nearest " + fromLast(it.lo)
		}
		return "the weekday nearest day " + strconv.Itoa(it.lo) + " of the month"
	case itemNth:
		return "the " + ordinal(it.nth) + " " + valueName(k, it.lo) + " of the month"
	}
	if it.step <= 1 && (it.star || it.openEnd) {
		s := "every " + units[k]
		if !it.star && it.lo != specs[k].min {
			s += " from " + label(k, false) + valueName(k, it.lo)
		}
		return s
	}
	if it.step <= 1 {
		return label(k, true) + valueName(k, it.lo) + " through " + valueName(k, it.hi)
	}
	s := "every " + strconv.Itoa(it.step) + " " + units[k] + "s"
	if !it.star && (it.lo != specs[k].min || !it.openEnd) {
		s += " from " + label(k, false) + valueName(k, it.lo)
	}
	if !it.star && !it.openEnd {
		s += " through " + valueName(k, it.hi)
	}
	return s
}

// unrestricted reports whether field k is a lone '*' (or "*/1").
func (e *Expression) unrestricted(k fieldKind) bool {
	its := e.items[k]
	return len(its) == 1 && its[0].star && its[0].step <= 1
}

// units names each field's unit of time.
var units = [7]string{"second", "minute", "hour", "day", "month", "day", "year"}

// label is the word put before numbers of field k ("second ", "days ").
func label(k fieldKind, plural bool) string {
	switch k {
	case kMonth, kDayOfWeek, kYear:
		return ""
	case kDayOfMonth:
		if plural {
			return "days "
		}
		return "day "
	}
	if plural {
		return units[k] + "s "
	}
	return units[k] + " "
}

// valueName spells a value: month and weekday names, or a number.
func valueName(k fieldKind, v int) string {
	switch k {
	case kMonth:
		return titleCase(monthLong[(v+11)%12])
	case kDayOfWeek:
		return titleCase(dayLong[(v+6)%7])
	}
	return strconv.Itoa(v)
}

// fromLast describes "L-n".
func fromLast(n int) string {
	switch n {
	case 0:
		return "the last day of the month"
	case 1:
		return "the last day of the month minus 1 day"
	}
	return "the last day of the month minus " + strconv.Itoa(n) + " days"
}

func ordinal(n int) string {
	return [...]string{"", "first", "second", "third", "fourth", "fifth"}[n]
}

// single returns the field's only value when it has exactly one, else -1.
func (e *Expression) single(k fieldKind) int {
	its := e.items[k]
	if len(its) == 1 && its[0].kind == itemRange && !its[0].star && its[0].lo == its[0].hi {
		return its[0].lo
	}
	return -1
}

// joinList joins "a", "a and b", "a, b and c".
func joinList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

func titleCase(s string) string { return s[:1] + strings.ToLower(s[1:]) }

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
