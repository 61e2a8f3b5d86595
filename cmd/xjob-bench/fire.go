package main

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// fireSpec describes a scheduling scenario.
type fireSpec struct {
	Name   string // S1, S2, S3
	Engine string // mariadb or sqlite
	Jobs   int
	Sched  func(i int) Schedule
	Window time.Duration // measured instants: [T0, T0+Window)
	Settle time.Duration // at most this long after the window for fires to settle
}

// fireOutcome is what one run of a fireSpec measured.
type fireOutcome struct {
	Check       FireCheck      `json:"check"`
	Accounting  *Accounting    `json:"accounting,omitempty"`
	Usage       Usage          `json:"usage"`
	SeedSeconds float64        `json:"seedSeconds"`
	T0          int64          `json:"t0"`
	T1          int64          `json:"t1"`
	Stub        StubStats      `json:"stub"`
	Metrics     map[string]any `json:"adminMetrics,omitempty"`
	AdminLog    map[string]any `json:"adminLog,omitempty"`
}

// runXjobFires runs spec against a fresh `xjob serve`.
func (e *Env) runXjobFires(ctx context.Context, spec fireSpec) (*fireOutcome, error) {
	if err := e.needBin(); err != nil {
		return nil, err
	}
	name := e.dbName(strings.ToLower(spec.Name) + "_" + spec.Engine)
	var adminDB string
	var hdb *sql.DB
	if spec.Engine == "sqlite" {
		path := filepath.Join(e.Dir, name+".db")
		adminDB = "sqlite:" + path
		var err error
		if hdb, err = OpenSQLite(path); err != nil {
			return nil, err
		}
		defer os.Remove(path)
	} else {
		dsn, err := e.Maria.CreateDB(ctx, name)
		if err != nil {
			return nil, err
		}
		if !e.Opts.Keep {
			defer e.Maria.DropDB(name)
		}
		adminDB = e.Maria.AdminDSN(name)
		if hdb, err = sql.Open("mysql", dsn); err != nil {
			return nil, err
		}
	}
	defer hdb.Close()
	logPath := filepath.Join(e.Dir, name+"-admin.log")
	admin, err := StartAdmin(ctx, e.adminBin(), adminDB, filepath.Join(e.Dir, name+"-data"), e.Opts.Token, logPath, e.adminEnv())
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := admin.Stop(); err != nil {
			e.Report.Note("%s/%s: %v", spec.Name, spec.Engine, err)
		}
		e.keepLog(logPath, spec.Name+"-"+spec.Engine)
	}()
	if _, err := admin.WaitReady(ctx, 60*time.Second); err != nil {
		return nil, fmt.Errorf("%w; log:\n%s", err, tail(logPath, 20))
	}
	if err := waitTables(ctx, hdb, 30*time.Second); err != nil {
		return nil, err
	}
	stub, err := StartStub(e.Opts.Token, admin.URL)
	if err != nil {
		return nil, err
	}
	defer stub.Close()

	out := &fireOutcome{}
	seed := Seeder{DB: hdb, SQLite: spec.Engine == "sqlite"}
	t := time.Now()
	group, err := seed.CreateGroup(ctx, stub.URL())
	if err != nil {
		return nil, err
	}
	first, err := seed.CreateJobs(ctx, group, spec.Jobs, spec.Sched)
	if err != nil {
		return nil, err
	}
	jobs := make(map[int64]Schedule, spec.Jobs)
	for i := range spec.Jobs {
		jobs[first+int64(i)] = spec.Sched(i)
	}
	// The first instant lies beyond one idle scan period plus the pre-read
	// window, so the first measured fires are planned ahead like any other.
	out.T0 = ceilDiv(time.Now().Add(7*time.Second).UnixMilli(), 1000) * 1000
	out.T1 = out.T0 + spec.Window.Milliseconds() - 1000
	if err := seed.StartJobs(ctx, jobs, out.T0); err != nil {
		return nil, err
	}
	out.SeedSeconds = time.Since(t).Seconds()
	logf("%s/%s: %d jobs seeded in %.1fs; window %s .. %s", spec.Name, spec.Engine, spec.Jobs, out.SeedSeconds,
		time.UnixMilli(out.T0).Format("15:04:05"), time.UnixMilli(out.T1).Format("15:04:05"))

	before := ParseProm(admin.Metrics())
	sampleAt := time.UnixMilli(out.T0).Add(-time.Second)
	sleepUntil(ctx, sampleAt)
	sampler := StartSampler(admin.PID, e.Maria.PID(), os.Getpid())
	profDone := make(chan string, 1)
	go func() {
		d := max(time.Second, min(30*time.Second, spec.Window-2*time.Second))
		top, err := e.profile(ctx, spec.Name+"-"+spec.Engine, d)
		if err != nil {
			top = err.Error()
		}
		profDone <- top
	}()
	if e.ProfBin != "" {
		// Mid-burst, a few seconds into the window: where do the goroutines wait?
		at := time.UnixMilli(out.T0 + 3000 + 150)
		if spec.Window > 6*time.Second {
			sleepUntil(ctx, at)
			if g, err := e.goroutines(ctx, spec.Name+"-"+spec.Engine); err == nil && len(g) > 0 {
				e.Report.Detail("goroutines "+spec.Name+"-"+spec.Engine, g)
				logf("%s/%s: goroutines 150 ms after an instant:\n%s", spec.Name, spec.Engine, strings.Join(g, "\n"))
			}
		}
	}
	sleepUntil(ctx, time.UnixMilli(out.T1+1000))
	out.Usage = sampler.Stop()
	if err := seed.StopJobs(ctx, group); err != nil {
		return nil, err
	}
	e.settle(ctx, stub, hdb, first, first+int64(spec.Jobs)-1, out.T0, out.T1, spec.Settle)
	e.drainCallbacks(ctx, stub, hdb, group, out.T0, out.T1, spec.Settle)
	after := ParseProm(admin.Metrics())
	out.Metrics = adminMetrics(before, after)
	out.Check = CheckFires(jobs, out.T0, out.T1, stub.Arrivals())
	out.Stub = stub.Stats()
	out.Accounting, err = Account(ctx, hdb, group, jobs, out.T0, out.T1, stub.Arrivals())
	if err != nil {
		e.Report.Note("%s/%s: accounting failed: %v", spec.Name, spec.Engine, err)
	}
	out.AdminLog = scanAdminLog(logPath)
	if top := <-profDone; top != "" {
		logf("%s/%s: CPU profile of the admin:\n%s", spec.Name, spec.Engine, firstLinesN(top, 25))
	}
	if !admin.Alive() {
		e.Report.Note("%s/%s: xjob serve died during the run; log tail: %s", spec.Name, spec.Engine, firstLines(tail(logPath, 5), 5))
	}
	return out, nil
}

