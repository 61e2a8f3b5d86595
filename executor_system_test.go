package xjob

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/clock"
	"github.com/xjob-dev/xjob/adapters/executorclient"
	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/executor"
	"github.com/xjob-dev/xjob/ports"
)

// The tests in this file run the real admin (InitializeApp) against the
// real executor SDK over HTTP, and drive the admin's use cases (trigger,
// kill, rolling log) from a second set of stores on the same database, as
// the console would.

// sysToken is the access token runApp gives the admin.
const sysToken = "system-test-token-0123456789"

// sysEnv is one database with an admin on it, the stores and use cases the
// tests drive, and an executor group.
type sysEnv struct {
	t      *testing.T
	admin  string // base URL executors are given
	jobs   *sqlstore.JobStore
	groups *sqlstore.GroupStore
	logs   *sqlstore.LogStore

	trigger *application.TriggerJob
	killer  *application.KillJob
	reader  *application.ReadLog
	group   *domain.Group
}

// newSysEnv opens dsn and creates an automatically registered group for
// appName; admin is the base URL executors report to.
func newSysEnv(t *testing.T, dsn, admin, appName string) *sysEnv {
	t.Helper()
	ctx := context.Background()
	db, closeDB, err := sqlstore.Open(ctx, dsn, sqlstore.WithLocation(shanghai(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeDB)
	msgs, err := i18n.NewCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	client := executorclient.New(executorclient.Options{AccessToken: sysToken, Timeout: 3 * time.Second})
	t.Cleanup(client.Close)
	e := &sysEnv{t: t, admin: admin,
		jobs: sqlstore.NewJobStore(db), groups: sqlstore.NewGroupStore(db), logs: sqlstore.NewLogStore(db)}
	clk := clock.System{}
	e.trigger = application.NewTriggerJob(e.jobs, e.groups, e.logs, client, msgs, clk, domain.NewRouter(), "127.0.0.1:test")
	e.killer = application.NewKillJob(e.logs, client, msgs, clk)
	e.reader = application.NewReadLog(e.logs, client, msgs)
	e.group = &domain.Group{AppName: appName, Title: "executor system test", AddressType: domain.AddressAuto}
	if err := e.groups.CreateGroup(ctx, e.group); err != nil {
		t.Fatal(err)
	}
	return e
}

// startExecutor starts an SDK executor for the env's group with short
// intervals (fields set in o win), registers its handlers and waits until
// the admin lists it in the group. It is stopped when the test ends.
func (e *sysEnv) startExecutor(o executor.Options, handlers map[string]executor.Handler) *executor.Executor {
	e.t.Helper()
	o.AdminAddresses = []string{e.admin}
	o.AccessToken = sysToken
	o.AppName = e.group.AppName
	if o.ListenAddr == "" {
		o.ListenAddr = "127.0.0.1:0"
	}
	if o.LogDir == "" {
		o.LogDir = e.t.TempDir()
	}
	if o.BeatInterval == 0 {
		o.BeatInterval = time.Second
	}
	if o.CallbackRetryInterval == 0 {
		o.CallbackRetryInterval = 200 * time.Millisecond
	}
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ex, err := executor.New(o)
	if err != nil {
		e.t.Fatal(err)
	}
	for name, h := range handlers {
		ex.Register(name, h)
	}
	if err := ex.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ex.Stop(ctx) // the admin may be gone already: deregistration then fails
	})
	return ex
}

// waitRegistered waits until the group's address list holds the executor.
func (e *sysEnv) waitRegistered(ex *executor.Executor) {
	e.t.Helper()
	waitFor(e.t, 10*time.Second, "the executor's address in its group", func() bool {
		g, err := e.groups.FindGroupByID(context.Background(), e.group.ID)
		return err == nil && strings.Contains(g.AddressList, ex.Address())
	})
}

