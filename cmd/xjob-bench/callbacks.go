package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// callbackStep is one rate of the callback ramp.
type callbackStep struct {
	Batch      int     `json:"batch"`
	Rate       int     `json:"offeredResultsPerSec"`
	Achieved   float64 `json:"achievedResultsPerSec"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Latency    Summary `json:"latencyMs"`
	Updated    int     `json:"rowsUpdated"` // handle_code 200 after the step
	Expected   int     `json:"rowsExpected"`
	SettleMs   float64 `json:"settleMs"` // after the last reply until every row was updated
	Pass       bool    `json:"pass"`
	FailReason string  `json:"failReason,omitempty"`
}

// RunCallbacks ramps open-loop POST /api/callback load in batches of 1
// and of 100 results against pre-inserted running log rows, and reports
// the highest rate whose p99 stays within 100 ms with every row updated
// exactly once.
func (e *Env) RunCallbacks(ctx context.Context) error {
	if err := e.needBin(); err != nil {
		return err
	}
	name := e.dbName("callbacks")
	dsn, err := e.Maria.CreateDB(ctx, name)
	if err != nil {
		return err
	}
	if !e.Opts.Keep {
		defer e.Maria.DropDB(name)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	logPath := filepath.Join(e.Dir, name+"-admin.log")
	admin, err := StartAdmin(ctx, e.adminBin(), e.Maria.AdminDSN(name), filepath.Join(e.Dir, name+"-data"), e.Opts.Token, logPath, e.adminEnv())
	if err != nil {
		return err
	}
	defer func() { admin.Stop(); e.keepLog(logPath, "callbacks") }()
	if _, err := admin.WaitReady(ctx, 60*time.Second); err != nil {
		return err
	}
	if err := waitTables(ctx, db, 30*time.Second); err != nil {
		return err
	}
	seed := Seeder{DB: db}
	group, err := seed.CreateGroup(ctx, "http://127.0.0.1:9/", true)
	if err != nil {
		return err
	}
	job, err := seed.CreateJobs(ctx, group, 1, func(int) Schedule { return EverySecond })
	if err != nil {
		return err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ramps := map[int][]int{
		1:   {1000, 2000, 4000, 8000, 16000, 32000},
		100: {2000, 5000, 10000, 20000, 40000, 80000, 160000},
	}
	var steps []callbackStep
	for _, batch := range []int{1, 100} {
		if batch == 100 && e.ProfBin != "" {
			go func() {
				if top, err := e.profile(ctx, fmt.Sprintf("callbacks-batch%d", batch), 20*time.Second); err == nil && top != "" {
					logf("callbacks: CPU profile of the admin (batch %d ramp):\n%s", batch, firstLinesN(top, 25))
				}
			}()
		}
		best := 0
		for _, rate := range ramps[batch] {
			if rate > e.Opts.CallbackMax || ctx.Err() != nil {
				break
			}
			st, err := e.callbackStep(ctx, db, client, admin.URL, group, job, batch, rate)
			if err != nil {
				return err
			}
			steps = append(steps, st)
			logf("callbacks: batch %d, %d results/s offered: achieved %.0f/s, p50 %.1f p99 %.1f ms, %d/%d rows, errors %d, pass=%v %s",
				batch, rate, st.Achieved, st.Latency.P50, st.Latency.P99, st.Updated, st.Expected, st.Errors, st.Pass, st.FailReason)
			if !st.Pass {
				break
			}
			best = rate
		}
		sc := fmt.Sprintf("callbacks batch %d", batch)
		if batch == 100 {
			e.Report.AddGoal(sc, "highest rate with p99 <= 100 ms, all rows once", float64(best), "results/s", ">=", 10000, ceilCommit16)
		} else {
			e.Report.Add(Figure{Scenario: sc, Name: "highest rate with p99 <= 100 ms, all rows once", Value: float64(best), Unit: "results/s", Ceiling: ceilCommit16})
		}
	}
	e.Report.Detail("callbacks", steps)
	return nil
}

// callbackStep offers rate results/s for the step duration, in requests of
// batch results, each for a distinct pre-inserted log row.
func (e *Env) callbackStep(ctx context.Context, db *sql.DB, c *http.Client, adminURL string, group, job int64, batch, rate int) (callbackStep, error) {
	st := callbackStep{Batch: batch, Rate: rate}
	n := int(float64(rate) * e.Opts.CallbackStep.Seconds())
	n -= n % batch
	st.Expected = n
	first, err := insertRunningLogs(ctx, db, group, job, n)
	if err != nil {
		return st, err
	}
	type item struct {
		LogID      int64  `json:"logId"`
		LogDateTim int64  `json:"logDateTim"`
		HandleCode int    `json:"handleCode"`
		HandleMsg  string `json:"handleMsg"`
	}
	bodies := make([][]byte, n/batch)
	now := time.Now().UnixMilli()
	for k := range bodies {
		items := make([]item, batch)
		for i := range items {
			items[i] = item{LogID: first + int64(k*batch+i), LogDateTim: now, HandleCode: 200, HandleMsg: "bench"}
		}
		bodies[k], _ = json.Marshal(items)
	}
	interval := time.Duration(float64(time.Second) * float64(batch) / float64(rate))
	lat := make([]float64, len(bodies))
	var errs atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	start := time.Now()
	url := adminURL + "api/callback"
	for k := 0; k < len(bodies); {
		now := time.Since(start)
		for ; k < len(bodies) && time.Duration(k)*interval <= now; k++ {
			sched := start.Add(time.Duration(k) * interval)
			sem <- struct{}{}
			wg.Add(1)
			go func(k int, sched time.Time) {
				defer func() { <-sem; wg.Done() }()
				if err := postCallback(ctx, c, url, e.Opts.Token, bodies[k]); err != nil {
					errs.Add(1)
				}
				// From the scheduled send time: a backlog counts (no coordinated omission).
				lat[k] = float64(time.Since(sched)) / 1e6
			}(k, sched)
		}
		time.Sleep(200 * time.Microsecond)
	}
	wg.Wait()
	elapsed := time.Since(start)
	st.Requests = len(bodies)
	st.Errors = int(errs.Load())
	st.Achieved = float64(n) / elapsed.Seconds()
	st.Latency = Summarize(lat)
	done := time.Now()
	for {
		db.QueryRowContext(ctx, "SELECT COUNT(*) FROM xxl_job_log WHERE id BETWEEN ? AND ? AND handle_code = 200", first, first+int64(n)-1).Scan(&st.Updated)
		if st.Updated >= n || time.Since(done) > 10*time.Second || st.Errors == st.Requests {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	st.SettleMs = float64(time.Since(done)) / 1e6
	var other int
	db.QueryRowContext(ctx, "SELECT COUNT(*) FROM xxl_job_log WHERE id BETWEEN ? AND ? AND (handle_code <> 200 OR handle_msg LIKE '%bench%bench%')",
		first, first+int64(n)-1).Scan(&other)
	switch {
	case st.Errors > 0:
		st.FailReason = fmt.Sprintf("%d requests failed", st.Errors)
	case st.Updated != n || other > 0:
		st.FailReason = fmt.Sprintf("%d of %d rows updated, %d rows not updated exactly once", st.Updated, n, other)
	case st.Latency.P99 > 100:
		st.FailReason = "p99 over 100 ms"
	case st.Achieved < 0.9*float64(rate):
		st.FailReason = "could not offer the rate"
	default:
		st.Pass = true
	}
	return st, nil
}

func postCallback(ctx context.Context, c *http.Client, url, token string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("XXL-JOB-ACCESS-TOKEN", token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(b, []byte(`"code":200`)) {
		return fmt.Errorf("callback: %.200s", b)
	}
	return nil
}

// insertRunningLogs inserts n log rows that were triggered successfully
// and have no result yet; ids are consecutive from the returned one.
func insertRunningLogs(ctx context.Context, db *sql.DB, group, job int64, n int) (int64, error) {
	now := time.Now().UTC().Truncate(time.Second)
	var first int64
	for lo := 0; lo < n; lo += 2000 {
		hi := min(n, lo+2000)
		var b strings.Builder
		b.WriteString(`INSERT INTO xxl_job_log (job_group, job_id, executor_address, executor_handler, executor_param,
			executor_fail_retry_count, trigger_time, trigger_code, trigger_msg, handle_code, alarm_status) VALUES `)
		args := make([]any, 0, 3*(hi-lo))
		for i := lo; i < hi; i++ {
			if i > lo {
				b.WriteByte(',')
			}
			b.WriteString("(?, ?, 'http://127.0.0.1:9/', 'bench', '', 0, ?, 200, 'bench', 0, 0)")
			args = append(args, group, job, now)
		}
		res, err := db.ExecContext(ctx, b.String(), args...)
		if err != nil {
			return 0, fmt.Errorf("insert log rows: %w", err)
		}
		id, _ := res.LastInsertId()
		if lo == 0 {
			first = id
		} else if id != first+int64(lo) {
			return 0, fmt.Errorf("insert log rows: ids not consecutive (%d after %d)", id, first+int64(lo))
		}
	}
	return first, nil
}
