package cron

import (
	"strings"
	"testing"
)

func TestExplain(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"0 0 12 * * ?", "At 12:00:00, every day"},
		{"0 15 10 ? * MON-FRI", "At 10:15:00, on Monday through Friday"},
		{"* * * * * ?", "Every second, every day"},
		{"0/5 * * * * ?", "Every 5 seconds, every day"},
		{"0 0/5 14,18 * * ?", "At second 0, every 5 minutes, at hours 14 and 18, every day"},
		{"0 0 * * * ?", "At 00:00 past the hour, every day"},
		{"0 15 9-17 * * ?", "At 15:00 past the hour, at hours 9 through 17, every day"},
		{"0 15 10 ? * 6L 2026-2030", "At 10:15:00, on the last Friday of the month, in 2026 through 2030"},
		{"0 15 10 ? * 6#3", "At 10:15:00, on the third Friday of the month"},
		{"0 0 0 1,15,L * ?", "At 00:00:00, on days 1 and 15 and the last day of the month"},
		{"0 0 0 LW * ?", "At 00:00:00, on the last weekday of the month"},
		{"0 0 0 L-3 * ?", "At 00:00:00, on the last day of the month minus 3 days"},
		{"0 0 0 15W * ?", "At 00:00:00, on the weekday nearest day 15 of the month"},
		{"5/15 7/20 3/7 * * ?", "Every 15 seconds from second 5, every 20 minutes from minute 7, every 7 hours from hour 3, every day"},
		{"1-10/3 * * * * ?", "Every 3 seconds from second 1 through 10, every day"},
		{"0 0 0 1 JAN-MAR ?", "At 00:00:00, on day 1, in January through March"},
		{"0 0 0 1 */3 ?", "At 00:00:00, on day 1, every 3 months"},
		{"0 0 0 29 2 ? 2028/4", "At 00:00:00, on day 29, in February, every 4 years from 2028"},
		{"0 0 0 ? * L", "At 00:00:00, on Saturday"},
		{"0 0 0 * * ? 2026,2028", "At 00:00:00, every day, in 2026 and 2028"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			if got := MustParse(tt.expr).Explain(); got != tt.want {
				t.Errorf("Explain() = %q\nwant        %q", got, tt.want)
			}
		})
	}
}

// TestExplainFixture makes sure every expression Quartz accepts explains
// without panicking and as a single line.
func TestExplainFixture(t *testing.T) {
	for _, fl := range readFixture(t) {
		if e, err := Parse(fl.expr); err == nil {
			if s := e.Explain(); s == "" || strings.Contains(s, "\n") {
				t.Errorf("%q: Explain() = %q", fl.expr, s)
			}
		}
	}
}
