package cron

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var fuzzZones = []string{"UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"}

// FuzzParseNext checks that Parse never panics, that rejections are
// *SyntaxError, and that successive Next results strictly increase, fall on
// whole seconds and (outside Quartz's stepwise day search) leave no fire
// time out: asking again one second before a result gives that result.
func FuzzParseNext(f *testing.F) {
	for i, fl := range readFixture(f) {
		f.Add(fl.expr, fl.from, uint8(i))
	}
	f.Add("0 30 2 * * ?", int64(1774746000000), uint8(2))
	f.Add("0 0/30 * * * ?", int64(1793500000000), uint8(3))
	locs := make([]*time.Location, len(fuzzZones))
	for i, z := range fuzzZones {
		loc, err := time.LoadLocation(z)
		if err != nil {
			f.Skip("zone data missing: ", err)
		}
		locs[i] = loc
	}
	f.Fuzz(func(t *testing.T, expr string, fromMs int64, zone uint8) {
		e, err := Parse(expr)
		if err != nil {
			checkRejection(t, expr, err)
			return
		}
		_ = e.Explain()
		loc := locs[int(zone)%len(locs)]
		from := time.UnixMilli(fromMs)
		for i := 0; i < 20; i++ {
			next, ok := e.Next(from, loc)
			if !ok {
				return
			}
			if !next.After(from) || next.Nanosecond() != 0 {
				t.Fatalf("%q in %s: Next(%v) = %v", expr, loc, from, next)
			}
			if !e.stepwiseDays() {
				if again, _ := e.Next(next.Add(-time.Second), loc); !again.Equal(next) {
					t.Fatalf("%q in %s: Next(%v) = %v but Next(%v) = %v", expr, loc, from, next, next.Add(-time.Second), again)
				}
			}
			from = next
		}
	})
}

func checkRejection(t *testing.T, expr string, err error) {
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse(%q): %T is not *SyntaxError", expr, err)
	}
	if se.Expr != expr || !strings.HasPrefix(se.MessageID(), "cron_err_") || err.Error() == "" {
		t.Fatalf("Parse(%q): malformed error %#v", expr, se)
	}
}
