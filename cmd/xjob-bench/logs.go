package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/domain"
)

// Shape of the generated log table.
const (
	logGroups = 20
	logJobs   = 2000
	logDays   = 30
)

// queryTiming is one timed store call and the SQL it ran.
type queryTiming struct {
	Name    string   `json:"name"`
	Rows    int      `json:"rows"`   // rows returned
	Total   int      `json:"total"`  // the page's total count, where there is one
	Capped  bool     `json:"capped"` // the total is a lower bound (LogPage.TotalCapped)
	Latency Summary  `json:"latencyMs"`
	SQL     []string `json:"sql"`
	Explain []string `json:"explain"`
}

// sqlCapture records the statements bun runs while armed.
type sqlCapture struct {
	mu    sync.Mutex
	armed bool
	stmts []string
}

func (c *sqlCapture) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (c *sqlCapture) AfterQuery(_ context.Context, ev *bun.QueryEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.armed {
		c.stmts = append(c.stmts, ev.Query)
	}
}

func (c *sqlCapture) arm() {
	c.mu.Lock()
	c.armed, c.stmts = true, nil
	c.mu.Unlock()
}

func (c *sqlCapture) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed = false
	return c.stmts
}

// RunLogs fills xxl_job_log with LogRows rows, then times the log page as
// the console runs it (timeLogPages), the dashboard, the log report, the
// fail monitor and the lost-run query through xjob's own sqlstore, and
// records each statement's EXPLAIN.
func (e *Env) RunLogs(ctx context.Context) error {
	name := e.dbName("logs")
	dsn, err := e.Maria.CreateDB(ctx, name)
	if err != nil {
		return err
	}
	if !e.Opts.Keep {
		defer e.Maria.DropDB(name)
	}
	raw, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer raw.Close()
	var pool int64
	raw.QueryRowContext(ctx, "SELECT @@innodb_buffer_pool_size").Scan(&pool)
	if pool < 2<<30 {
		// A 10M-row log table with its indexes is ~2.5 GB; a production
		// server holding it has a buffer pool of that order.
		if _, err := raw.ExecContext(ctx, "SET GLOBAL innodb_buffer_pool_size = 3221225472"); err == nil {
			e.Report.Note("logs: innodb_buffer_pool_size raised from %d MiB to 3 GiB for this scenario", pool>>20)
		}
	}
	store, closeStore, err := sqlstore.Open(ctx, e.Maria.AdminDSN(name), sqlstore.WithLocation(time.UTC))
	if err != nil {
		return fmt.Errorf("sqlstore.Open: %w", err)
	}
	defer closeStore()
	capture := &sqlCapture{}
	store.Bun().AddQueryHook(capture)

	end := time.Now().UTC().Truncate(time.Second)
	t := time.Now()
	if err := fillLogs(ctx, raw, e.Opts.LogRows, end); err != nil {
		return err
	}
	fill := time.Since(t)
	logf("logs: %d rows in %s", e.Opts.LogRows, fill.Round(time.Second))
	e.Report.Add(Figure{Scenario: "logs", Name: "bulk load of xxl_job_log", Value: fill.Seconds(), Unit: fmt.Sprintf("s for %d rows", e.Opts.LogRows)})

	logs := sqlstore.NewLogStore(store)
	reports := sqlstore.NewReportStore(store)
	jobs := sqlstore.NewJobStore(store)
	groups := sqlstore.NewGroupStore(store)

	// The log report loop's work (counts per day), which the dashboard reads.
	for d := 0; d < logDays; d++ {
		day := end.Truncate(24*time.Hour).AddDate(0, 0, -d)
		c, err := logs.CountLogs(ctx, day, day.Add(24*time.Hour-time.Millisecond))
		if err != nil {
			return err
		}
		if err := reports.SaveLogReport(ctx, &domain.LogReport{TriggerDay: day, RunningCount: c.Running, SucCount: c.Success, FailCount: c.Fail, UpdateTime: end}); err != nil {
			return err
		}
	}

	var timings []queryTiming
	timeIt := func(name string, reps int, fn func() (rows, total int, err error)) error {
		if _, _, err := fn(); err != nil { // warm-up, and the SQL to explain
			return fmt.Errorf("%s: %w", name, err)
		}
		capture.arm()
		rows, total, _ := fn()
		stmts := capture.take()
		lat := make([]float64, 0, reps)
		budget := time.Now().Add(10 * time.Second) // slow queries: at least 5 samples, about 10 s
		for i := 0; i < reps && (i < 5 || time.Now().Before(budget)); i++ {
			s := time.Now()
			if _, _, err := fn(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			lat = append(lat, float64(time.Since(s))/1e6)
		}
		qt := queryTiming{Name: name, Rows: rows, Total: total, Latency: Summarize(lat), SQL: stmts}
		if total < 0 { // a capped total, reported as -total
			qt.Total, qt.Capped = -total, true
		}
		for _, s := range stmts {
			qt.Explain = append(qt.Explain, explain(ctx, raw, s))
		}
		timings = append(timings, qt)
		plus := ""
		if qt.Capped {
			plus = "+"
		}
		logf("logs: %-58s p50 %7.1f ms  p99 %7.1f ms  (rows %d, total %d%s)", name, qt.Latency.P50, qt.Latency.P99, rows, qt.Total, plus)
		return nil
	}

	const reps = 20
	if err := timeLogPages(ctx, store, e.Maria.AdminDSN(name), end, timeIt); err != nil {
		return err
	}
	week := end.AddDate(0, 0, -7)
	if err := timeIt("dashboard (jobs, totals, groups, 7-day chart)", reps, func() (int, int, error) {
		if _, err := jobs.CountJobs(ctx, 0); err != nil {
			return 0, 0, err
		}
		if _, err := reports.LogReportTotals(ctx); err != nil {
			return 0, 0, err
		}
		if _, err := groups.AllGroups(ctx); err != nil {
			return 0, 0, err
		}
		r, err := reports.FindLogReports(ctx, week, end)
		return len(r), 0, err
	}); err != nil {
		return err
	}
	yesterday := end.Truncate(24*time.Hour).AddDate(0, 0, -1)
	if err := timeIt("log report: counts of one full day", 5, func() (int, int, error) {
		c, err := logs.CountLogs(ctx, yesterday, yesterday.Add(24*time.Hour-time.Millisecond))
		return c.Running + c.Success + c.Fail, 0, err
	}); err != nil {
		return err
	}
	if err := timeIt("fail monitor: FailedLogIDs(1000)", reps, func() (int, int, error) {
		ids, err := logs.FailedLogIDs(ctx, 1000)
		return len(ids), 0, err
	}); err != nil {
		return err
	}
	if err := timeIt("lost runs: RunningLogs(now-10min, 1000)", reps, func() (int, int, error) {
		l, err := logs.RunningLogs(ctx, time.Now().Add(-10*time.Minute), 1000)
		return len(l), 0, err
	}); err != nil {
		return err
	}
	worst := 0.0
	for _, qt := range timings {
		if strings.HasPrefix(qt.Name, "log page") {
			worst = max(worst, qt.Latency.P99)
		}
		e.Report.Add(Figure{Scenario: "logs", Name: qt.Name + " p99", Value: qt.Latency.P99, Unit: "ms"})
	}
	e.Report.AddGoal("logs", fmt.Sprintf("worst log page p99 at %d rows", e.Opts.LogRows), worst, "ms", "<=", 100, "")
	e.Report.Detail("logs", timings)
	return nil
}

// explain returns EXPLAIN's rows for a statement as text.
func explain(ctx context.Context, db *sql.DB, stmt string) string {
	rows, err := db.QueryContext(ctx, "EXPLAIN "+stmt)
	if err != nil {
		return "EXPLAIN failed: " + err.Error()
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	b.WriteString(strings.Join(cols, " | "))
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if rows.Scan(ptrs...) != nil {
			break
		}
		b.WriteString("\n")
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" | ")
			}
			if v.Valid {
				b.WriteString(v.String)
			} else {
				b.WriteString("NULL")
			}
		}
	}
	return b.String()
}

