package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/domain/cron"
)

func TestParseSchedule(t *testing.T) {
	from := time.Date(2026, 5, 17, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		typ    domain.ScheduleType
		conf   string
		from   time.Time
		want   time.Time // zero: never fires
		errKey string    // "" = valid
	}{
		{"Cron", domain.ScheduleCron, "0 0/5 * * * ?", from, from.Add(5 * time.Minute), ""},
		{"CronNeverFires", domain.ScheduleCron, "0 0 0 30 2 ?", from, time.Time{}, ""},
		{"CronInvalid", domain.ScheduleCron, "0 0 0 ? * 8", from, time.Time{}, "cron_err_out_of_range"},
		{"FixRate", domain.ScheduleFixRate, "30", from, from.Add(30 * time.Second), ""},
		{"FixRateSpaces", domain.ScheduleFixRate, " 30 ", from, from.Add(30 * time.Second), ""},
		{"FixRateRoundsUp", domain.ScheduleFixRate, "30", from.Add(250 * time.Millisecond), from.Add(31 * time.Second), ""},
		{"FixRateMax", domain.ScheduleFixRate, "2147483647", from, from.Add(2147483647 * time.Second), ""},
		{"FixRateZero", domain.ScheduleFixRate, "0", from, time.Time{}, "schedule_err_interval"},
		{"FixRateNegative", domain.ScheduleFixRate, "-5", from, time.Time{}, "schedule_err_interval"},
		{"FixRateNotNumber", domain.ScheduleFixRate, "5s", from, time.Time{}, "schedule_err_interval"},
		{"FixRateTooBig", domain.ScheduleFixRate, "2147483648", from, time.Time{}, "schedule_err_interval"},
		{"FixDelay", domain.ScheduleFixDelay, "60", from, from.Add(time.Minute), ""},
		{"FixDelayRoundsUp", domain.ScheduleFixDelay, "1", from.Add(time.Nanosecond), from.Add(2 * time.Second), ""},
		{"FixDelayEmpty", domain.ScheduleFixDelay, "", from, time.Time{}, "schedule_err_interval"},
		{"None", domain.ScheduleNone, "", from, time.Time{}, ""},
		{"UnknownType", domain.ScheduleType("HOURLY"), "1", from, time.Time{}, "schedule_err_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := domain.ParseSchedule(tt.typ, tt.conf)
			if tt.errKey != "" {
				if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorKey(err) != tt.errKey {
					t.Fatalf("err = %v (code %q key %q), want EINVALID %s", err, domain.ErrorCode(err), domain.ErrorKey(err), tt.errKey)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, ok := s.Next(tt.from, time.UTC)
			if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
				t.Errorf("Next(%v) = %v, %v; want %v", tt.from, got, ok, tt.want)
			}
		})
	}
}

// TestParseScheduleCronError checks that the cron parser's error stays
// reachable through the EINVALID *domain.Error.
func TestParseScheduleCronError(t *testing.T) {
	_, err := domain.ParseSchedule(domain.ScheduleCron, "0 0 0 * * 1")
	var de *domain.Error
	var se *cron.SyntaxError
	if !errors.As(err, &de) || de.Code != domain.EINVALID {
		t.Fatalf("errors.As *domain.Error: %v", err)
	}
	if !errors.As(err, &se) || se.Problem != cron.ProblemBothDays {
		t.Fatalf("errors.As *cron.SyntaxError: %v", err)
	}
	want := `Invalid cron expression: day-of-week: "1": one of day-of-month and day-of-week must be '?'`
	if err.Error() != want || domain.ErrorMessage(err) != want {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestJobInfoNextTriggerTime(t *testing.T) {
	from := time.Date(2026, 5, 17, 10, 0, 0, 0, time.UTC)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip(err)
	}
	tests := []struct {
		name string
		job  domain.JobInfo
		want string // RFC 3339; "" = never
		err  bool
	}{
		{"DefaultZone", domain.JobInfo{ScheduleType: domain.ScheduleCron, ScheduleConf: "0 0 9 * * ?"}, "2026-05-18T09:00:00+09:00", false},
		{"OwnZone", domain.JobInfo{ScheduleType: domain.ScheduleCron, ScheduleConf: "0 0 9 * * ?", TimeZone: "UTC"}, "2026-05-18T09:00:00Z", false},
		{"UnknownZoneFallsBack", domain.JobInfo{ScheduleType: domain.ScheduleCron, ScheduleConf: "0 0 9 * * ?", TimeZone: "Mars/Olympus"}, "2026-05-18T09:00:00+09:00", false},
		{"FixRate", domain.JobInfo{ScheduleType: domain.ScheduleFixRate, ScheduleConf: "90"}, "2026-05-17T19:01:30+09:00", false},
		{"None", domain.JobInfo{ScheduleType: domain.ScheduleNone}, "", false},
		{"Invalid", domain.JobInfo{ScheduleType: domain.ScheduleCron, ScheduleConf: "bad"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, ok, err := tt.job.NextTriggerTime(from, tokyo)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v", err)
			}
			got := ""
			if ok {
				got = next.Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("NextTriggerTime = %q, want %q", got, tt.want)
			}
		})
	}
}
