package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// quartzClasspath returns the peer's runtime classpath, building it with
// bench/quartz/build.sh unless -quartz-classpath is given.
func (e *Env) quartzClasspath(ctx context.Context) (string, error) {
	if e.Opts.QuartzCP != "" {
		return e.Opts.QuartzCP, nil
	}
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(e.Opts.Repo, "bench/quartz/build.sh"), filepath.Join(e.Dir, "quartz-classes"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("bench/quartz/build.sh: %w", err)
	}
	e.Opts.QuartzCP = strings.TrimSpace(string(out))
	return e.Opts.QuartzCP, nil
}

// runQuartz runs spec on the Quartz peer: clustered JobStoreTX on a fresh
// database of the same MariaDB, driving a fresh stub executor.
func (e *Env) runQuartz(ctx context.Context, spec fireSpec) (*fireOutcome, error) {
	cp, err := e.quartzClasspath(ctx)
	if err != nil {
		return nil, err
	}
	name := e.dbName(strings.ToLower(spec.Name) + "_quartz")
	dsn, err := e.Maria.CreateDB(ctx, name)
	if err != nil {
		return nil, err
	}
	if !e.Opts.Keep {
		defer e.Maria.DropDB(name)
	}
	cfg, _ := mysql.ParseDSN(e.Maria.DSN)
	url := fmt.Sprintf("jdbc:mariadb://%s/%s", cfg.Addr, name)
	stub, err := StartStub(e.Opts.Token, "")
	if err != nil {
		return nil, err
	}
	defer stub.Close()
	mode := "every"
	if spec.Sched(1).Second >= 0 {
		mode = "spread"
		if spec.Sched(1).Second != 1 || spec.Sched(61).Second != 1 {
			return nil, fmt.Errorf("the Quartz peer knows schedules every second and second i%%60 only")
		}
	}
	// Trigger start: after the scheduling phase, estimated at 1,000 jobs/s.
	startAt := ceilDiv(time.Now().Add(10*time.Second+time.Duration(spec.Jobs)*time.Millisecond).UnixMilli(), 1000) * 1000
	until := startAt + spec.Window.Milliseconds() + int64(10*time.Minute/time.Millisecond)
	cmd := exec.CommandContext(ctx, "java", "-Duser.timezone=UTC", "-cp", cp, "QuartzBench", "url="+url, "stub="+stub.URL(), "token="+e.Opts.Token,
		fmt.Sprintf("jobs=%d", spec.Jobs), "mode="+mode, fmt.Sprintf("startAt=%d", startAt), fmt.Sprintf("until=%d", until),
		fmt.Sprintf("threads=%d", e.Opts.QuartzThreads))
	logPath := filepath.Join(e.Dir, name+".log")
	logf2, _ := os.Create(logPath)
	defer logf2.Close()
	cmd.Stderr = logf2
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("java: %w", err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	go func() { exited <- cmd.Wait() }()
	defer func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
		}
	}()
	out := &fireOutcome{}
	t := time.Now()
	started := false
	for !started {
		select {
		case l, ok := <-lines:
			if !ok {
				return nil, fmt.Errorf("the Quartz peer exited before starting; log:\n%s", tail(logPath, 20))
			}
			logf("quartz: %s", l)
			started = strings.HasPrefix(l, "STARTED")
		case <-time.After(10 * time.Minute):
			return nil, fmt.Errorf("the Quartz peer did not start in 10 min")
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	out.SeedSeconds = time.Since(t).Seconds()
	go func() {
		for l := range lines {
			logf("quartz: %s", l)
		}
	}()
	// Measure from the first instant at least 6 s after the scheduler
	// started (a scheduling phase longer than estimated shifts the window).
	out.T0 = max(startAt, ceilDiv(time.Now().Add(6*time.Second).UnixMilli(), 1000)*1000)
	out.T1 = out.T0 + spec.Window.Milliseconds() - 1000
	jobs := make(map[int64]Schedule, spec.Jobs)
	for i := range spec.Jobs {
		jobs[int64(i+1)] = spec.Sched(i)
	}
	logf("%s/quartz: %d jobs scheduled in %.1fs; window %s .. %s", spec.Name, spec.Jobs, out.SeedSeconds,
		time.UnixMilli(out.T0).Format("15:04:05"), time.UnixMilli(out.T1).Format("15:04:05"))
	sleepUntil(ctx, time.UnixMilli(out.T0).Add(-time.Second))
	sampler := StartSampler(cmd.Process.Pid, e.Maria.PID(), os.Getpid())
	sleepUntil(ctx, time.UnixMilli(out.T1+1000))
	out.Usage = sampler.Stop()
	// Let the fires of the window finish (runs stop growing for 3 s).
	last, quiet := int64(-1), time.Now()
	for deadline := time.Now().Add(spec.Settle); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if n := stub.Stats().Runs; n != last {
			last, quiet = n, time.Now()
		} else if time.Since(quiet) > 3*time.Second {
			break
		}
	}
	out.Check = CheckFires(jobs, out.T0, out.T1, stub.Arrivals())
	out.Stub = stub.Stats()
	if db, err := sql.Open("mysql", dsn); err == nil {
		var n, failed int
		db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(trigger_code <> 200), 0) FROM xxl_job_log WHERE trigger_time BETWEEN ? AND ?",
			time.UnixMilli(out.T0).UTC(), time.UnixMilli(out.T1).UTC()).Scan(&n, &failed)
		out.Metrics = map[string]any{"logRows": n, "triggerFailed": failed}
		db.Close()
	}
	out.AdminLog = map[string]any{"logTail": tail(logPath, 10)}
	return out, nil
}