// fillLogs generates n log rows over the last logDays days (ids ascending
// with trigger_time), with the secondary indexes dropped during the load
// and rebuilt after it (the same definitions), from MariaDB's sequence
// engine in chunks of 1M rows.
//
// Status mix per 100 rows: 90 success, 5 failed by the executor (500),
// 2 failed to trigger, 3 running; runs older than a day that never
// reported are failed (the lost-run monitor's outcome), and failures
// older than an hour are alarmed (alarm_status 2), as on a live system.
func fillLogs(ctx context.Context, db *sql.DB, n int, end time.Time) error {
	idx, err := secondaryIndexes(ctx, db, "xxl_job_log")
	if err != nil {
		return err
	}
	for name := range idx {
		if _, err := db.ExecContext(ctx, "ALTER TABLE xxl_job_log DROP INDEX `"+name+"`"); err != nil {
			return fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	span := int64(logDays * 24 * 3600)
	const chunk = 1_000_000
	for lo := 1; lo <= n; lo += chunk {
		hi := min(n, lo+chunk-1)
		// h, a hash of the row number, picks the status independently of
		// the job and group (which are the row number modulo 2000 and 20).
		q := fmt.Sprintf(`INSERT INTO xxl_job_log (job_group, job_id, executor_address, executor_handler, executor_param,
			executor_fail_retry_count, trigger_time, trigger_code, trigger_msg, handle_time, handle_code, handle_msg, alarm_status)
		SELECT 1 + (s.seq %% %[1]d) %% %[2]d, 1 + s.seq %% %[1]d, 'http://127.0.0.1:9999/', 'bench', '', 0,
			tt, IF(h BETWEEN 95 AND 96, 500, 200), 'trigger ok',
			IF(h < 95, tt + INTERVAL 1 SECOND, NULL),
			CASE WHEN h < 90 THEN 200 WHEN h < 95 THEN 500
			     WHEN h < 97 THEN 0 WHEN tt < ? - INTERVAL 1 DAY THEN 500 ELSE 0 END,
			IF(h < 90, 'ok', NULL),
			IF(h >= 90 AND tt < ? - INTERVAL 1 HOUR, 2, 0)
		FROM (SELECT seq, CRC32(seq) %% 100 AS h, ? - INTERVAL (%[3]d - seq) * %[4]d DIV %[3]d SECOND AS tt
		      FROM seq_%[5]d_to_%[6]d) s`,
			logJobs, logGroups, n, span, lo, hi)
		if _, err := db.ExecContext(ctx, q, end, end, end); err != nil {
			return fmt.Errorf("fill xxl_job_log rows %d-%d: %w", lo, hi, err)
		}
		logf("logs: %d rows", hi)
	}
	var adds []string
	for name, cols := range idx {
		adds = append(adds, "ADD INDEX `"+name+"` ("+cols+")")
	}
	if len(adds) > 0 {
		t := time.Now()
		if _, err := db.ExecContext(ctx, "ALTER TABLE xxl_job_log "+strings.Join(adds, ", ")); err != nil {
			return fmt.Errorf("rebuild indexes: %w", err)
		}
		logf("logs: indexes rebuilt in %s", time.Since(t).Round(time.Second))
	}
	_, err = db.ExecContext(ctx, "ANALYZE TABLE xxl_job_log")
	return err
}

// secondaryIndexes returns the non-unique secondary indexes of a table and
// their column lists.
func secondaryIndexes(ctx context.Context, db *sql.DB, table string) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT index_name, GROUP_CONCAT(CONCAT('`+"`"+`', column_name, '`+"`"+`') ORDER BY seq_in_index)
		FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY' AND non_unique = 1
		GROUP BY index_name`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, c string
		if err := rows.Scan(&n, &c); err != nil {
			return nil, err
		}
		out[n] = c
	}
	return out, rows.Err()
}
