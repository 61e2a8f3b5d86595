package domain

import "time"

// LogReport holds one day's run counts for the dashboard (xxl_job_log_report).
type LogReport struct {
	ID           int64
	TriggerDay   time.Time // the day at 00:00:00
	RunningCount int
	SucCount     int
	FailCount    int
	UpdateTime   time.Time
}

// Total is the number of runs that day.
func (r *LogReport) Total() int { return r.RunningCount + r.SucCount + r.FailCount }
