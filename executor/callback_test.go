package executor_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/executor"
)

// spooled returns the names of the callback batch files under logDir.
func spooled(t *testing.T, logDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(logDir, "callbacklog"))
	if err != nil {
		t.Fatalf("spool dir: %v", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func quick(ctx context.Context, job *executor.Job) error {
	job.SetResult("ok " + itoa(job.LogID))
	return nil
}

func TestCallbacks_KeptOnDiskWhileAdminDown(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	opts := testOptions(t, admin)
	_, c := startExecutor(t, opts, map[string]executor.Handler{"quick": quick})
	admin.setDown(true)

	for id := int64(1501); id <= 1503; id++ {
		c.run(t, trig(id, id, "quick"))
	}
	waitFor(t, 5*time.Second, "results spooled", func() bool {
		n := 0
		for _, name := range spooled(t, opts.LogDir) {
			b, _ := os.ReadFile(filepath.Join(opts.LogDir, "callbacklog", name))
			n += strings.Count(string(b), `"logId"`)
		}
		return n == 3
	})
	time.Sleep(3 * opts.CallbackRetryInterval) // a few failed retries
	if got := admin.results(); len(got) != 0 {
		t.Fatalf("delivered while down: %v", got)
	}

	admin.setDown(false)
	waitFor(t, 5*time.Second, "delivery", func() bool { return len(admin.results()) == 3 })
	time.Sleep(3 * opts.CallbackRetryInterval) // no repeats afterwards
	for id, list := range admin.results() {
		if len(list) != 1 || list[0].HandleCode != 200 || list[0].HandleMsg != "ok "+itoa(id) {
			t.Errorf("log %d: %+v", id, list)
		}
	}
	if left := spooled(t, opts.LogDir); len(left) != 0 {
		t.Errorf("spool not emptied: %v", left)
	}
}

func TestCallbacks_DeliveredAfterRestart(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	opts := testOptions(t, admin)
	admin.setDown(true)

	first, err := executor.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	g := newGate()
	first.Register("quick", quick)
	first.Register("gate", g.handler)
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := &client{base: strings.TrimRight(first.Address(), "/"), token: testToken}
	c.run(t, trig(1, 1601, "quick"))
	c.run(t, trig(2, 1602, "gate"))
	g.waitStarted(t, 1602)
	waitFor(t, 5*time.Second, "log 1601 finished", func() bool { return c.post(t, "/idleBeat", `{"jobId":1}`) == okReply })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = first.Stop(ctx) // registryRemove fails: admin is down
	if len(spooled(t, opts.LogDir)) == 0 {
		t.Fatal("nothing spooled at Stop")
	}

	admin.setDown(false)
	second, err := executor.New(opts) // same LogDir
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer second.Stop(context.Background())
	waitFor(t, 5*time.Second, "delivery after restart", func() bool { return len(admin.results()) == 2 })
	got := admin.results()
	if r := got[1601]; len(r) != 1 || r[0].HandleCode != 200 {
		t.Errorf("log 1601: %+v", r)
	}
	if r := got[1602]; len(r) != 1 || r[0].HandleCode != 500 || r[0].HandleMsg != "executor stopped, and kill the job. [job running, killed]" {
		t.Errorf("log 1602: %+v", r)
	}
}

func TestCallbacks_Batched(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	release := make(chan struct{})
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{
		"together": func(ctx context.Context, job *executor.Job) error { <-release; return nil },
	})
	for id := int64(1701); id <= 1705; id++ {
		c.run(t, trig(id, id, "together"))
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	waitFor(t, 5*time.Second, "five results", func() bool { return len(admin.results()) == 5 })
	bodies, _, _, bad := admin.snapshot()
	if len(bodies) >= 5 {
		t.Errorf("%d callback requests for 5 results, want batching", len(bodies))
	}
	if len(bad) != 0 {
		t.Errorf("bad request headers: %v", bad)
	}
	if !strings.HasPrefix(bodies[0], `[{"logId":17`) {
		t.Errorf("body %s", bodies[0])
	}
}
