package application_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/clock"
	"github.com/xjob-dev/xjob/adapters/executorclient"
	"github.com/xjob-dev/xjob/adapters/executorclient/executortest"
	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

const testToken = "default_token"

// env is the trigger path on a real database, a real executor client and
// real catalogs; only the executors are stand-ins, on loopback.
type env struct {
	t       testing.TB
	ctx     context.Context
	db      *sqlstore.DB
	jobs    *sqlstore.JobStore
	groups  *sqlstore.GroupStore
	logs    *countingLogs
	regs    *sqlstore.RegistryStore
	clock   *clock.Manual
	msgs    *i18n.Catalog
	exec    *executorclient.Client
	router  *domain.Router
	trigger *application.TriggerJob
}

func newEnv(t testing.TB, db *sqlstore.DB, lang string) *env {
	msgs, err := i18n.NewCatalog(lang)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: context.Background(), db: db, jobs: sqlstore.NewJobStore(db), groups: sqlstore.NewGroupStore(db),
		logs: &countingLogs{LogStore: sqlstore.NewLogStore(db)}, regs: sqlstore.NewRegistryStore(db),
		clock: clock.NewManual(time.Now().Truncate(time.Second)), msgs: msgs,
		exec:   executorclient.New(executorclient.Options{AccessToken: testToken, Timeout: 2 * time.Second}),
		router: domain.NewRouter()}
	t.Cleanup(e.exec.Close)
	e.trigger = application.NewTriggerJob(e.jobs, e.groups, e.logs, e.exec, e.msgs, e.clock, e.router, "10.0.0.9")
	return e
}

func newSQLiteEnv(t testing.TB, lang string) *env { return newEnv(t, sqltest.MustOpenSQLite(t), lang) }

// countingLogs is the real log store, counting the batched writes. A
// commit delay, when set, makes every write take as long as a durable
// commit on a server would, so batching does not depend on machine load.
type countingLogs struct {
	ports.LogStore
	creates, updates atomic.Int64
	commitDelay      time.Duration
	// failCreates makes that many CreateLogs calls fail, as a database
	// deadlock or restart would.
	failCreates atomic.Int64
}

func (c *countingLogs) CreateLogs(ctx context.Context, logs []*domain.JobLog) error {
	c.creates.Add(1)
	time.Sleep(c.commitDelay)
	if c.failCreates.Add(-1) >= 0 {
		return domain.Errorf(domain.EINTERNAL, "insert logs: Error 1213 (40001): Deadlock found (test)")
	}
	c.failCreates.Store(0)
	return c.LogStore.CreateLogs(ctx, logs)
}

func (c *countingLogs) UpdateTriggerInfos(ctx context.Context, logs []*domain.JobLog) error {
	c.updates.Add(1)
	time.Sleep(c.commitDelay)
	return c.LogStore.UpdateTriggerInfos(ctx, logs)
}

func (e *env) group(t domain.AddressType, addrs ...string) *domain.Group {
	e.t.Helper()
	g := &domain.Group{AppName: fmt.Sprintf("app-%d", time.Now().UnixNano()), Title: "test", AddressType: t,
		AddressList: strings.Join(addrs, ","), UpdateTime: e.clock.Now()}
	if err := e.groups.CreateGroup(e.ctx, g); err != nil {
		e.t.Fatal(err)
	}
	return g
}

func (e *env) job(g *domain.Group, edit func(*domain.JobInfo)) *domain.JobInfo {
	e.t.Helper()
	j := &domain.JobInfo{GroupID: g.ID, Desc: "job", Author: "t", ScheduleType: domain.ScheduleNone,
		MisfireStrategy: domain.MisfireDoNothing, RouteStrategy: domain.RouteFirst, ExecutorHandler: "demo",
		ExecutorParam: "p", BlockStrategy: domain.BlockSerial, GlueType: domain.GlueBean,
		AddTime: e.clock.Now(), UpdateTime: e.clock.Now(), GlueUpdatetime: e.clock.Now()}
	if edit != nil {
		edit(j)
	}
	if err := e.jobs.CreateJob(e.ctx, j); err != nil {
		e.t.Fatal(err)
	}
	return j
}

