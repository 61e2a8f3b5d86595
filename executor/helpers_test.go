package executor_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/executor"
)

const testToken = "test-token-123"

// testOptions are Options with short intervals for tests.
func testOptions(t *testing.T, admin *testAdmin) executor.Options {
	return executor.Options{
		AdminAddresses:        []string{admin.URL()},
		AccessToken:           testToken,
		AppName:               "test-app",
		ListenAddr:            "127.0.0.1:0",
		LogDir:                t.TempDir(),
		BeatInterval:          200 * time.Millisecond,
		CallbackRetryInterval: 200 * time.Millisecond,
		IdleTimeout:           10 * time.Second,
		CancelGrace:           200 * time.Millisecond,
		Logger:                slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// startExecutor creates and starts an executor with handlers, stopped at
// the end of the test.
func startExecutor(t *testing.T, opts executor.Options, handlers map[string]executor.Handler) (*executor.Executor, *client) {
	t.Helper()
	ex, err := executor.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for name, h := range handlers {
		ex.Register(name, h)
	}
	if err := ex.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ex.Stop(ctx)
	})
	return ex, &client{base: strings.TrimRight(ex.Address(), "/"), token: opts.AccessToken}
}

// client calls an executor the way the admin does.
type client struct {
	base  string
	token string
}

// reply is what the executor answered.
type reply struct {
	status int
	ctype  string
	body   string
}

func (c *client) postToken(t *testing.T, path, token string, withToken bool, body string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header["Content-Type"] = []string{"application/json;charset=UTF-8"}
	if withToken {
		req.Header[domain.AccessTokenHeader] = []string{token}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: string(data)}
}

func (c *client) post(t *testing.T, path, body string) string {
	t.Helper()
	return c.postToken(t, path, c.token, true, body).body
}

func (c *client) run(t *testing.T, p domain.TriggerParam) string {
	t.Helper()
	return c.post(t, "/run", mustJSON(t, p))
}

func (c *client) logOf(t *testing.T, p domain.TriggerParam, from int) domain.LogResult {
	t.Helper()
	body := mustJSON(t, domain.LogParam{LogDateTim: p.LogDateTime, LogID: p.LogID, FromLineNum: from})
	var rt domain.ReturnT[domain.LogResult]
	if err := json.Unmarshal([]byte(c.post(t, "/log", body)), &rt); err != nil || rt.Data == nil {
		t.Fatalf("/log reply: %v %+v", err, rt)
	}
	return *rt.Data
}

const (
	okReply    = `{"code":200,"msg":"Success"}`
	tokenReply = `{"code":500,"msg":"The access token is wrong."}`
)

func failReply(msg string) string { return `{"code":500,"msg":"` + msg + `"}` }

// trig builds a BEAN trigger.
func trig(jobID, logID int64, handler string) domain.TriggerParam {
	return domain.TriggerParam{
		JobID: jobID, ExecutorHandler: handler, ExecutorParams: "p", ExecutorBlockStrategy: "SERIAL_EXECUTION",
		LogID: logID, LogDateTime: time.Now().UnixMilli(), GlueType: "BEAN", GlueUpdatetime: 1, BroadcastTotal: 1,
	}
}

func withStrategy(p domain.TriggerParam, s domain.BlockStrategy) domain.TriggerParam {
	p.ExecutorBlockStrategy = string(s)
	return p
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// gate is a handler that signals when a run starts and then blocks until
// released (per logId) or cancelled.
type gate struct {
	mu       sync.Mutex
	started  chan int64
	released map[int64]chan struct{}
}

func newGate() *gate {
	return &gate{started: make(chan int64, 100), released: map[int64]chan struct{}{}}
}

func (g *gate) ch(logID int64) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.released[logID]
	if !ok {
		c = make(chan struct{})
		g.released[logID] = c
	}
	return c
}

func (g *gate) release(logID int64) { close(g.ch(logID)) }

// handler honours cancellation.
func (g *gate) handler(ctx context.Context, job *executor.Job) error {
	job.Log("started %d", job.LogID)
	g.started <- job.LogID
	select {
	case <-g.ch(job.LogID):
		job.SetResult("done " + itoa(job.LogID))
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gate) waitStarted(t *testing.T, logID int64) {
	t.Helper()
	select {
	case got := <-g.started:
		if got != logID {
			t.Fatalf("started log %d, want %d", got, logID)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("log %d did not start", logID)
	}
}
