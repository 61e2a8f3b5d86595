package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Accounting puts every expected (job, instant) of a window into exactly
// one category, from the stub's runs and the admin's tables (xjob_fire,
// xxl_job_log, xxl_job_info), so that a fire that did not run is either
// explained by the misfire policy or shows up as unexplained.
type Accounting struct {
	Expected int `json:"expected"`
	// Ran: the stub received /run for the instant.
	Ran int `json:"ran"`
	// SkippedByScan: no fire was recorded and the job's trigger_next_time
	// moved past the instant: the scan found the job late and, as upstream
	// (misfire DO_NOTHING, or "late: fire once, go on from now"), dropped it.
	SkippedByScan int `json:"skippedByScan"`
	// SkippedAtDelivery: a fire was recorded and then skipped (state 3),
	// the misfire policy applied by delivery or recovery.
	SkippedAtDelivery int `json:"skippedAtDelivery"`
	// TriggerFailed: delivered, and its log row says the trigger failed.
	TriggerFailed int `json:"triggerFailed"`
	// StoppedByScheduler: no fire recorded and the scheduler stopped the job
	// (trigger_next_time 0: its schedule ended or was found invalid).
	StoppedByScheduler int `json:"stoppedByScheduler"`
	// NotReached: no fire recorded and trigger_next_time still at or
	// before the instant when the jobs were stopped: the scan fell behind.
	NotReached int `json:"notReached"`
	// Unexplained: delivered without a run and without a failed log, or
	// still pending/claimed after settling.
	DeliveredNoRun int `json:"deliveredNoRun"`
	InFlight       int `json:"inFlight"`

	FireRows       map[string]int `json:"fireRows"` // window fire rows by state
	LogRows        int            `json:"logRows"`  // window log rows of the group
	LogDuplicates  int            `json:"logDuplicates"`
	LogOffSchedule int            `json:"logOffSchedule"` // log rows at no expected instant
	RunsNoLog      int            `json:"runsWithoutLog"`
	RunsNoFire     int            `json:"runsWithoutFire"`
	HandleOK       int            `json:"handleOk"`      // window log rows with handle_code 200
	HandleMissing  int            `json:"handleMissing"` // runs whose result the admin did not record
	Unexplained    int            `json:"unexplained"`
	// FailedTriggerMsgs counts the failed triggers' messages (first 160
	// characters, the most frequent few).
	FailedTriggerMsgs map[string]int `json:"failedTriggerMsgs,omitempty"`
}

var fireStates = map[int]string{0: "pending", 1: "claimed", 2: "delivered", 3: "skipped"}

type logInfo struct {
	id                      int64
	triggerCode, handleCode int
}

// Account builds the accounting of [t0, t1] for the jobs of group.
func Account(ctx context.Context, db *sql.DB, group int64, jobs map[int64]Schedule, t0, t1 int64, runs []Arrival) (*Accounting, error) {
	a := &Accounting{FireRows: map[string]int{}}
	var lo, hi int64 = 1 << 62, 0
	for id := range jobs {
		lo, hi = min(lo, id), max(hi, id)
	}
	type key = [2]int64
	fires := map[key]int{}
	rows, err := db.QueryContext(ctx, `SELECT job_id, fire_time, state FROM xjob_fire WHERE job_id BETWEEN ? AND ? AND fire_time BETWEEN ? AND ?`, lo, hi, t0, t1)
	if err != nil {
		return nil, fmt.Errorf("read xjob_fire: %w", err)
	}
	for rows.Next() {
		var j, t int64
		var st int
		if err := rows.Scan(&j, &t, &st); err != nil {
			rows.Close()
			return nil, err
		}
		fires[key{j, t}] = st
		a.FireRows[fireStates[st]]++
	}
	rows.Close()

	logs := map[key]logInfo{}
	from, to := time.UnixMilli(t0).UTC(), time.UnixMilli(t1).UTC()
	rows, err = db.QueryContext(ctx, `SELECT id, job_id, trigger_time, trigger_code, handle_code FROM xxl_job_log
		WHERE job_group = ? AND trigger_time BETWEEN ? AND ?`, group, from, to)
	if err != nil {
		return nil, fmt.Errorf("read xxl_job_log: %w", err)
	}
	for rows.Next() {
		var l logInfo
		var j int64
		var tt time.Time
		if err := rows.Scan(&l.id, &j, &tt, &l.triggerCode, &l.handleCode); err != nil {
			rows.Close()
			return nil, err
		}
		a.LogRows++
		if l.handleCode == 200 {
			a.HandleOK++
		}
		k := key{j, tt.UnixMilli()}
		if _, dup := logs[k]; dup {
			a.LogDuplicates++
		}
		logs[k] = l
	}
	rows.Close()

	next := map[int64]int64{}
	rows, err = db.QueryContext(ctx, `SELECT id, trigger_next_time FROM xxl_job_info WHERE job_group = ?`, group)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		next[id] = n
	}
	rows.Close()

	ran := map[key]bool{}
	for _, r := range runs {
		s, ok := jobs[r.JobID]
		if !ok || r.LogDateTime == 0 {
			continue
		}
		t := s.nearest(r.LogDateTime)
		if t >= t0 && t <= t1 {
			ran[key{r.JobID, t}] = true
		}
	}
	expected := map[key]bool{}
	for id, s := range jobs {
		for _, t := range s.Instants(t0, t1) {
			k := key{id, t}
			expected[k] = true
			a.Expected++
			st, fired := fires[k]
			l, logged := logs[k]
			switch {
			case ran[k]:
				a.Ran++
				if !logged {
					a.RunsNoLog++
				} else if l.handleCode == 0 {
					a.HandleMissing++
				}
				if !fired {
					a.RunsNoFire++
				}
			case fired && st == 3:
				a.SkippedAtDelivery++
			case fired && st == 2 && logged && l.triggerCode != 200:
				a.TriggerFailed++
			case fired && st == 2:
				a.DeliveredNoRun++
			case fired:
				a.InFlight++
			case next[id] == 0:
				a.StoppedByScheduler++
			case next[id] > t:
				a.SkippedByScan++
			default:
				a.NotReached++
			}
		}
	}
	for k := range logs {
		if !expected[k] {
			a.LogOffSchedule++
		}
	}
	if a.TriggerFailed > 0 || a.LogRows > 0 {
		a.FailedTriggerMsgs = failedTriggerMsgs(ctx, db, group, from, to)
	}
	a.Unexplained = a.DeliveredNoRun + a.InFlight + a.RunsNoLog + a.RunsNoFire + a.LogDuplicates + a.LogOffSchedule
	return a, nil
}

// failedTriggerMsgs groups the trigger messages of failed triggers.
func failedTriggerMsgs(ctx context.Context, db *sql.DB, group int64, from, to time.Time) map[string]int {
	rows, err := db.QueryContext(ctx, `SELECT SUBSTR(COALESCE(trigger_msg, ''), 1, 400), COUNT(*) FROM xxl_job_log
		WHERE job_group = ? AND trigger_time BETWEEN ? AND ? AND trigger_code <> 200
		GROUP BY SUBSTR(COALESCE(trigger_msg, ''), 1, 400) ORDER BY COUNT(*) DESC LIMIT 5`, group, from, to)
	if err != nil {
		return map[string]int{"error: " + err.Error(): 0}
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var m string
		var n int
		if rows.Scan(&m, &n) == nil {
			// The message is HTML; its tail names the failure.
			m = strings.ReplaceAll(m, "<br>", " | ")
			if len(m) > 160 {
				m = "…" + m[len(m)-160:]
			}
			out[m] += n
		}
	}
	return out
}