// settle waits until the fires of the window are no longer pending or
// claimed and the stub saw no new run for 2 s, at most limit.
func (e *Env) settle(ctx context.Context, stub *Stub, db *sql.DB, firstJob, lastJob, t0, t1 int64, limit time.Duration) {
	deadline := time.Now().Add(limit)
	last, quiet := -1, time.Now()
	for time.Now().Before(deadline) && ctx.Err() == nil {
		n := int(stub.Stats().Runs)
		if n != last {
			last, quiet = n, time.Now()
		}
		var open int
		db.QueryRowContext(ctx, `SELECT COUNT(*) FROM xjob_fire WHERE job_id BETWEEN ? AND ? AND fire_time BETWEEN ? AND ? AND state IN (0, 1)`,
			firstJob, lastJob, t0, t1).Scan(&open)
		if open == 0 && time.Since(quiet) >= 2*time.Second {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	logf("settle: gave up after %s", limit)
}

// adminMetrics summarizes the admin's own view of the window.
func adminMetrics(before, after Prom) map[string]any {
	if len(after) == 0 {
		return map[string]any{"available": false}
	}
	d := after.Delta(before)
	m := map[string]any{
		"fires":                 d.Sum("xjob_fires_total"),
		"firesSkipped":          d.Sum("xjob_fires_skipped_total"),
		"firesRecovered":        d.Sum("xjob_fires_recovered_total"),
		"triggerFailures":       d.Sum("xjob_trigger_failures_total"),
		"scans":                 d.Sum("xjob_schedule_scan_duration_seconds_count"),
		"scanSecondsTotal":      d.Sum("xjob_schedule_scan_duration_seconds_sum"),
		"loopFailures":          d.Sum("xjob_background_failures_total"),
		"deliveryLatenessP50ms": finite(d.Quantile("xjob_fire_lateness_milliseconds", 0.5)),
		"deliveryLatenessP99ms": finite(d.Quantile("xjob_fire_lateness_milliseconds", 0.99)),
	}
	if n := d.Sum("xjob_schedule_scan_duration_seconds_count"); n > 0 {
		m["scanMeanSeconds"] = d.Sum("xjob_schedule_scan_duration_seconds_sum") / n
	}
	return m
}

func finite(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// scanAdminLog counts the admin's warnings and errors and keeps a few.
func scanAdminLog(path string) map[string]any {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var warn, errs, misfire int
	var sample []string
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case strings.Contains(l, "misfire: skipped"):
			misfire++
			continue
		case strings.Contains(l, "level=ERROR"):
			errs++
		case strings.Contains(l, "level=WARN"):
			warn++
		default:
			continue
		}
		if len(sample) < 5 {
			sample = append(sample, truncate(l, 300))
		}
	}
	return map[string]any{"errors": errs, "warnings": warn, "misfireSkippedLines": misfire, "sample": sample}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// keepLog copies an admin log next to the result file.
func (e *Env) keepLog(path, name string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	dst := strings.TrimSuffix(e.Opts.Out, ".json") + "-" + name + "-admin.log"
	if os.WriteFile(dst, b, 0o644) == nil {
		e.Report.Detail("adminLog "+name, dst)
	}
}

func sleepUntil(ctx context.Context, t time.Time) {
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(t)):
	}
}

// drainCallbacks waits until the stub has posted every result and the
// number of window logs still without a result stops falling (2 s), at
// most limit.
func (e *Env) drainCallbacks(ctx context.Context, stub *Stub, db *sql.DB, group, t0, t1 int64, limit time.Duration) {
	from, to := time.UnixMilli(t0).UTC(), time.UnixMilli(t1).UTC()
	last, quiet := -1, time.Now()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(250 * time.Millisecond) {
		var open int
		db.QueryRowContext(ctx, `SELECT COUNT(*) FROM xxl_job_log WHERE job_group = ? AND trigger_time BETWEEN ? AND ?
			AND trigger_code = 200 AND handle_code = 0`, group, from, to).Scan(&open)
		if open == 0 {
			return
		}
		if open != last {
			last, quiet = open, time.Now()
		} else if time.Since(quiet) > 2*time.Second && stub.Pending() == 0 {
			return
		}
	}
}