// logsOf returns the job's logs, oldest first.
func (e *env) logsOf(jobID int64) []*domain.JobLog {
	e.t.Helper()
	res, err := e.logs.FindLogs(e.ctx, ports.LogFilter{JobID: jobID, Status: domain.LogStatusAll})
	logs := res.Logs
	if err != nil {
		e.t.Fatal(err)
	}
	for i, j := 0, len(logs)-1; i < j; i, j = i+1, j-1 {
		logs[i], logs[j] = logs[j], logs[i]
	}
	return logs
}

func (e *env) mustTrigger(req application.TriggerRequest) *domain.JobLog {
	e.t.Helper()
	if err := e.trigger.Trigger(e.ctx, req); err != nil {
		e.t.Fatal(err)
	}
	logs := e.logsOf(req.JobID)
	return logs[len(logs)-1]
}

func executors(t testing.TB, n int, flavor executortest.Flavor) ([]*executortest.Executor, []string) {
	var exs []*executortest.Executor
	var addrs []string
	for range n {
		ex := executortest.Start(t, flavor, testToken, "demo")
		exs = append(exs, ex)
		addrs = append(addrs, ex.Address())
	}
	return exs, addrs
}

func runsPerExecutor(exs []*executortest.Executor) []int {
	out := make([]int, len(exs))
	for i, ex := range exs {
		out[i] = len(ex.Runs())
	}
	return out
}

func TestTriggerRoutes(t *testing.T) {
	tests := []struct {
		route domain.RouteStrategy
		check func(t *testing.T, job *domain.JobInfo, addrs []string, runs []int)
	}{
		{domain.RouteFirst, wantRuns(3, 0, 0)},
		{domain.RouteLast, wantRuns(0, 0, 3)},
		{domain.RouteRound, wantRuns(1, 1, 1)},
		{domain.RouteLeastFrequently, func(t *testing.T, _ *domain.JobInfo, _ []string, runs []int) {
			// New addresses start at a random count in [0,3), as upstream's
			// do, so three picks may all go to one address (0 against 2 and
			// 2); domain/route_test.go checks the balancing itself.
			if runs[0]+runs[1]+runs[2] != 3 {
				t.Errorf("runs %v", runs)
			}
		}},
		{domain.RouteLeastRecently, wantRuns(1, 1, 1)},
		{domain.RouteStrategy("NO_SUCH"), wantRuns(3, 0, 0)},
		{domain.RouteRandom, func(t *testing.T, _ *domain.JobInfo, _ []string, runs []int) {
			if runs[0]+runs[1]+runs[2] != 3 {
				t.Errorf("runs %v", runs)
			}
		}},
		{domain.RouteConsistentHash, func(t *testing.T, job *domain.JobInfo, addrs []string, runs []int) {
			want := domain.NewRouter().Route(domain.RouteConsistentHash, job.ID, addrs, time.Now())
			for i, a := range addrs {
				if (a == want) != (runs[i] == 3) {
					t.Errorf("runs %v, want all on %s", runs, want)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.route), func(t *testing.T) {
			e := newSQLiteEnv(t, "en")
			exs, addrs := executors(t, 3, executortest.Java)
			job := e.job(e.group(domain.AddressAuto, addrs...), func(j *domain.JobInfo) { j.RouteStrategy = tt.route })
			for range 3 {
				if log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual)); log.TriggerCode != 200 {
					t.Fatalf("trigger: %d %s", log.TriggerCode, log.TriggerMsg)
				}
			}
			tt.check(t, job, addrs, runsPerExecutor(exs))
		})
	}
}

func wantRuns(want ...int) func(*testing.T, *domain.JobInfo, []string, []int) {
	return func(t *testing.T, _ *domain.JobInfo, _ []string, runs []int) {
		if fmt.Sprint(runs) != fmt.Sprint(want) {
			t.Errorf("runs per executor %v, want %v", runs, want)
		}
	}
}

