package domain

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xjob-dev/xjob/domain/cron"
)

// Schedule computes a job's fire times. Next returns the first fire time
// after from on loc's wall clock; ok is false when the schedule never fires
// again, which is not an error.
type Schedule interface {
	Next(from time.Time, loc *time.Location) (time.Time, bool)
}

// ParseSchedule returns the schedule of type t configured by conf
// (xxl_job_info.schedule_conf):
//
//   - CRON: a Quartz cron expression (a *cron.Expression).
//   - FIX_RATE: whole seconds >= 1; the next fire is from + n seconds.
//   - FIX_DELAY: whole seconds >= 1; the next fire is from + n seconds,
//     where from is the finish time of the previous run.
//   - NONE: never fires.
//
// Returns EINVALID for an unknown type or a bad conf; a bad cron expression
// also wraps its *cron.SyntaxError, which errors.As finds.
func ParseSchedule(t ScheduleType, conf string) (Schedule, error) {
	switch t {
	case ScheduleNone:
		return Never{}, nil
	case ScheduleCron:
		e, err := cron.Parse(conf)
		if err != nil {
			return nil, cronError(err)
		}
		return e, nil
	case ScheduleFixRate, ScheduleFixDelay:
		n, err := parseInterval(conf)
		if err != nil {
			return nil, err
		}
		if t == ScheduleFixRate {
			return FixedRate{Interval: n}, nil
		}
		return FixedDelay{Interval: n}, nil
	}
	return nil, KeyError(EINVALID, "schedule_err_type", fmt.Sprintf("Unknown schedule type %q.", string(t)))
}

// NextTriggerTime returns the job's next fire time after from, evaluated in
// the job's zone (def when it has none). ok is false when the schedule never
// fires again. Returns EINVALID when the job's schedule does not parse.
func (j *JobInfo) NextTriggerTime(from time.Time, def *time.Location) (time.Time, bool, error) {
	s, err := ParseSchedule(j.ScheduleType, j.ScheduleConf)
	if err != nil {
		return time.Time{}, false, err
	}
	next, ok := s.Next(from, j.Location(def))
	return next, ok, nil
}

// Never is the NONE schedule: it never fires.
type Never struct{}

// Next always returns ok=false.
func (Never) Next(time.Time, *time.Location) (time.Time, bool) { return time.Time{}, false }

// FixedRate is the FIX_RATE schedule: a fire every Interval, counted from
// the previous fire time.
type FixedRate struct{ Interval time.Duration }

// Next returns from + Interval, rounded up to a whole second as upstream
// does, in loc (unchanged when loc is nil).
func (s FixedRate) Next(from time.Time, loc *time.Location) (time.Time, bool) {
	return addInterval(from, s.Interval, loc), true
}

// FixedDelay is the FIX_DELAY schedule: a fire Interval after the previous
// run finished. The caller passes that finish time as from.
type FixedDelay struct{ Interval time.Duration }

// Next returns from + Interval, rounded up to a whole second, in loc
// (unchanged when loc is nil).
func (s FixedDelay) Next(from time.Time, loc *time.Location) (time.Time, bool) {
	return addInterval(from, s.Interval, loc), true
}

func addInterval(from time.Time, d time.Duration, loc *time.Location) time.Time {
	t := from.Add(d)
	if r := t.Truncate(time.Second); !r.Equal(t) {
		t = r.Add(time.Second)
	}
	if loc != nil {
		t = t.In(loc)
	}
	return t
}

// parseInterval reads a FIX_RATE/FIX_DELAY conf: whole seconds, 1 to
// 2147483647 (upstream reads it as a Java int).
func parseInterval(conf string) (time.Duration, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(conf), 10, 64)
	if err != nil || n < 1 || n > math.MaxInt32 {
		return 0, KeyError(EINVALID, "schedule_err_interval",
			fmt.Sprintf("The interval must be a whole number of seconds, 1 or more (got %q).", conf))
	}
	return time.Duration(n) * time.Second, nil
}

// scheduleError is an EINVALID *Error that also carries the parser's error:
// errors.As finds both, so ErrorCode gives EINVALID and the UI can still
// localise the *cron.SyntaxError.
type scheduleError struct {
	err   *Error
	cause error
}

func cronError(cause error) error {
	e := &Error{Code: EINVALID, Message: "Invalid cron expression: " + cause.Error()}
	if l, ok := cause.(interface{ MessageID() string }); ok {
		e.Key = l.MessageID()
	}
	return &scheduleError{err: e, cause: cause}
}

// Error returns the English message.
func (e *scheduleError) Error() string { return e.err.Message }

// Unwrap exposes the *Error and the parser's error to errors.As.
func (e *scheduleError) Unwrap() []error { return []error{e.err, e.cause} }
