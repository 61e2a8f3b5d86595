package cron

import (
	"strings"
	"testing"
	"time"
)

// TestNextCalendar covers leap years, L, W across month ends, nL, n#k and
// the year field, in UTC.
func TestNextCalendar(t *testing.T) {
	tests := []struct {
		name, expr, from string
		want             string // space-separated RFC 3339 UTC fire times
	}{
		{"LeapDay", "0 0 0 29 2 ?", "2026-01-01T00:00:00Z",
			"2028-02-29T00:00:00Z 2032-02-29T00:00:00Z 2036-02-29T00:00:00Z"},
		{"LeapDayCentury", "0 0 0 29 2 ? 2096-2104", "2097-01-01T00:00:00Z", "2104-02-29T00:00:00Z"},
		{"LeapDay2000Style", "0 0 0 29 2 ? 2096,2100,2104", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z"},
		{"LastDay", "0 0 0 L * ?", "2028-01-31T00:00:00Z",
			"2028-02-29T00:00:00Z 2028-03-31T00:00:00Z 2028-04-30T00:00:00Z"},
		{"LastDayMinusTwo", "0 0 0 L-2 * ?", "2027-02-01T00:00:00Z", "2027-02-26T00:00:00Z 2027-03-29T00:00:00Z"},
		{"LastWeekday", "0 0 0 LW * ?", "2026-01-01T00:00:00Z",
			"2026-01-30T00:00:00Z 2026-02-27T00:00:00Z 2026-03-31T00:00:00Z 2026-04-30T00:00:00Z 2026-05-29T00:00:00Z"},
		// 1 August 2026 is a Saturday: W never jumps back into July.
		{"FirstWeekdaySaturday", "0 0 0 1W * ?", "2026-07-15T00:00:00Z", "2026-08-03T00:00:00Z 2026-09-01T00:00:00Z"},
		// 31 January 2027 is a Sunday: 31W moves back to Friday the 29th and
		// skips months without a 31st.
		{"LastDaySunday", "0 0 0 31W * ?", "2027-01-01T00:00:00Z", "2027-01-29T00:00:00Z 2027-03-31T00:00:00Z"},
		{"NearestSaturdayBack", "0 0 9 15W * ?", "2026-08-01T00:00:00Z", "2026-08-14T09:00:00Z 2026-09-15T09:00:00Z"},
		{"LastFriday", "0 0 0 ? * 6L", "2026-01-01T00:00:00Z", "2026-01-30T00:00:00Z 2026-02-27T00:00:00Z"},
		{"LastSaturdayOfShortMonth", "0 0 0 ? 2 7L", "2026-01-01T00:00:00Z", "2026-02-28T00:00:00Z 2027-02-27T00:00:00Z"},
		{"FifthSunday", "0 0 0 ? * 1#5", "2026-01-01T00:00:00Z", "2026-03-29T00:00:00Z 2026-05-31T00:00:00Z"},
		{"SecondMonday", "0 0 0 ? * 2#2", "2026-01-01T00:00:00Z", "2026-01-12T00:00:00Z 2026-02-09T00:00:00Z"},
		{"YearList", "0 0 12 1 1 ? 2027,2029", "2026-05-01T00:00:00Z", "2027-01-01T12:00:00Z 2029-01-01T12:00:00Z"},
		{"YearStep", "0 0 0 1 1 ? 2026/3", "2026-05-01T00:00:00Z", "2029-01-01T00:00:00Z 2032-01-01T00:00:00Z"},
		{"LastYear", "59 59 23 31 12 ? 2199", "2199-12-31T23:59:58Z", "2199-12-31T23:59:59Z"},
		{"MonthEndRollover", "0 0 0 31 * ?", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z 2026-07-31T00:00:00Z"},
		{"StrictlyAfter", "0 0 0 * * ?", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"},
		{"SubSecondRoundsUp", "* * * * * ?", "2026-01-01T00:00:00.5Z", "2026-01-01T00:00:01Z"},
		{"Before1970", "0 0 0 1 1 ?", "1960-06-01T00:00:00Z", "1970-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, err := time.Parse(time.RFC3339Nano, tt.from)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Fields(tt.want)
			got := formatNext(MustParse(tt.expr), from, time.UTC, len(want))
			if strings.Join(got, " ") != tt.want {
				t.Errorf("%q from %s:\n got  %v\n want %v", tt.expr, tt.from, got, want)
			}
		})
	}
}

// TestNextNever covers expressions that stop firing (ok=false).
func TestNextNever(t *testing.T) {
	tests := []struct{ name, expr, from string }{
		{"ThirtiethFebruary", "0 0 0 30 2 ?", "2026-01-01T00:00:00Z"},
		{"PastYear", "0 0 0 * * ? 2025", "2026-01-01T00:00:00Z"},
		{"AfterLastFire", "0 0 0 1 1 ? 2027", "2027-01-01T00:00:00Z"},
		{"After2199", "0 0 0 * * ?", "2199-12-31T00:00:00Z"},
		{"FarFuture", "* * * * * ?", "3000-01-01T00:00:00Z"},
		{"NotLeap2100", "0 0 0 29 2 ? 2100", "2026-01-01T00:00:00Z"},
		{"FifthMondayOfFebruaryNonLeap", "0 0 0 ? 2 2#5 2027", "2026-01-01T00:00:00Z"},
		{"LOffsetPastFebruary", "0 0 0 L-29 2 ?", "2026-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, _ := time.Parse(time.RFC3339, tt.from)
			if next, ok := MustParse(tt.expr).Next(from, time.UTC); ok {
				t.Errorf("%q from %s fired at %s, want never", tt.expr, tt.from, next)
			}
		})
	}
}

// TestNextZones checks that Next evaluates in loc and returns times in loc;
// a nil loc means UTC.
func TestNextZones(t *testing.T) {
	e := MustParse("0 0 9 * * ?")
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip(err)
	}
	got, ok := e.Next(from, shanghai)
	if !ok || got.Format(time.RFC3339) != "2026-01-01T09:00:00+08:00" || got.Location() != shanghai {
		t.Errorf("Shanghai: got %v %v", got, ok)
	}
	got, ok = e.Next(from, nil)
	if !ok || !got.Equal(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("nil loc: got %v %v", got, ok)
	}
}

