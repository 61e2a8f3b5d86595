package cron

import (
	"strings"
	"testing"
	"time"
)

// TestNextDST pins the daylight-saving rule: a skipped wall time fires at
// the first instant after the gap, a repeated one once, at its first
// occurrence. Berlin: 2026-03-29 02:00 CET -> 03:00 CEST and 2026-10-25
// 03:00 CEST -> 02:00 CET. New York: 2026-03-08 02:00 EST -> 03:00 EDT and
// 2026-11-01 02:00 EDT -> 01:00 EST.
func TestNextDST(t *testing.T) {
	tests := []struct {
		name, zone, expr, from string
		want                   string // space-separated RFC 3339 fire times
	}{
		{"BerlinSpringFixedTimeInGap", "Europe/Berlin", "0 30 2 * * ?", "2026-03-28T12:00:00Z",
			"2026-03-29T03:00:00+02:00 2026-03-30T02:30:00+02:00"},
		{"BerlinSpringHalfHourly", "Europe/Berlin", "0 0/30 * * * ?", "2026-03-29T00:20:00Z",
			"2026-03-29T01:30:00+01:00 2026-03-29T03:00:00+02:00 2026-03-29T03:30:00+02:00"},
		{"BerlinSpringHourly", "Europe/Berlin", "0 0 * * * ?", "2026-03-29T00:20:00Z",
			"2026-03-29T03:00:00+02:00 2026-03-29T04:00:00+02:00"},
		{"BerlinFallFixedTimeRepeated", "Europe/Berlin", "0 30 2 * * ?", "2026-10-24T12:00:00Z",
			"2026-10-25T02:30:00+02:00 2026-10-26T02:30:00+01:00"},
		{"BerlinFallHalfHourly", "Europe/Berlin", "0 0/30 * * * ?", "2026-10-24T23:20:00Z",
			"2026-10-25T01:30:00+02:00 2026-10-25T02:00:00+02:00 2026-10-25T02:30:00+02:00 2026-10-25T03:00:00+01:00"},
		{"BerlinFallHourly", "Europe/Berlin", "0 0 * * * ?", "2026-10-24T23:20:00Z",
			"2026-10-25T02:00:00+02:00 2026-10-25T03:00:00+01:00 2026-10-25T04:00:00+01:00"},
		{"NewYorkSpringFixedTimeInGap", "America/New_York", "0 30 2 * * ?", "2026-03-07T12:00:00Z",
			"2026-03-08T03:00:00-04:00 2026-03-09T02:30:00-04:00"},
		{"NewYorkSpringManyInGap", "America/New_York", "0 */15 2 * * ?", "2026-03-07T12:00:00Z",
			"2026-03-08T03:00:00-04:00 2026-03-09T02:00:00-04:00 2026-03-09T02:15:00-04:00"},
		{"NewYorkSpringHalfHourly", "America/New_York", "0 0/30 * * * ?", "2026-03-08T05:50:00Z",
			"2026-03-08T01:00:00-05:00 2026-03-08T01:30:00-05:00 2026-03-08T03:00:00-04:00"},
		{"NewYorkFallFixedTimeRepeated", "America/New_York", "0 30 1 * * ?", "2026-10-31T12:00:00Z",
			"2026-11-01T01:30:00-04:00 2026-11-02T01:30:00-05:00"},
		{"NewYorkFallHalfHourly", "America/New_York", "0 0/30 * * * ?", "2026-11-01T04:20:00Z",
			"2026-11-01T00:30:00-04:00 2026-11-01T01:00:00-04:00 2026-11-01T01:30:00-04:00 2026-11-01T02:00:00-05:00"},
		{"NewYorkFallHourly", "America/New_York", "0 0 * * * ?", "2026-11-01T04:20:00Z",
			"2026-11-01T01:00:00-04:00 2026-11-01T02:00:00-05:00 2026-11-01T03:00:00-05:00"},
		{"NewYorkFallFromSecondPass", "America/New_York", "0 0/30 * * * ?", "2026-11-01T06:10:00Z",
			"2026-11-01T02:00:00-05:00 2026-11-01T02:30:00-05:00"},
		{"NewYorkFallEverySecondSkipsRepeat", "America/New_York", "* * * * * ?", "2026-11-01T05:59:58Z",
			"2026-11-01T01:59:59-04:00 2026-11-01T02:00:00-05:00"},
		// Samoa skipped 2011-12-30 entirely (-10 -> +14).
		{"ApiaSkippedDay", "Pacific/Apia", "0 0 12 * * ?", "2011-12-29T00:00:00Z",
			"2011-12-29T12:00:00-10:00 2011-12-31T00:00:00+14:00 2011-12-31T12:00:00+14:00"},
		{"ApiaSkippedMidnight", "Pacific/Apia", "0 0 0 * * ?", "2011-12-29T00:00:00Z",
			"2011-12-29T00:00:00-10:00 2011-12-31T00:00:00+14:00 2012-01-01T00:00:00+14:00"},
		// Lord Howe moves its clocks by 30 minutes.
		{"LordHoweHalfHourGap", "Australia/Lord_Howe", "0 15 2 * * ?", "2026-10-03T00:00:00Z",
			"2026-10-04T02:30:00+11:00 2026-10-05T02:15:00+11:00"},
		{"LordHoweHalfHourRepeat", "Australia/Lord_Howe", "0 0/15 1 * * ?", "2026-04-04T14:20:00Z",
			"2026-04-05T01:30:00+11:00 2026-04-05T01:45:00+11:00 2026-04-06T01:00:00+10:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Skip("zone data missing: ", err)
			}
			from, err := time.Parse(time.RFC3339, tt.from)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Fields(tt.want)
			got := formatNext(MustParse(tt.expr), from, loc, len(want))
			if strings.Join(got, " ") != tt.want {
				t.Errorf("%q in %s from %s:\n got  %v\n want %v", tt.expr, tt.zone, tt.from, got, want)
			}
		})
	}
}

// formatNext returns the next n fire times as RFC 3339 strings in loc.
func formatNext(e *Expression, from time.Time, loc *time.Location, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		next, ok := e.Next(from, loc)
		if !ok {
			break
		}
		out = append(out, next.Format(time.RFC3339))
		from = next
	}
	return out
}
