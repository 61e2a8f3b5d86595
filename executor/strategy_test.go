package executor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/executor"
)

func TestRun_Results(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{
		"ok": func(ctx context.Context, job *executor.Job) error {
			job.SetResult("param " + job.Param + " shard " + itoa(int64(job.ShardIndex)) + "/" + itoa(int64(job.ShardTotal)))
			return nil
		},
		"silent": func(ctx context.Context, job *executor.Job) error { return nil },
		"fails":  func(ctx context.Context, job *executor.Job) error { return errors.New("disk full") },
		"panics": func(ctx context.Context, job *executor.Job) error { panic("boom") },
	})
	sharded := trig(1, 11, "ok")
	sharded.BroadcastIndex, sharded.BroadcastTotal = 1, 3
	tests := []struct {
		name     string
		p        domain.TriggerParam
		wantCode int
		wantMsg  string
	}{
		{"OK", sharded, 200, "param p shard 1/3"},
		{"OKNoMessage", trig(2, 12, "silent"), 200, ""},
		{"ErrHandler", trig(3, 13, "fails"), 500, "disk full"},
		{"ErrPanic", trig(4, 14, "panics"), 500, "panic: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.run(t, tt.p); got != okReply {
				t.Fatalf("/run: %s", got)
			}
			got := admin.waitResult(t, tt.p.LogID)
			if got.HandleCode != tt.wantCode || got.HandleMsg != tt.wantMsg || got.LogDateTim != tt.p.LogDateTime {
				t.Errorf("callback %+v, want %d %q", got, tt.wantCode, tt.wantMsg)
			}
		})
	}
	if got := c.run(t, trig(5, 15, "noSuchHandler")); got != failReply("job handler [noSuchHandler] not found.") {
		t.Errorf("unknown handler: %s", got)
	}
}

func TestBlock_SerialExecution(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	g := newGate()
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{"gate": g.handler})

	c.run(t, trig(1, 101, "gate"))
	g.waitStarted(t, 101)
	if got := c.run(t, trig(1, 102, "gate")); got != okReply {
		t.Fatalf("queued run: %s", got)
	}
	if got := c.post(t, "/idleBeat", `{"jobId":1}`); got != failReply("job thread is running or has trigger queue.") {
		t.Errorf("idleBeat busy: %s", got)
	}
	if got := c.post(t, "/idleBeat", `{"jobId":2}`); got != okReply {
		t.Errorf("idleBeat other job: %s", got)
	}
	select {
	case id := <-g.started:
		t.Fatalf("log %d started while 101 runs", id)
	case <-time.After(100 * time.Millisecond):
	}
	g.release(101)
	g.waitStarted(t, 102)
	g.release(102)
	for _, id := range []int64{101, 102} {
		if got := admin.waitResult(t, id); got.HandleCode != 200 || got.HandleMsg != "done "+itoa(id) {
			t.Errorf("log %d: %+v", id, got)
		}
	}
}

func TestBlock_DiscardLater(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	g := newGate()
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{"gate": g.handler})

	c.run(t, trig(1, 201, "gate"))
	g.waitStarted(t, 201)
	if got := c.run(t, withStrategy(trig(1, 202, "gate"), domain.BlockDiscardLater)); got != failReply("block strategy effect：Discard Later") {
		t.Errorf("discard while running: %s", got)
	}
	g.release(201)
	admin.waitResult(t, 201)
	waitFor(t, 5*time.Second, "idle job", func() bool { return c.post(t, "/idleBeat", `{"jobId":1}`) == okReply })
	if got := c.run(t, withStrategy(trig(1, 203, "gate"), domain.BlockDiscardLater)); got != okReply {
		t.Errorf("discard when idle: %s", got)
	}
	g.waitStarted(t, 203)
	g.release(203)
	admin.waitResult(t, 203)
	if _, ok := admin.results()[202]; ok {
		t.Error("discarded trigger 202 was reported")
	}
}

func TestBlock_CoverEarly(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	g := newGate()
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{"gate": g.handler})

	c.run(t, trig(1, 301, "gate"))
	g.waitStarted(t, 301)
	c.run(t, trig(1, 302, "gate")) // queued behind 301
	if got := c.run(t, withStrategy(trig(1, 303, "gate"), domain.BlockCoverEarly)); got != okReply {
		t.Fatalf("cover early: %s", got)
	}
	g.waitStarted(t, 303)
	want := map[int64]string{
		301: "block strategy effect：Cover Early [job running, killed]",
		302: "block strategy effect：Cover Early [job not executed, in the job queue, killed.]",
	}
	for id, msg := range want {
		if got := admin.waitResult(t, id); got.HandleCode != 500 || got.HandleMsg != msg {
			t.Errorf("log %d: %+v, want 500 %q", id, got, msg)
		}
	}
	g.release(303)
	if got := admin.waitResult(t, 303); got.HandleCode != 200 {
		t.Errorf("log 303: %+v", got)
	}
}