// createJob creates a stopped BEAN job (no schedule) on handler in the
// env's group; edit adjusts it first.
func (e *sysEnv) createJob(handler string, edit func(*domain.JobInfo)) *domain.JobInfo {
	e.t.Helper()
	j := &domain.JobInfo{GroupID: e.group.ID, Desc: "job " + handler, Author: "t", ScheduleType: domain.ScheduleNone,
		MisfireStrategy: domain.MisfireDoNothing, RouteStrategy: domain.RouteFirst, ExecutorHandler: handler,
		BlockStrategy: domain.BlockSerial, GlueType: domain.GlueBean}
	if edit != nil {
		edit(j)
	}
	if err := e.jobs.CreateJob(context.Background(), j); err != nil {
		e.t.Fatal(err)
	}
	return j
}

// fire triggers job manually, with param instead of the job's when not
// nil, and returns the log row the trigger wrote (triggers are sequential
// in these tests, so it is the job's newest).
func (e *sysEnv) fire(job *domain.JobInfo, param *string) *domain.JobLog {
	e.t.Helper()
	ctx := context.Background()
	req := application.NewTriggerRequest(job.ID, domain.TriggerManual)
	req.ExecutorParam = param
	if err := e.trigger.Trigger(ctx, req); err != nil {
		e.t.Fatalf("trigger job %d: %v", job.ID, err)
	}
	res, err := e.logs.FindLogs(ctx, ports.LogFilter{JobID: job.ID, Status: domain.LogStatusAll, Limit: 1})
	page := res.Logs
	if err != nil || len(page) == 0 {
		e.t.Fatalf("log of the trigger of job %d: %v (%d rows)", job.ID, err, len(page))
	}
	return page[0]
}

// log reloads a log row.
func (e *sysEnv) log(id int64) *domain.JobLog {
	e.t.Helper()
	l, err := e.logs.FindLogByID(context.Background(), id)
	if err != nil {
		e.t.Fatalf("log %d: %v", id, err)
	}
	return l
}

// waitFinished waits until the log has a result and returns it.
func (e *sysEnv) waitFinished(id int64) *domain.JobLog {
	e.t.Helper()
	var l *domain.JobLog
	waitFor(e.t, 10*time.Second, "the result of log "+strconv.FormatInt(id, 10), func() bool {
		l = e.log(id)
		return l.Finished()
	})
	return l
}

func strp(s string) *string { return &s }