func TestTriggerRecordsLogAndParam(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db, "en")
		exs, addrs := executors(t, 1, executortest.Java)
		job := e.job(e.group(domain.AddressAuto, addrs...), func(j *domain.JobInfo) {
			j.ExecutorTimeout, j.ExecutorFailRetryCount, j.GlueSource = 30, 2, "src"
		})
		fire := e.clock.Now().Add(-1500 * time.Millisecond)
		req := application.NewTriggerRequest(job.ID, domain.TriggerCron)
		req.FireTime = fire
		log := e.mustTrigger(req)
		at := fire.Truncate(time.Second)
		if log.TriggerCode != 200 || log.ExecutorAddress != addrs[0] || log.ExecutorHandler != "demo" ||
			log.ExecutorParam != "p" || log.ExecutorFailRetryCount != 2 || log.ExecutorShardingParam != "" ||
			!log.TriggerTime.Equal(at) || log.HandleCode != 0 {
			t.Errorf("log %+v", log)
		}
		runs := exs[0].Runs()
		if len(runs) != 1 {
			t.Fatalf("runs %v", runs)
		}
		want := domain.TriggerParam{JobID: job.ID, ExecutorHandler: "demo", ExecutorParams: "p",
			ExecutorBlockStrategy: "SERIAL_EXECUTION", ExecutorTimeout: 30, LogID: log.ID, LogDateTime: at.UnixMilli(),
			GlueType: "BEAN", GlueSource: "src", GlueUpdatetime: job.GlueUpdatetime.Truncate(time.Second).UnixMilli(),
			BroadcastIndex: 0, BroadcastTotal: 1}
		if runs[0] != want {
			t.Errorf("run param %+v\nwant %+v", runs[0], want)
		}
	})
}

func TestTriggerOverrides(t *testing.T) {
	e := newSQLiteEnv(t, "en")
	exs, addrs := executors(t, 2, executortest.Go)
	job := e.job(e.group(domain.AddressAuto, addrs[0]), nil)
	param := "override"
	log := e.mustTrigger(application.TriggerRequest{JobID: job.ID, Type: domain.TriggerManual, FailRetryCount: 0,
		ExecutorParam: &param, AddressList: " " + addrs[1] + " ,"})
	if log.TriggerCode != 200 || log.ExecutorAddress != addrs[1] || log.ExecutorParam != "override" || len(exs[1].Runs()) != 1 {
		t.Errorf("log %+v", log)
	}
	if !strings.Contains(log.TriggerMsg, "Executor registration：Manual entry<br>Executor addresses：["+addrs[1]+"]") {
		t.Errorf("trigger msg %s", log.TriggerMsg)
	}
}

func TestTriggerMessage(t *testing.T) {
	tests := []struct{ lang, want string }{
		{"en", "Trigger type：Manual trigger<br>Admin node：10.0.0.9<br>Executor registration：Automatic registration" +
			"<br>Executor addresses：[ADDR]<br>Routing strategy：First<br>Blocking strategy：Serial execution" +
			"<br>Timeout (seconds)：0<br>Retries on failure：1" +
			`<br><br><span style="color:#00c0ef;" > >>>>>>>>>>>Trigger<<<<<<<<<<< </span><br>` +
			"<br>Executor address：ADDR<br>JobHandler：demo<br>Parameters：p<br>Trigger result：success"},
		{"zh_CN", "触发类型：手动触发<br>调度节点：10.0.0.9<br>执行器注册方式：自动注册" +
			"<br>执行器地址列表：[ADDR]<br>路由策略：第一个<br>阻塞处理策略：单机串行" +
			"<br>超时时间（秒）：0<br>失败重试次数：1" +
			`<br><br><span style="color:#00c0ef;" > >>>>>>>>>>>触发调度<<<<<<<<<<< </span><br>` +
			"<br>执行器地址：ADDR<br>JobHandler：demo<br>任务参数：p<br>调度结果：成功"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			e := newSQLiteEnv(t, tt.lang)
			_, addrs := executors(t, 1, executortest.Java)
			job := e.job(e.group(domain.AddressAuto, addrs...), func(j *domain.JobInfo) { j.ExecutorFailRetryCount = 1 })
			log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
			if want := strings.ReplaceAll(tt.want, "ADDR", addrs[0]); log.TriggerMsg != want {
				t.Errorf("trigger msg\n%s\nwant\n%s", log.TriggerMsg, want)
			}
		})
	}
}