func TestRun_DuplicateLogID(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	g := newGate()
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{"gate": g.handler})

	c.run(t, trig(1, 401, "gate"))
	g.waitStarted(t, 401)
	c.run(t, trig(1, 402, "gate"))
	tests := []struct {
		name string
		p    domain.TriggerParam
	}{
		{"ErrRunning", trig(1, 401, "gate")},
		{"ErrQueued", trig(1, 402, "gate")},
		{"ErrRunningCoverEarly", withStrategy(trig(1, 401, "gate"), domain.BlockCoverEarly)},
		{"ErrOtherJob", trig(2, 402, "gate")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := failReply("repeat trigger job, logId:" + itoa(tt.p.LogID))
			if got := c.run(t, tt.p); got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
	g.release(401)
	g.release(402)
	admin.waitResult(t, 402)
	if n := len(admin.results()[401]); n != 1 {
		t.Errorf("log 401 reported %d times", n)
	}
}

func TestRun_Timeout(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	g := newGate()
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{"gate": g.handler})

	p := trig(1, 501, "gate")
	p.ExecutorTimeout = 1
	start := time.Now()
	c.run(t, p)
	got := admin.waitResult(t, 501)
	if got.HandleCode != 502 || got.HandleMsg != "job execute timeout " {
		t.Errorf("callback %+v", got)
	}
	if d := time.Since(start); d < time.Second || d > 4*time.Second {
		t.Errorf("reported after %v", d)
	}
}

func TestKill(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	g := newGate()
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{"gate": g.handler})

	c.run(t, trig(3, 601, "gate"))
	g.waitStarted(t, 601)
	c.run(t, trig(3, 602, "gate"))
	if got := c.post(t, "/kill", `{"jobId":3}`); got != okReply {
		t.Fatalf("kill: %s", got)
	}
	want := map[int64]string{
		601: "scheduling center kill job. [job running, killed]",
		602: "scheduling center kill job. [job not executed, in the job queue, killed.]",
	}
	for id, msg := range want {
		if got := admin.waitResult(t, id); got.HandleCode != 500 || got.HandleMsg != msg {
			t.Errorf("log %d: %+v, want 500 %q", id, got, msg)
		}
	}
	if got := c.post(t, "/kill", `{"jobId":3}`); got != `{"code":200,"msg":"Success","data":"job thread already killed."}` {
		t.Errorf("second kill: %s", got)
	}
	if got := c.post(t, "/kill", `{"jobId":99}`); got != `{"code":200,"msg":"Success","data":"job thread already killed."}` {
		t.Errorf("kill never-run job: %s", got)
	}
	// A killed job runs again on a new worker.
	c.run(t, trig(3, 603, "gate"))
	g.waitStarted(t, 603)
	g.release(603)
	if got := admin.waitResult(t, 603); got.HandleCode != 200 {
		t.Errorf("log 603: %+v", got)
	}
}

func TestRun_HandlerIgnoringCancel(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	stuck := make(chan struct{})
	returned := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{
		"stubborn": func(ctx context.Context, job *executor.Job) error {
			if job.LogID == 701 {
				<-stuck // ignores ctx
				job.Log("late line")
				close(returned)
				return nil
			}
			return nil
		},
	})
	p := trig(1, 701, "stubborn")
	p.ExecutorTimeout = 1
	c.run(t, p)
	c.run(t, trig(1, 702, "stubborn")) // queued: must still run
	if got := admin.waitResult(t, 701); got.HandleCode != 502 {
		t.Errorf("log 701: %+v", got)
	}
	if got := admin.waitResult(t, 702); got.HandleCode != 200 {
		t.Errorf("log 702: %+v", got)
	}
	// The abandoned handler finishing later changes nothing.
	stuck <- struct{}{}
	<-returned
	time.Sleep(300 * time.Millisecond)
	if n := len(admin.results()[701]); n != 1 {
		t.Errorf("log 701 reported %d times", n)
	}
	if res := c.logOf(t, p, 1); !res.IsEnd || strings.Contains(res.LogContent, "late line") {
		t.Errorf("log of 701 after abandon: %+v", res)
	}
}

func TestRun_HandlerChangeReplacesWorker(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	g := newGate()
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{
		"gate":  g.handler,
		"other": func(ctx context.Context, job *executor.Job) error { return nil },
	})
	c.run(t, trig(1, 801, "gate"))
	g.waitStarted(t, 801)
	if got := c.run(t, withStrategy(trig(1, 802, "other"), domain.BlockDiscardLater)); got != okReply {
		t.Fatalf("run other handler: %s", got)
	}
	want := "change job handler or glue type, and terminate the old job thread. [job running, killed]"
	if got := admin.waitResult(t, 801); got.HandleCode != 500 || got.HandleMsg != want {
		t.Errorf("log 801: %+v", got)
	}
	if got := admin.waitResult(t, 802); got.HandleCode != 200 {
		t.Errorf("log 802: %+v", got)
	}
}

func TestRun_IdleWorkerRetired(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	opts := testOptions(t, admin)
	opts.IdleTimeout = 200 * time.Millisecond
	_, c := startExecutor(t, opts, map[string]executor.Handler{
		"quick": func(ctx context.Context, job *executor.Job) error { return nil },
	})
	c.run(t, trig(1, 901, "quick"))
	admin.waitResult(t, 901)
	killed := `{"code":200,"msg":"Success","data":"job thread already killed."}`
	waitFor(t, 5*time.Second, "worker retirement", func() bool { return c.post(t, "/kill", `{"jobId":1}`) == killed })
	c.run(t, trig(1, 902, "quick"))
	if got := admin.waitResult(t, 902); got.HandleCode != 200 {
		t.Errorf("log 902: %+v", got)
	}
}

func TestStop_KillsRunningJobs(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	g := newGate()
	ex, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{"gate": g.handler})
	c.run(t, trig(1, 1001, "gate"))
	g.waitStarted(t, 1001)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ex.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	got := admin.results()[1001]
	if len(got) != 1 || got[0].HandleCode != 500 || got[0].HandleMsg != "executor stopped, and kill the job. [job running, killed]" {
		t.Errorf("result after Stop: %+v", got)
	}
	if _, _, removes, _ := admin.snapshot(); len(removes) != 1 {
		t.Errorf("registryRemove calls: %d", len(removes))
	}
}
