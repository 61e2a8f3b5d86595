package domain

import (
	"fmt"
	"time"
)

// MaxHandleMsgLen is the length handle_msg is cut to, as upstream does.
const MaxHandleMsgLen = 15000

// JobLog is one trigger of a job on one executor (xxl_job_log).
type JobLog struct {
	ID                     int64
	GroupID                int64
	JobID                  int64
	ExecutorAddress        string
	ExecutorHandler        string
	ExecutorParam          string
	ExecutorShardingParam  string // "index/total", only for sharding broadcast
	ExecutorFailRetryCount int    // remaining retries
	TriggerTime            time.Time
	TriggerCode            int
	TriggerMsg             string
	HandleTime             time.Time // zero while running
	HandleCode             int
	HandleMsg              string
	AlarmStatus            AlarmStatus
}

// LogStatus is the status filter of the log list.
type LogStatus int

// Log statuses as the UI filters them.
const (
	LogStatusAll     LogStatus = -1
	LogStatusSuccess LogStatus = 1
	LogStatusFail    LogStatus = 2
	LogStatusRunning LogStatus = 3
)

// Status classifies the log the way the UI shows it.
func (l *JobLog) Status() LogStatus {
	switch {
	case l.HandleCode == CodeSuccess:
		return LogStatusSuccess
	case l.TriggerCode == CodeSuccess && l.HandleCode == CodeNone:
		return LogStatusRunning
	case l.TriggerCode == CodeNone && l.HandleCode == CodeNone:
		return LogStatusRunning // still being triggered
	}
	return LogStatusFail
}

// Failed reports whether the log counts as failed for the fail monitor.
func (l *JobLog) Failed() bool { return l.Status() == LogStatusFail }

// Running reports whether the trigger succeeded and no result came back yet.
func (l *JobLog) Running() bool { return l.TriggerCode == CodeSuccess && l.HandleCode == CodeNone }

// Finished reports whether a result was recorded.
func (l *JobLog) Finished() bool { return l.HandleCode > 0 }

// Shard parses ExecutorShardingParam; ok is false when there is none.
func (l *JobLog) Shard() (s Shard, ok bool) {
	if l.ExecutorShardingParam == "" {
		return Shard{Index: 0, Total: 1}, false
	}
	if _, err := fmt.Sscanf(l.ExecutorShardingParam, "%d/%d", &s.Index, &s.Total); err != nil || s.Total <= 0 || s.Index < 0 {
		return Shard{Index: 0, Total: 1}, false
	}
	return s, true
}

// RecordHandle applies an executor's result: the message is appended to any
// earlier one and cut to MaxHandleMsgLen. It returns false, changing
// nothing, when a result was already recorded (the first result wins).
func (l *JobLog) RecordHandle(code int, msg string, at time.Time) bool {
	if l.Finished() {
		return false
	}
	if l.HandleMsg != "" {
		msg = l.HandleMsg + "<br>" + msg
	}
	l.HandleCode = code
	l.HandleMsg = TruncateRunes(msg, MaxHandleMsgLen)
	l.HandleTime = at
	return true
}

// IsLost reports whether the run is still marked running although it was
// triggered before lostBefore.
func (l *JobLog) IsLost(lostBefore time.Time) bool {
	return l.Running() && !l.TriggerTime.After(lostBefore)
}

// Shard is a sharding broadcast position: index in [0,total).
type Shard struct {
	Index int
	Total int
}

// String renders the shard as upstream stores it, "index/total".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Total) }

// TruncateRunes cuts s to at most n runes.
func TruncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
