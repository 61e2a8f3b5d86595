package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// lockedBuffer collects a child process's output; safe to read while the
// process writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// executorProc is a running `xjob executor` process.
type executorProc struct {
	cmd    *exec.Cmd
	output *lockedBuffer
	done   chan error
}

// startExecutorProc runs `xjob executor args…`; it is stopped with SIGTERM
// when the test ends and must then exit cleanly.
func startExecutorProc(t *testing.T, args ...string) *executorProc {
	t.Helper()
	p := &executorProc{cmd: exec.Command(binary, append([]string{"executor"}, args...)...),
		output: &lockedBuffer{}, done: make(chan error, 1)}
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-p.done:
			if err != nil {
				t.Errorf("executor exited with %v; output:\n%s", err, p.output)
			}
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			t.Errorf("executor did not stop on SIGTERM; output:\n%s", p.output)
		}
	})
	return p
}

// runLogOf returns the run log file of logID under an executor's log dir.
func runLogOf(t *testing.T, logDir string, logID int64) string {
	t.Helper()
	name := strconv.FormatInt(logID, 10) + ".log"
	var found string
	_ = filepath.WalkDir(logDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == name && filepath.Base(filepath.Dir(path)) != "callbacklog" {
			found = path
			return fs.SkipAll
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no run log %s under %s", name, logDir)
	}
	b, err := os.ReadFile(found)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExecutorE2EServeAndExecutorProcesses runs `xjob serve` and two
// `xjob executor` processes: the scheduler fires a GLUE_SHELL job and a
// command job on the executor that enables GLUE, and a GLUE job on the one
// that does not, which refuses it.
func TestExecutorE2EServeAndExecutorProcesses(t *testing.T) {
	const token = "e2e-access-token-0123456789abcdef"
	start := time.Now()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "xjob.db")
	s := startServe(t, nil, "--db", "sqlite:"+dbPath, "--data-dir", dir, "--listen", "127.0.0.1:0",
		"--access-token", token, "--timezone", "UTC")

	ctx := context.Background()
	db, closeDB, err := sqlstore.Open(ctx, "sqlite:"+dbPath, sqlstore.WithLocation(time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	groups, jobs, logs := sqlstore.NewGroupStore(db), sqlstore.NewJobStore(db), sqlstore.NewLogStore(db)
	glueGroup := &domain.Group{AppName: "e2e-glue", Title: "GLUE enabled", AddressType: domain.AddressAuto}
	plainGroup := &domain.Group{AppName: "e2e-plain", Title: "no GLUE", AddressType: domain.AddressAuto}
	for _, g := range []*domain.Group{glueGroup, plainGroup} {
		if err := groups.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
	}

	common := []string{"--admin-addresses", s.URL, "--access-token", token, "--listen", "127.0.0.1:0",
		"--command", "echo=/bin/echo", "--beat-interval", "1s", "--callback-retry-interval", "1s"}
	glueDir, plainDir := t.TempDir(), t.TempDir()
	glueEx := startExecutorProc(t, append(common, "--app-name", glueGroup.AppName, "--log-dir", glueDir, "--glue", "GLUE_SHELL")...)
	plainEx := startExecutorProc(t, append(common, "--app-name", plainGroup.AppName, "--log-dir", plainDir)...)
	for _, c := range []struct {
		g  *domain.Group
		ex *executorProc
	}{{glueGroup, glueEx}, {plainGroup, plainEx}} {
		waitUntil(t, 15*time.Second, "executor "+c.g.AppName+" registered", c.ex, func() bool {
			g, err := groups.FindGroupByID(ctx, c.g.ID)
			return err == nil && strings.Contains(g.AddressList, "127.0.0.1")
		})
	}

	t.Logf("executors registered after %v", time.Since(start).Round(time.Millisecond))
	// Due in a second; an idle scheduler scans every 4 s, so the first
	// fires may come a few seconds late (still within the misfire window).
	next := time.Now().Add(time.Second).UnixMilli()
	newJob := func(g *domain.Group, glue domain.GlueType, handler, source, param string) *domain.JobInfo {
		j := &domain.JobInfo{GroupID: g.ID, Desc: "e2e " + string(glue), Author: "e2e", ScheduleType: domain.ScheduleCron,
			ScheduleConf: "* * * * * ?", MisfireStrategy: domain.MisfireDoNothing, RouteStrategy: domain.RouteFirst,
			ExecutorHandler: handler, ExecutorParam: param, BlockStrategy: domain.BlockSerial, GlueType: glue,
			GlueSource: source, GlueRemark: "e2e", GlueUpdatetime: time.Now(),
			TriggerStatus: domain.TriggerRunning, TriggerNextTime: next}
		if err := jobs.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		return j
	}
	glueJob := newJob(glueGroup, domain.GlueShell, "", "echo hello $1", "world")
	beanJob := newJob(glueGroup, domain.GlueBean, "echo", "", "bean-param")
	refusedJob := newJob(plainGroup, domain.GlueShell, "", "echo should never run", "x")

	firstLog := func(jobID int64, status domain.LogStatus) *domain.JobLog {
		res, err := logs.FindLogs(ctx, ports.LogFilter{JobID: jobID, Status: status, Limit: 50})
		page := res.Logs
		if err != nil || len(page) == 0 {
			return nil
		}
		return page[len(page)-1] // oldest of the page
	}
	for _, c := range []struct {
		job    *domain.JobInfo
		ex     *executorProc
		logDir string
		want   string
	}{{glueJob, glueEx, glueDir, "hello world"}, {beanJob, glueEx, glueDir, "bean-param"}} {
		var l *domain.JobLog
		waitUntil(t, 20*time.Second, "a successful run of "+c.job.Desc, c.ex, func() bool {
			l = firstLog(c.job.ID, domain.LogStatusSuccess)
			return l != nil
		})
		if l.TriggerCode != domain.CodeSuccess || l.HandleCode != domain.CodeSuccess {
			t.Errorf("%s: trigger %d %q, handle %d %q", c.job.Desc, l.TriggerCode, l.TriggerMsg, l.HandleCode, l.HandleMsg)
		}
		out := runLogOf(t, c.logDir, l.ID)
		t.Logf("%s: log %d succeeded after %v", c.job.Desc, l.ID, time.Since(start).Round(time.Millisecond))
		if !strings.Contains(out, c.want) || !strings.Contains(out, "handleCode=200") {
			t.Errorf("%s: run log %d lacks %q and the end line:\n%s", c.job.Desc, l.ID, c.want, out)
		}
	}

	var refused *domain.JobLog
	waitUntil(t, 20*time.Second, "the refused GLUE trigger", plainEx, func() bool {
		refused = firstLog(refusedJob.ID, domain.LogStatusFail)
		return refused != nil
	})
	t.Logf("GLUE refused after %v", time.Since(start).Round(time.Millisecond))
	if refused.TriggerCode != domain.CodeFail ||
		!strings.Contains(refused.TriggerMsg, "glueType[GLUE_SHELL] is not enabled on this executor.") {
		t.Errorf("GLUE job on the executor without --glue: trigger %d %q; want 500 with the refusal",
			refused.TriggerCode, refused.TriggerMsg)
	}
	if refused.HandleCode == domain.CodeSuccess {
		t.Errorf("refused GLUE job has a successful result: %q", refused.HandleMsg)
	}
	if _, err := os.Stat(filepath.Join(plainDir, "gluesource")); err == nil {
		t.Errorf("the executor without --glue wrote a GLUE source file")
	}
	if res, err := logs.FindLogs(ctx, ports.LogFilter{JobID: refusedJob.ID, Status: domain.LogStatusSuccess, Limit: 1}); err != nil || len(res.Logs) > 0 {
		t.Errorf("the refused GLUE job ran: %v %v", res.Logs, err)
	}
}

// waitUntil polls ok until it holds or d passes; on timeout it shows the
// executor's output.
func waitUntil(t *testing.T, d time.Duration, what string, ex *executorProc, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; executor output:\n%s", what, ex.output)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
