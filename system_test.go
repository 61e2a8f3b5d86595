package xjob

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/executor"
	"github.com/xjob-dev/xjob/ports"
)

// runApp boots the whole scheduling center on dsn and returns its base URL.
func runApp(t *testing.T, dsn string, extra ...string) (string, *App) {
	t.Helper()
	dir := t.TempDir()
	args := append([]string{"--db", dsn, "--data-dir", dir, "--listen", "127.0.0.1:0",
		"--access-token", "system-test-token-0123456789", "--timezone", "Asia/Shanghai"}, extra...)
	cfg, err := LoadConfig("serve", args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, cleanup, err := InitializeApp(ctx, cfg, logger)
	if err != nil {
		cancel()
		t.Fatalf("InitializeApp: %v", err)
	}
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, io.Discard, func(a net.Addr) { addrc <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("app.Run: %v", err)
		}
		cleanup()
	})
	select {
	case a := <-addrc:
		return "http://" + a.String(), app
	case err := <-done:
		t.Fatalf("app.Run: %v", err)
	}
	return "", nil
}

// TestSystemCronJobRunsOnSDKExecutor wires the real admin (InitializeApp on
// SQLite and on MariaDB) to a real SDK executor: the executor registers, a
// cron job fires on it, the callback finishes the log row and the child job
// fires too.
func TestSystemCronJobRunsOnSDKExecutor(t *testing.T) {
	for _, engine := range []string{"sqlite", "mysql"} {
		t.Run(engine, func(t *testing.T) {
			var dsn string
			if engine == "sqlite" {
				dsn = "sqlite:" + filepath.Join(t.TempDir(), "xjob.db")
			} else {
				dsn = "mysql:" + sqltest.MySQLDSN(t, sqltest.MustCreateMySQLDatabase(t))
			}
			testCronJobRuns(t, dsn)
		})
	}
}

func testCronJobRuns(t *testing.T, dsn string) {
	base, _ := runApp(t, dsn)
	ctx := context.Background()
	db, closeDB, err := sqlstore.Open(ctx, dsn, sqlstore.WithLocation(shanghai(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()

	// The group exists before the executor registers, as when an operator
	// sets it up first (a group created later is filled by the console's
	// create action or the registry monitor).
	groups, jobs, logs := sqlstore.NewGroupStore(db), sqlstore.NewJobStore(db), sqlstore.NewLogStore(db)
	g := &domain.Group{AppName: "system-test", Title: "system test", AddressType: domain.AddressAuto}
	if err := groups.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	ran := make(chan string, 100)
	ex, err := executor.New(executor.Options{
		AdminAddresses: []string{base}, AccessToken: "system-test-token-0123456789", AppName: "system-test",
		ListenAddr: "127.0.0.1:0", LogDir: t.TempDir(), BeatInterval: time.Second, CallbackRetryInterval: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	ex.Register("parent", func(ctx context.Context, job *executor.Job) error {
		job.SetResult("parent ran with " + job.Param)
		ran <- "parent"
		return nil
	})
	ex.Register("child", func(ctx context.Context, job *executor.Job) error {
		ran <- "child"
		return nil
	})
	exCtx, stopEx := context.WithCancel(ctx)
	defer stopEx()
	if err := ex.Start(exCtx); err != nil {
		t.Fatal(err)
	}
	defer ex.Stop(context.Background())

	waitFor(t, 10*time.Second, "the executor's address in its group", func() bool {
		got, err := groups.FindGroupByID(ctx, g.ID)
		return err == nil && strings.Contains(got.AddressList, "127.0.0.1")
	})
	child := &domain.JobInfo{GroupID: g.ID, Desc: "child", Author: "t", ScheduleType: domain.ScheduleNone,
		MisfireStrategy: domain.MisfireDoNothing, RouteStrategy: domain.RouteFirst, ExecutorHandler: "child",
		BlockStrategy: domain.BlockSerial, GlueType: domain.GlueBean}
	if err := jobs.CreateJob(ctx, child); err != nil {
		t.Fatal(err)
	}
	parent := &domain.JobInfo{GroupID: g.ID, Desc: "parent", Author: "t", ScheduleType: domain.ScheduleCron,
		ScheduleConf: "* * * * * ?", MisfireStrategy: domain.MisfireDoNothing, RouteStrategy: domain.RouteRound,
		ExecutorHandler: "parent", ExecutorParam: "p1", BlockStrategy: domain.BlockSerial, GlueType: domain.GlueBean,
		ChildJobIDs: domain.JoinIDs([]int64{child.ID}), TriggerStatus: domain.TriggerRunning,
		TriggerNextTime: time.Now().Add(time.Second).UnixMilli()}
	if err := jobs.CreateJob(ctx, parent); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	deadline := time.After(20 * time.Second)
	for !seen["parent"] || !seen["child"] {
		select {
		case name := <-ran:
			seen[name] = true
		case <-deadline:
			t.Fatalf("handlers ran: %v", seen)
		}
	}
	waitFor(t, 10*time.Second, "a finished parent log", func() bool {
		res, err := logs.FindLogs(ctx, ports.LogFilter{JobID: parent.ID, Status: domain.LogStatusSuccess, Limit: 10})
		page := res.Logs
		if err != nil || len(page) == 0 {
			return false
		}
		l := page[0]
		return l.TriggerCode == domain.CodeSuccess && strings.Contains(l.HandleMsg, "parent ran with p1") &&
			strings.Contains(l.TriggerMsg, "<br>")
	})
	// Stop the parent; nothing fires for it afterwards.
	got, err := jobs.FindJobByID(ctx, parent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.TriggerNextTime <= parent.TriggerNextTime {
		t.Errorf("trigger_next_time did not advance: %d", got.TriggerNextTime)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "xjob_") {
		t.Errorf("/metrics lacks xjob metrics")
	}
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestSystemTriggerMessageNamesBoundAddress starts the admin on
// --listen 127.0.0.1:0: the trigger message names the node by the port
// it bound, not by port 0.
func TestSystemTriggerMessageNamesBoundAddress(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "xjob.db")
	base, _ := runApp(t, dsn)
	bound := strings.TrimPrefix(base, "http://")
	if strings.HasSuffix(bound, ":0") {
		t.Fatalf("the app reports %s as bound", bound)
	}
	ctx := context.Background()
	db, closeDB, err := sqlstore.Open(ctx, dsn, sqlstore.WithLocation(shanghai(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	// A cron job due in a second on an executor that refuses: the trigger
	// fails at once, and its message is written all the same.
	g := sqltest.MustCreateGroup(t, db, &domain.Group{AppName: "bound-address", Title: "bound address",
		AddressType: domain.AddressManual, AddressList: "http://127.0.0.1:1"})
	job := sqltest.MustCreateJob(t, db, &domain.JobInfo{GroupID: g.ID, Desc: "bound address",
		ScheduleType: domain.ScheduleCron, ScheduleConf: "* * * * * ?", TriggerStatus: domain.TriggerRunning,
		TriggerNextTime: time.Now().Add(time.Second).UnixMilli()})
	var msg string
	waitFor(t, 15*time.Second, "a trigger log", func() bool {
		res, err := sqlstore.NewLogStore(db).FindLogs(ctx, ports.LogFilter{JobID: job.ID, Limit: 10})
		if err != nil || len(res.Logs) == 0 || res.Logs[0].TriggerMsg == "" {
			return false
		}
		msg = res.Logs[0].TriggerMsg
		return true
	})
	if !strings.Contains(msg, "："+bound+"<br>") {
		t.Fatalf("trigger message does not name the admin as %s:\n%s", bound, msg)
	}
}
