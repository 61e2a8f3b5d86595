package executor_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/executor"
)

// wireRecord is one line of ../shared/fixtures/wire/*.jsonl.
type wireRecord struct {
	Direction   string            `json:"direction"`
	Note        string            `json:"note"`
	Path        string            `json:"path"`
	Token       *string           `json:"token"`
	Headers     map[string]string `json:"headers"`
	Body        *string           `json:"body"`
	Status      int               `json:"status"`
	ContentType string            `json:"response_content_type"`
	Response    json.RawMessage   `json:"response"`
}

// readWireFixture reads a recording from ../shared relative to the repo
// root, skipping the test when the shared tree is not there.
func readWireFixture(t *testing.T, name string) []wireRecord {
	t.Helper()
	dir, _ := os.Getwd()
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
	}
	f, err := os.Open(filepath.Join(dir, "..", "shared", "fixtures", "wire", name))
	if err != nil {
		t.Skipf("wire fixture not available: %v", err)
	}
	defer f.Close()
	var recs []wireRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r wireRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("fixture line: %v", err)
		}
		recs = append(recs, r)
	}
	return recs
}

// demoJobHandler stands in for the Java sample's handler: jobs 3 and 4 run
// until cancelled, the others return at once.
func demoJobHandler(ctx context.Context, job *executor.Job) error {
	job.Log("XXL-JOB, Hello World.")
	if job.JobID == 3 || job.JobID == 4 {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// TestJavaFixture replays the admin's requests of the Java 3.4.2 recording
// and compares the replies, the callbacks and the registry call with what
// the Java executor sent, byte for byte where they are deterministic.
func TestJavaFixture(t *testing.T) {
	t.Parallel()
	recs := readWireFixture(t, "java-3.4.2.jsonl")
	admin := newTestAdmin(t, testToken)
	opts := testOptions(t, admin)
	opts.AppName = "xxl-job-executor-sample"
	opts.Address = "http://127.0.0.1:19996/"
	opts.EnableGlue = []domain.GlueType{domain.GlueShell}
	ex, _ := startExecutor(t, opts, map[string]executor.Handler{"demoJobHandler": demoJobHandler})
	c := &client{base: listenBase(t, ex), token: testToken}

	for _, r := range recs {
		if r.Direction == "admin->executor" {
			replayRequest(t, c, r)
		}
	}
	compareAdminCalls(t, admin, recs)
}

// listenBase is the executor's real URL (its advertised Address is the
// recorded one, which it does not listen on).
func listenBase(t *testing.T, ex *executor.Executor) string {
	t.Helper()
	return "http://" + ex.ListenAddr()
}

func replayRequest(t *testing.T, c *client, r wireRecord) {
	t.Helper()
	var want string
	if err := json.Unmarshal(r.Response, &want); err != nil {
		t.Fatalf("%s: response: %v", r.Note, err)
	}
	token, send := "", r.Token != nil
	if send {
		token = *r.Token
		if token == "default_token" {
			token = testToken // same meaning: the right token
		}
	}
	body := ""
	if r.Body != nil {
		body = *r.Body
	}
	got := c.postToken(t, r.Path, token, send, body)
	if strings.HasPrefix(r.Note, "log of") {
		// The Java admin asked seconds later; wait until the run has logged.
		waitFor(t, 5*time.Second, r.Note, func() bool {
			got = c.postToken(t, r.Path, token, send, body)
			return !strings.Contains(got.body, `"toLineNum":0,`)
		})
	}
	if got.status != r.Status || got.ctype != r.ContentType {
		t.Errorf("%s: status %d %q, want %d %q", r.Note, got.status, got.ctype, r.Status, r.ContentType)
	}
	switch {
	case strings.HasPrefix(r.Note, "log of"):
		compareLogReply(t, r.Note, got.body, want)
	case strings.Contains(r.Note, "malformed"):
		// Java answers with a Gson stack trace; only the envelope matches.
		if !strings.HasPrefix(got.body, `{"code":500,"msg":"request error:`) {
			t.Errorf("%s: got %s", r.Note, got.body)
		}
	default:
		if got.body != want {
			t.Errorf("%s:\n got %s\nwant %s", r.Note, got.body, want)
		}
	}
}

// compareLogReply compares a /log reply's envelope and fromLineNum; the
// log text is the executor's own.
func compareLogReply(t *testing.T, note, got, want string) {
	t.Helper()
	var g, w domain.ReturnT[domain.LogResult]
	if err := json.Unmarshal([]byte(got), &g); err != nil || g.Data == nil {
		t.Fatalf("%s: %v %s", note, err, got)
	}
	_ = json.Unmarshal([]byte(want), &w)
	if g.Code != w.Code || g.Msg != w.Msg || g.Data.FromLineNum != w.Data.FromLineNum || g.Data.ToLineNum < 1 {
		t.Errorf("%s: got %s", note, got)
	}
}

// compareAdminCalls checks the registry body and every callback item
// against the recorded executor->admin requests.
func compareAdminCalls(t *testing.T, admin *testAdmin, recs []wireRecord) {
	t.Helper()
	want := map[int64]string{}
	var registry string
	for _, r := range recs {
		if r.Direction != "executor->admin" {
			continue
		}
		switch {
		case r.Path == "/api/registry":
			registry = *r.Body
		case r.Path == "/api/callback":
			for id, item := range callbackItems(t, *r.Body) {
				want[id] = item
			}
		}
	}
	waitFor(t, 15*time.Second, "all recorded callbacks", func() bool { return len(admin.results()) >= len(want) })
	bodies, reg, _, bad := admin.snapshot()
	got := map[int64]string{}
	for _, b := range bodies {
		for id, item := range callbackItems(t, b) {
			got[id] = item
		}
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("callback of log %d:\n got %s\nwant %s", id, got[id], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("callbacks for %d logs, recording has %d", len(got), len(want))
	}
	if len(reg) == 0 || reg[0] != registry {
		t.Errorf("registry body %v, want %s", reg, registry)
	}
	if len(bad) != 0 {
		t.Errorf("request headers: %v", bad)
	}
}

// callbackItems splits a callback body into its raw items by logId.
func callbackItems(t *testing.T, body string) map[int64]string {
	t.Helper()
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatalf("callback body %s: %v", body, err)
	}
	out := map[int64]string{}
	for _, item := range raw {
		var p domain.CallbackParam
		_ = json.Unmarshal(item, &p)
		out[p.LogID] = string(item)
	}
	return out
}