// recv returns the next value of c or fails the test after d.
func recv[T any](t *testing.T, c <-chan T, d time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(d):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// TestSystemExecutorManualTrigger: an SDK executor registers, a manual
// trigger reaches it and its callback finishes the log (SQLite and MariaDB).
func TestSystemExecutorManualTrigger(t *testing.T) {
	for _, engine := range []string{"sqlite", "mysql"} {
		t.Run(engine, func(t *testing.T) {
			var dsn string
			if engine == "sqlite" {
				dsn = "sqlite:" + filepath.Join(t.TempDir(), "xjob.db")
			} else {
				dsn = "mysql:" + sqltest.MySQLDSN(t, sqltest.MustCreateMySQLDatabase(t))
			}
			base, _ := runApp(t, dsn)
			env := newSysEnv(t, dsn, base, "manual-"+engine)
			params := make(chan string, 1)
			ex := env.startExecutor(executor.Options{}, map[string]executor.Handler{
				"greet": func(ctx context.Context, job *executor.Job) error {
					params <- job.Param
					job.Log("greeting %s", job.Param)
					job.SetResult("hello " + job.Param)
					return nil
				},
			})
			env.waitRegistered(ex)
			job := env.createJob("greet", func(j *domain.JobInfo) { j.ExecutorParam = "world" })
			l := env.fire(job, nil)
			if l.TriggerCode != domain.CodeSuccess || l.ExecutorAddress != ex.Address() {
				t.Fatalf("trigger: code %d address %q msg %q", l.TriggerCode, l.ExecutorAddress, l.TriggerMsg)
			}
			if !strings.Contains(l.TriggerMsg, "Manual trigger") {
				t.Errorf("trigger message does not name the manual trigger: %q", l.TriggerMsg)
			}
			if got := recv(t, params, 10*time.Second, "the handler"); got != "world" {
				t.Errorf("handler got param %q, want world", got)
			}
			l = env.waitFinished(l.ID)
			if l.HandleCode != domain.CodeSuccess || l.HandleMsg != "hello world" {
				t.Fatalf("result: code %d msg %q; want 200 %q", l.HandleCode, l.HandleMsg, "hello world")
			}
			if l.HandleTime.Before(l.TriggerTime) {
				t.Errorf("handle time %v before trigger time %v", l.HandleTime, l.TriggerTime)
			}
		})
	}
}

// TestSystemExecutorRollingLog reads a run's log through the admin while
// the handler is still writing it, chunk after chunk until isEnd.
func TestSystemExecutorRollingLog(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "xjob.db")
	base, _ := runApp(t, dsn)
	env := newSysEnv(t, dsn, base, "rolling")
	const lines = 10
	ex := env.startExecutor(executor.Options{}, map[string]executor.Handler{
		"chatty": func(ctx context.Context, job *executor.Job) error {
			for i := 1; i <= lines; i++ {
				job.Log("line %d of %d: <script>alert(%d)</script> a & b", i, lines, i)
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(100 * time.Millisecond):
				}
			}
			job.SetResult("wrote the lines")
			return nil
		},
	})
	env.waitRegistered(ex)
	l := env.fire(env.createJob("chatty", nil), nil)
	if l.TriggerCode != domain.CodeSuccess {
		t.Fatalf("trigger: %d %q", l.TriggerCode, l.TriggerMsg)
	}
	ctx := context.Background()
	var content strings.Builder
	from, reads, whileRunning := 1, 0, 0
	deadline := time.Now().Add(15 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("no isEnd after %d reads; content so far:\n%s", reads, content.String())
		}
		running := !env.log(l.ID).Finished()
		res, err := env.reader.Read(ctx, l.ID, from)
		if err != nil {
			t.Fatalf("read log from line %d: %v", from, err)
		}
		reads++
		if res.FromLineNum != from {
			t.Errorf("read from %d answered fromLineNum %d", from, res.FromLineNum)
		}
		if res.LogContent != "" && running {
			whileRunning++
		}
		content.WriteString(res.LogContent)
		if res.ToLineNum >= from {
			from = res.ToLineNum + 1
		}
		if res.IsEnd {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := content.String()
	for i := 1; i <= lines; i++ {
		want := "line " + strconv.Itoa(i) + " of 10: &lt;script&gt;alert(" + strconv.Itoa(i) + ")&lt;/script&gt; a &amp; b"
		if n := strings.Count(got, want); n != 1 {
			t.Errorf("log has %q %d times, want once; log:\n%s", want, n, got)
		}
	}
	if strings.Contains(got, "<script>") {
		t.Errorf("log content not HTML escaped:\n%s", got)
	}
	if !strings.Contains(got, "<br>") || strings.Contains(got, "&lt;br&gt;") {
		t.Errorf("the executor's <br> markers are not kept as <br>:\n%s", got)
	}
	if !strings.Contains(got, "handleCode=200") {
		t.Errorf("log lacks the executor's end line:\n%s", got)
	}
	t.Logf("%d reads, %d with content while running", reads, whileRunning)
	if whileRunning < 2 {
		t.Errorf("log content arrived in %d reads while running, want it rolling in several", whileRunning)
	}
	if fin := env.waitFinished(l.ID); fin.HandleCode != domain.CodeSuccess || fin.HandleMsg != "wrote the lines" {
		t.Errorf("result: %d %q", fin.HandleCode, fin.HandleMsg)
	}
	// Reading past the end of a finished run reports the end at once.
	res, err := env.reader.Read(ctx, l.ID, from)
	if err != nil || !res.IsEnd || res.LogContent != "" {
		t.Errorf("read past the end: %+v, %v", res, err)
	}
}