// TestNextQuartzDayQuirks pins the Quartz 2.5 day-of-month behaviour that
// xjob reproduces for 'W' and for "L-n" mixed with plain days (see
// stepwiseDays). The first two cases come from Quartz's reference answers.
func TestNextQuartzDayQuirks(t *testing.T) {
	tests := []struct {
		name, expr, from string
		want             string
	}{
		// 13 December 2026 is a Sunday: 13W is Monday the 14th, which fires
		// once, at the time found on the 1st, and the rest of the day is skipped.
		{"ForwardWeekdayFiresOnce", "* * 12 13W 10-5 ?", "2026-11-21T10:00:00Z",
			"2026-12-14T12:00:00Z 2027-01-13T12:00:00Z 2027-01-13T12:00:01Z"},
		// Asked mid-morning on the 21st, LW (Monday the 30th) keeps 10:36:08.
		{"WeekdayKeepsTimeOfDay", "8 36 4-17 LW * ?", "2026-11-21T10:00:00Z",
			"2026-11-30T10:36:08Z 2026-11-30T11:36:08Z"},
		// 2027-02 has 28 days: L-3 is the 25th, hidden by the plain 27th.
		{"PlainDayHidesOffset", "0 0 0 27,L-3 * ?", "2027-02-01T00:00:00Z",
			"2027-02-27T00:00:00Z 2027-03-27T00:00:00Z 2027-03-28T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, _ := time.Parse(time.RFC3339, tt.from)
			want := strings.Fields(tt.want)
			got := formatNext(MustParse(tt.expr), from, time.UTC, len(want))
			if strings.Join(got, " ") != tt.want {
				t.Errorf("%q from %s:\n got  %v\n want %v", tt.expr, tt.from, got, want)
			}
		})
	}
}