func TestTriggerFailures(t *testing.T) {
	tests := []struct {
		name    string
		flavor  executortest.Flavor
		token   string
		handler string
		want    []string
	}{
		{"JavaUnknownHandler", executortest.Java, testToken, "nope", []string{"Trigger result：error: Trigger：<br>address：",
			"<br>code：500<br>msg：job handler [nope] not found."}},
		{"JavaWrongToken", executortest.Java, "other", "demo", []string{"msg：The access token is wrong."}},
		{"GoUnknownHandler", executortest.Go, "", "nope", []string{`msg：[{"logId":`, `"handleMsg":"Task not registered"}]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSQLiteEnv(t, "en")
			ex := executortest.Start(t, tt.flavor, tt.token, "demo")
			job := e.job(e.group(domain.AddressAuto, ex.Address()), func(j *domain.JobInfo) { j.ExecutorHandler = tt.handler })
			log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
			if log.TriggerCode != 500 || log.ExecutorAddress != ex.Address() {
				t.Errorf("log code %d address %q", log.TriggerCode, log.ExecutorAddress)
			}
			for _, w := range tt.want {
				if !strings.Contains(log.TriggerMsg, w) {
					t.Errorf("trigger msg %s\nlacks %s", log.TriggerMsg, w)
				}
			}
		})
	}
	t.Run("NoAddress", func(t *testing.T) {
		e := newSQLiteEnv(t, "en")
		job := e.job(e.group(domain.AddressAuto), nil)
		log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
		want := "Executor addresses：null<br>Routing strategy：First"
		addr := "Executor address：no address could be chosen: Trigger failed: no executor address is registered<br>"
		if log.TriggerCode != 500 || !strings.Contains(log.TriggerMsg, want) || !strings.Contains(log.TriggerMsg, addr) ||
			!strings.HasSuffix(log.TriggerMsg, "Trigger result：error: no executor address was chosen") {
			t.Errorf("log %d %s", log.TriggerCode, log.TriggerMsg)
		}
	})
	t.Run("ExecutorDown", func(t *testing.T) {
		e := newSQLiteEnv(t, "en")
		ex := executortest.Start(t, executortest.Java, testToken, "demo")
		ex.Close()
		job := e.job(e.group(domain.AddressAuto, ex.Address()), nil)
		log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
		if log.TriggerCode != 500 || !strings.Contains(log.TriggerMsg, "could not be reached") {
			t.Errorf("log %d %s", log.TriggerCode, log.TriggerMsg)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		e := newSQLiteEnv(t, "en")
		err := e.trigger.Trigger(e.ctx, application.NewTriggerRequest(12345, domain.TriggerManual))
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("err = %v", err)
		}
	})
}

func TestTriggerSharding(t *testing.T) {
	e := newSQLiteEnv(t, "en")
	exs, addrs := executors(t, 3, executortest.Java)
	job := e.job(e.group(domain.AddressAuto, addrs...), func(j *domain.JobInfo) { j.RouteStrategy = domain.RouteShardingBroadcast })
	if err := e.trigger.Trigger(e.ctx, application.NewTriggerRequest(job.ID, domain.TriggerManual)); err != nil {
		t.Fatal(err)
	}
	logs := e.logsOf(job.ID)
	if len(logs) != 3 || e.logs.creates.Load() != 1 || e.logs.updates.Load() != 1 {
		t.Fatalf("%d logs in %d inserts and %d updates, want 3 in 1 and 1", len(logs), e.logs.creates.Load(), e.logs.updates.Load())
	}
	for i, log := range logs {
		shard := fmt.Sprintf("%d/3", i)
		runs := exs[i].Runs()
		if log.ExecutorAddress != addrs[i] || log.ExecutorShardingParam != shard || log.TriggerCode != 200 ||
			len(runs) != 1 || runs[0].BroadcastIndex != i || runs[0].BroadcastTotal != 3 || runs[0].LogID != log.ID {
			t.Errorf("shard %d: log %+v runs %+v", i, log, runs)
		}
		if !strings.Contains(log.TriggerMsg, "Routing strategy：Sharding broadcast("+shard+")") {
			t.Errorf("trigger msg %s", log.TriggerMsg)
		}
	}
	// A retry of one shard triggers only that shard.
	req := application.NewTriggerRequest(job.ID, domain.TriggerRetry)
	req.ShardingParam = "1/3"
	log := e.mustTrigger(req)
	if log.ExecutorAddress != addrs[1] || log.ExecutorShardingParam != "1/3" || len(exs[1].Runs()) != 2 {
		t.Errorf("retry log %+v", log)
	}
}

func TestTriggerFailoverBusyover(t *testing.T) {
	tests := []struct {
		route   domain.RouteStrategy
		disable func(*executortest.Executor, int64)
		probe   string
		why     string
	}{
		{domain.RouteFailover, func(ex *executortest.Executor, _ int64) { ex.Close() }, "Heartbeat check：", "could not be reached"},
		{domain.RouteBusyover, func(ex *executortest.Executor, job int64) { ex.SetBusy(job, true) }, "Idle check：",
			"msg：job thread is running or has trigger queue."},
	}
	for _, tt := range tests {
		t.Run(string(tt.route), func(t *testing.T) {
			e := newSQLiteEnv(t, "en")
			exs, addrs := executors(t, 2, executortest.Java)
			job := e.job(e.group(domain.AddressAuto, addrs...), func(j *domain.JobInfo) { j.RouteStrategy = tt.route })
			tt.disable(exs[0], job.ID)
			log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
			if log.TriggerCode != 200 || log.ExecutorAddress != addrs[1] || len(exs[1].Runs()) != 1 {
				t.Errorf("one down: log %d %q", log.TriggerCode, log.ExecutorAddress)
			}
			tt.disable(exs[1], job.ID)
			log = e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
			if log.TriggerCode != 500 || log.ExecutorAddress != "" || strings.Count(log.TriggerMsg, tt.probe) != 2 ||
				!strings.Contains(log.TriggerMsg, tt.why) || !strings.Contains(log.TriggerMsg, "no address could be chosen: ") {
				t.Errorf("all down: log %d %s", log.TriggerCode, log.TriggerMsg)
			}
		})
	}
}

// Concurrent triggers share their inserts and updates.
func TestTriggerBatchesConcurrentWrites(t *testing.T) {
	e := newSQLiteEnv(t, "en")
	e.logs.commitDelay = 20 * time.Millisecond
	exs, addrs := executors(t, 1, executortest.Java)
	job := e.job(e.group(domain.AddressAuto, addrs...), nil)
	const n = 200
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if err := e.trigger.Trigger(e.ctx, application.NewTriggerRequest(job.ID, domain.TriggerCron)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	logs := e.logsOf(job.ID)
	ids := map[int64]bool{}
	for _, l := range logs {
		ids[l.ID] = true
		if l.TriggerCode != 200 {
			t.Fatalf("log %+v", l)
		}
	}
	if len(logs) != n || len(ids) != n || len(exs[0].Runs()) != n {
		t.Fatalf("%d logs, %d runs", len(logs), len(exs[0].Runs()))
	}
	creates, updates := e.logs.creates.Load(), e.logs.updates.Load()
	t.Logf("%d triggers: %d inserts, %d updates", n, creates, updates)
	if creates >= n/2 || updates >= n/2 {
		t.Errorf("%d inserts and %d updates for %d concurrent triggers: not batched", creates, updates, n)
	}
}