// TestSystemExecutorKill kills a running job from the admin: the handler's
// context is cancelled and the log ends failed with the kill message.
func TestSystemExecutorKill(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "xjob.db")
	base, _ := runApp(t, dsn)
	env := newSysEnv(t, dsn, base, "kill")
	started, causes := make(chan int64, 1), make(chan error, 1)
	ex := env.startExecutor(executor.Options{}, map[string]executor.Handler{
		"long": func(ctx context.Context, job *executor.Job) error {
			started <- job.LogID
			select {
			case <-ctx.Done():
				causes <- context.Cause(ctx)
				return ctx.Err()
			case <-time.After(20 * time.Second):
				causes <- nil
				return nil
			}
		},
	})
	env.waitRegistered(ex)
	l := env.fire(env.createJob("long", nil), nil)
	if got := recv(t, started, 10*time.Second, "the handler to start"); got != l.ID {
		t.Fatalf("handler runs log %d, want %d", got, l.ID)
	}
	if _, err := env.killer.Kill(context.Background(), l.ID); err != nil {
		t.Fatalf("kill: %v", err)
	}
	cause := recv(t, causes, 5*time.Second, "the handler to see the kill")
	if cause == nil || cause.Error() != "scheduling center kill job." {
		t.Errorf("handler's cancellation cause %v, want the admin's kill", cause)
	}
	l = env.waitFinished(l.ID)
	if l.HandleCode != domain.CodeFail {
		t.Fatalf("killed run: handle code %d msg %q, want 500", l.HandleCode, l.HandleMsg)
	}
	// The admin records its own kill message unless the executor's report
	// of the killed run raced ahead of it; either names the kill.
	if !strings.Contains(l.HandleMsg, "Stopped by an operator") && !strings.Contains(l.HandleMsg, "scheduling center kill job.") {
		t.Errorf("killed run's message %q names no kill", l.HandleMsg)
	}
	t.Logf("killed run's result: %d %q", l.HandleCode, l.HandleMsg)
	// The executor's own report of the killed run (delivered at the latest
	// by Stop) does not replace the first result.
	first := l.HandleMsg
	stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ex.Stop(stopCtx); err != nil {
		t.Errorf("executor stop: %v", err)
	}
	if got := env.log(l.ID); got.HandleCode != domain.CodeFail || got.HandleMsg != first {
		t.Errorf("result changed after the executor's report: %d %q, was %q", got.HandleCode, got.HandleMsg, first)
	}
}

