package domain

import (
	"strconv"
	"strings"
	"time"
)

// JobInfo is a job definition (xxl_job_info plus xjob's optional extras).
type JobInfo struct {
	ID                     int64
	GroupID                int64
	Desc                   string
	AddTime                time.Time
	UpdateTime             time.Time
	Author                 string
	AlarmEmail             string
	ScheduleType           ScheduleType
	ScheduleConf           string
	MisfireStrategy        MisfireStrategy
	RouteStrategy          RouteStrategy
	ExecutorHandler        string
	ExecutorParam          string
	BlockStrategy          BlockStrategy
	ExecutorTimeout        int // seconds, 0 = none
	ExecutorFailRetryCount int
	GlueType               GlueType
	GlueSource             string
	GlueRemark             string
	GlueUpdatetime         time.Time
	ChildJobIDs            string // comma separated, as stored
	TriggerStatus          TriggerStatus
	TriggerLastTime        int64 // epoch ms
	TriggerNextTime        int64 // epoch ms

	// xjob extras, kept outside xxl_job_info so the Java admin never sees them.

	// TimeZone is the IANA zone the schedule is evaluated in; "" means the
	// admin's configured zone.
	TimeZone string
	// AlarmWebhooks names the configured webhook channels this job alarms
	// to; "" means all of them.
	AlarmWebhooks string
}

// ChildIDs parses ChildJobIDs. Invalid entries are returned in bad, in order.
func (j *JobInfo) ChildIDs() (ids []int64, bad []string) {
	for _, s := range splitList(j.ChildJobIDs) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			bad = append(bad, s)
			continue
		}
		ids = append(ids, id)
	}
	return ids, bad
}

// AlarmEmails returns the distinct addresses in AlarmEmail, in order.
func (j *JobInfo) AlarmEmails() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range splitList(j.AlarmEmail) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Location returns the zone the job's schedule runs in, falling back to def
// when the job has none or names an unknown one.
func (j *JobInfo) Location(def *time.Location) *time.Location {
	if j.TimeZone != "" {
		if loc, err := time.LoadLocation(j.TimeZone); err == nil {
			return loc
		}
	}
	return def
}

// Stop clears the job's schedule state as upstream does on stop.
func (j *JobInfo) Stop() {
	j.TriggerStatus = TriggerStopped
	j.TriggerLastTime = 0
	j.TriggerNextTime = 0
}

// splitList splits a comma separated list, trimming blanks and dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