// TestSystemExecutorTimeout: a run over the job's executorTimeout ends with
// handle code 502, whether its handler honours cancellation or not.
func TestSystemExecutorTimeout(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "xjob.db")
	base, _ := runApp(t, dsn)
	env := newSysEnv(t, dsn, base, "timeout")
	ex := env.startExecutor(executor.Options{CancelGrace: 200 * time.Millisecond}, map[string]executor.Handler{
		"polite": func(ctx context.Context, job *executor.Job) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(3 * time.Second):
				return nil
			}
		},
		"stubborn": func(ctx context.Context, job *executor.Job) error {
			time.Sleep(3 * time.Second) // ignores ctx: abandoned after CancelGrace
			return nil
		},
	})
	env.waitRegistered(ex)
	for _, handler := range []string{"polite", "stubborn"} {
		t.Run(handler, func(t *testing.T) {
			job := env.createJob(handler, func(j *domain.JobInfo) { j.ExecutorTimeout = 1 })
			start := time.Now()
			l := env.fire(job, nil)
			if l.TriggerCode != domain.CodeSuccess {
				t.Fatalf("trigger: %d %q", l.TriggerCode, l.TriggerMsg)
			}
			l = env.waitFinished(l.ID)
			if l.HandleCode != domain.CodeTimeout || !strings.Contains(l.HandleMsg, "timeout") {
				t.Fatalf("result: %d %q; want 502 with a timeout message", l.HandleCode, l.HandleMsg)
			}
			t.Logf("502 recorded %v after the trigger", time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestSystemExecutorBlockStrategies triggers a job while its previous run
// is still running, under each block strategy.
func TestSystemExecutorBlockStrategies(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "xjob.db")
	base, _ := runApp(t, dsn)
	env := newSysEnv(t, dsn, base, "block")

	var mu sync.Mutex
	var events []string // "start <logId>" / "end <logId>" of the serial handler
	record := func(ev string, id int64) {
		mu.Lock()
		events = append(events, ev+" "+strconv.FormatInt(id, 10))
		mu.Unlock()
	}
	discardStarted, discardRelease := make(chan int64, 2), make(chan struct{})
	var discardRuns atomic.Int32
	coverStarted, coverCause := make(chan int64, 2), make(chan error, 1)
	ex := env.startExecutor(executor.Options{}, map[string]executor.Handler{
		"serial": func(ctx context.Context, job *executor.Job) error {
			record("start", job.LogID)
			defer record("end", job.LogID)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(400 * time.Millisecond):
			}
			job.SetResult("serial " + job.Param)
			return nil
		},
		"discard": func(ctx context.Context, job *executor.Job) error {
			discardRuns.Add(1)
			discardStarted <- job.LogID
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-discardRelease:
			}
			job.SetResult("kept")
			return nil
		},
		"cover": func(ctx context.Context, job *executor.Job) error {
			coverStarted <- job.LogID
			if job.Param == "hold" {
				<-ctx.Done()
				coverCause <- context.Cause(ctx)
				return ctx.Err()
			}
			job.SetResult("covered")
			return nil
		},
	})
	env.waitRegistered(ex)

	t.Run("SERIAL_EXECUTION", func(t *testing.T) {
		job := env.createJob("serial", func(j *domain.JobInfo) { j.BlockStrategy = domain.BlockSerial })
		l1 := env.fire(job, strp("one"))
		l2 := env.fire(job, strp("two"))
		for _, l := range []*domain.JobLog{l1, l2} {
			if l.TriggerCode != domain.CodeSuccess {
				t.Fatalf("trigger of log %d: %d %q", l.ID, l.TriggerCode, l.TriggerMsg)
			}
		}
		f1, f2 := env.waitFinished(l1.ID), env.waitFinished(l2.ID)
		if f1.HandleCode != domain.CodeSuccess || f1.HandleMsg != "serial one" ||
			f2.HandleCode != domain.CodeSuccess || f2.HandleMsg != "serial two" {
			t.Fatalf("results: %d %q, %d %q", f1.HandleCode, f1.HandleMsg, f2.HandleCode, f2.HandleMsg)
		}
		mu.Lock()
		got := strings.Join(events, ", ")
		mu.Unlock()
		want := strings.Join([]string{"start " + strconv.FormatInt(l1.ID, 10), "end " + strconv.FormatInt(l1.ID, 10),
			"start " + strconv.FormatInt(l2.ID, 10), "end " + strconv.FormatInt(l2.ID, 10)}, ", ")
		if got != want {
			t.Errorf("runs: %s; want one after the other: %s", got, want)
		}
		if f2.HandleTime.Before(f1.HandleTime) {
			t.Errorf("second run finished at %v, before the first at %v", f2.HandleTime, f1.HandleTime)
		}
	})

	t.Run("DISCARD_LATER", func(t *testing.T) {
		job := env.createJob("discard", func(j *domain.JobInfo) { j.BlockStrategy = domain.BlockDiscardLater })
		l1 := env.fire(job, nil)
		if got := recv(t, discardStarted, 10*time.Second, "the first run"); got != l1.ID {
			t.Fatalf("first run is log %d, want %d", got, l1.ID)
		}
		l2 := env.fire(job, nil)
		if l2.TriggerCode != domain.CodeFail || !strings.Contains(l2.TriggerMsg, "block strategy effect：Discard Later") {
			t.Errorf("second trigger: code %d msg %q; want 500 with the executor's discard message", l2.TriggerCode, l2.TriggerMsg)
		}
		close(discardRelease)
		if f1 := env.waitFinished(l1.ID); f1.HandleCode != domain.CodeSuccess || f1.HandleMsg != "kept" {
			t.Errorf("first run: %d %q", f1.HandleCode, f1.HandleMsg)
		}
		if n := discardRuns.Load(); n != 1 {
			t.Errorf("handler ran %d times, want once", n)
		}
		if l := env.log(l2.ID); l.Finished() {
			t.Errorf("discarded trigger has a result: %d %q", l.HandleCode, l.HandleMsg)
		}
	})

	t.Run("COVER_EARLY", func(t *testing.T) {
		job := env.createJob("cover", func(j *domain.JobInfo) { j.BlockStrategy = domain.BlockCoverEarly })
		l1 := env.fire(job, strp("hold"))
		if got := recv(t, coverStarted, 10*time.Second, "the first run"); got != l1.ID {
			t.Fatalf("first run is log %d, want %d", got, l1.ID)
		}
		l2 := env.fire(job, strp("quick"))
		if l2.TriggerCode != domain.CodeSuccess {
			t.Fatalf("second trigger: %d %q", l2.TriggerCode, l2.TriggerMsg)
		}
		if cause := recv(t, coverCause, 5*time.Second, "the first run to be cancelled"); cause == nil ||
			!strings.Contains(cause.Error(), "Cover Early") {
			t.Errorf("first run's cancellation cause %v, want COVER_EARLY's", cause)
		}
		f1, f2 := env.waitFinished(l1.ID), env.waitFinished(l2.ID)
		if f1.HandleCode != domain.CodeFail || !strings.Contains(f1.HandleMsg, "block strategy effect：Cover Early") ||
			!strings.Contains(f1.HandleMsg, "killed") {
			t.Errorf("covered run: %d %q; want 500 killed by Cover Early", f1.HandleCode, f1.HandleMsg)
		}
		if f2.HandleCode != domain.CodeSuccess || f2.HandleMsg != "covered" {
			t.Errorf("covering run: %d %q", f2.HandleCode, f2.HandleMsg)
		}
	})
}

// sysAdmin is an admin whose lifetime a test controls, on a fixed address.
// It counts the results executors deliver to it, per log.
type sysAdmin struct {
	URL     string
	cancel  context.CancelFunc
	done    chan error
	cleanup func()
	stopped bool

	mu        sync.Mutex
	delivered map[int64]int // logId → results received in /api/callback
}

// countCallbacks wraps the admin's handler to count the results in every
// /api/callback request before the admin handles it.
func (a *sysAdmin) countCallbacks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/api/callback") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var items []domain.CallbackParam
			if json.Unmarshal(body, &items) == nil {
				a.mu.Lock()
				for _, it := range items {
					a.delivered[it.LogID]++
				}
				a.mu.Unlock()
			}
		}
		next.ServeHTTP(w, r)
	})
}

// deliveries is how many results for logID reached this admin.
func (a *sysAdmin) deliveries(logID int64) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.delivered[logID]
}

// startSysAdmin boots the admin on dsn listening on listen (host:port).
func startSysAdmin(t *testing.T, dsn, listen string) *sysAdmin {
	t.Helper()
	args := []string{"--db", dsn, "--data-dir", t.TempDir(), "--listen", listen,
		"--access-token", sysToken, "--timezone", "Asia/Shanghai"}
	cfg, err := LoadConfig("serve", args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, cleanup, err := InitializeApp(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatalf("InitializeApp: %v", err)
	}
	a := &sysAdmin{cancel: cancel, done: make(chan error, 1), cleanup: cleanup, delivered: map[int64]int{}}
	app.Handler = a.countCallbacks(app.Handler)
	addrc := make(chan net.Addr, 1)
	go func() { a.done <- app.Run(ctx, io.Discard, func(addr net.Addr) { addrc <- addr }) }()
	t.Cleanup(func() { a.stop(t) })
	select {
	case addr := <-addrc:
		a.URL = "http://" + addr.String()
	case err := <-a.done:
		a.stopped = true
		cleanup()
		cancel()
		t.Fatalf("app.Run: %v", err)
	}
	return a
}

// stop shuts the admin down and waits until it no longer listens.
func (a *sysAdmin) stop(t *testing.T) {
	if a.stopped {
		return
	}
	a.stopped = true
	a.cancel()
	if err := <-a.done; err != nil {
		t.Errorf("app.Run: %v", err)
	}
	a.cleanup()
}

// callbacksRecorded reads how many results this admin recorded from its
// xjob_callback_latency_seconds histogram.
func (a *sysAdmin) callbacksRecorded(t *testing.T) int {
	t.Helper()
	resp, err := http.Get(a.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "xjob_callback_latency_seconds_count "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("metrics line %q: %v", sc.Text(), err)
			}
			return n
		}
	}
	t.Fatal("/metrics lacks xjob_callback_latency_seconds_count")
	return 0
}

// freeListen returns a loopback host:port nothing listens on.
func freeListen(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// spooled lists the results waiting in an executor's callback spool.
func spooled(t *testing.T, logDir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(logDir, "callbacklog", "callback-*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// holdHandler blocks each run until release is closed (or the run is
// cancelled), counts its runs and reports msg.
func holdHandler(started chan<- int64, release <-chan struct{}, runs *atomic.Int32, msg string) executor.Handler {
	return func(ctx context.Context, job *executor.Job) error {
		runs.Add(1)
		started <- job.LogID
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-release:
		}
		job.SetResult(msg)
		return nil
	}
}

// TestSystemExecutorAdminDownThenUp: a run finishes while the admin is
// down; the executor keeps its result on disk and delivers it, once, to
// the admin started again on the same database and address.
func TestSystemExecutorAdminDownThenUp(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "xjob.db")
	listen := freeListen(t)
	first := startSysAdmin(t, dsn, listen)
	env := newSysEnv(t, dsn, first.URL, "admin-down")
	started, release := make(chan int64, 1), make(chan struct{})
	var runs atomic.Int32
	const msg = "finished while the admin was down"
	logDir := t.TempDir()
	ex := env.startExecutor(executor.Options{LogDir: logDir}, map[string]executor.Handler{
		"hold": holdHandler(started, release, &runs, msg),
	})
	env.waitRegistered(ex)
	l := env.fire(env.createJob("hold", nil), nil)
	if l.TriggerCode != domain.CodeSuccess {
		t.Fatalf("trigger: %d %q", l.TriggerCode, l.TriggerMsg)
	}
	recv(t, started, 10*time.Second, "the run to start")

	first.stop(t)
	close(release)
	waitFor(t, 10*time.Second, "the result in the executor's spool", func() bool { return len(spooled(t, logDir)) > 0 })
	if got := env.log(l.ID); got.Finished() {
		t.Fatalf("log finished while the admin was down: %d %q", got.HandleCode, got.HandleMsg)
	}

	second := startSysAdmin(t, dsn, listen)
	got := env.waitFinished(l.ID)
	if got.HandleCode != domain.CodeSuccess || got.HandleMsg != msg {
		t.Fatalf("result: %d %q; want 200 %q", got.HandleCode, got.HandleMsg, msg)
	}
	waitFor(t, 10*time.Second, "an empty spool", func() bool { return len(spooled(t, logDir)) == 0 })
	// Stop flushes whatever is left; nothing may change the result.
	stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ex.Stop(stopCtx); err != nil {
		t.Errorf("executor stop: %v", err)
	}
	if n := second.callbacksRecorded(t); n != 1 {
		t.Errorf("the restarted admin recorded %d results, want exactly 1", n)
	}
	if a, b := first.deliveries(l.ID), second.deliveries(l.ID); a != 0 || b != 1 {
		t.Errorf("result delivered %d times to the first admin and %d to the second, want 0 and 1", a, b)
	}
	if again := env.log(l.ID); again.HandleCode != got.HandleCode || again.HandleMsg != msg || !again.HandleTime.Equal(got.HandleTime) {
		t.Errorf("result changed: %d %q at %v", again.HandleCode, again.HandleMsg, again.HandleTime)
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("handler ran %d times, want once", n)
	}
}

// TestSystemExecutorRestartDeliversSpool: a run finishes while the admin is
// unreachable and its executor is stopped; a new executor on the same
// LogDir delivers the kept result once the admin is back.
func TestSystemExecutorRestartDeliversSpool(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "xjob.db")
	listen := freeListen(t)
	first := startSysAdmin(t, dsn, listen)
	env := newSysEnv(t, dsn, first.URL, "restart")
	started, release := make(chan int64, 1), make(chan struct{})
	var runs atomic.Int32
	const msg = "finished before the executor restarted"
	logDir := t.TempDir()
	ex1 := env.startExecutor(executor.Options{LogDir: logDir}, map[string]executor.Handler{
		"hold": holdHandler(started, release, &runs, msg),
	})
	env.waitRegistered(ex1)
	l := env.fire(env.createJob("hold", nil), nil)
	if l.TriggerCode != domain.CodeSuccess {
		t.Fatalf("trigger: %d %q", l.TriggerCode, l.TriggerMsg)
	}
	recv(t, started, 10*time.Second, "the run to start")

	first.stop(t)
	close(release)
	waitFor(t, 10*time.Second, "the result in the executor's spool", func() bool { return len(spooled(t, logDir)) > 0 })
	stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ex1.Stop(stopCtx); err == nil {
		t.Log("executor stopped cleanly although the admin is down")
	}
	if len(spooled(t, logDir)) == 0 {
		t.Fatal("the stopped executor's spool is empty; the result was lost")
	}

	// A new executor process on the same LogDir, started while the admin
	// is still down, with no handler for the job.
	ex2 := env.startExecutor(executor.Options{LogDir: logDir}, nil)
	if got := env.log(l.ID); got.Finished() {
		t.Fatalf("log finished while the admin was down: %d %q", got.HandleCode, got.HandleMsg)
	}
	second := startSysAdmin(t, dsn, listen)
	got := env.waitFinished(l.ID)
	if got.HandleCode != domain.CodeSuccess || got.HandleMsg != msg {
		t.Fatalf("result: %d %q; want 200 %q", got.HandleCode, got.HandleMsg, msg)
	}
	waitFor(t, 10*time.Second, "an empty spool", func() bool { return len(spooled(t, logDir)) == 0 })
	stopCtx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if err := ex2.Stop(stopCtx2); err != nil {
		t.Errorf("second executor stop: %v", err)
	}
	if n := second.callbacksRecorded(t); n != 1 {
		t.Errorf("the restarted admin recorded %d results, want exactly 1", n)
	}
	if a, b := first.deliveries(l.ID), second.deliveries(l.ID); a != 0 || b != 1 {
		t.Errorf("result delivered %d times to the first admin and %d to the second, want 0 and 1", a, b)
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("handler ran %d times, want once", n)
	}
	if _, err := os.Stat(filepath.Join(logDir, "callbacklog")); errors.Is(err, os.ErrNotExist) {
		t.Errorf("spool directory vanished")
	}
}
