package executor_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/xjob-dev/xjob/executor"
)

func TestCommandHandler(t *testing.T) {
	// Not parallel: it sets an environment variable that must not reach
	// the command.
	t.Setenv("XJOB_EXECUTOR_ACCESS_TOKEN", "must-not-leak")
	admin := newTestAdmin(t, testToken)
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{
		"args":  executor.CommandHandler("sh", "-c", `echo "args:$*" job:$XJOB_JOB_ID token:$XJOB_EXECUTOR_ACCESS_TOKEN`, "sh", "fixed"),
		"fails": executor.CommandHandler("sh", "-c", "exit 4"),
		"nope":  executor.CommandHandler("/nonexistent/program"),
	})
	tests := []struct {
		name     string
		handler  string
		param    string
		wantCode int
		wantMsg  string
		wantLog  string
	}{
		{"OKParamAppended", "args", "a b;rm -rf /", 200, "", "args:fixed a b;rm -rf / job:1 token:\n"},
		{"OKNoParam", "args", "", 200, "", "args:fixed job:1 token:\n"},
		{"ErrExit", "fails", "", 500, "command exit value(4) is failed", ""},
		{"ErrNoProgram", "nope", "", 500, "command failed: fork/exec /nonexistent/program: no such file or directory", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := trig(1, int64(1800+i), tt.handler)
			p.ExecutorParams = tt.param
			c.run(t, p)
			got := admin.waitResult(t, p.LogID)
			if got.HandleCode != tt.wantCode || got.HandleMsg != tt.wantMsg {
				t.Errorf("callback %+v", got)
			}
			if log := c.logOf(t, p, 1).LogContent; !strings.Contains(log, tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, log)
			}
		})
	}
}

func TestHTTPJobHandler(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var hits []string
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		hits = append(hits, r.Method+" "+r.URL.Path+" "+string(body))
		mu.Unlock()
		switch r.URL.Path {
		case "/api/redirect":
			http.Redirect(w, r, "/internal/secret", http.StatusFound)
		case "/api/broken":
			http.Error(w, "broken", http.StatusInternalServerError)
		default:
			_, _ = io.WriteString(w, "pong")
		}
	}))
	t.Cleanup(target.Close)
	admin := newTestAdmin(t, testToken)
	_, c := startExecutor(t, testOptions(t, admin), map[string]executor.Handler{
		executor.HTTPJobName: executor.HTTPJobHandler([]string{target.URL + "/api"}),
	})
	tests := []struct {
		name     string
		param    string
		wantCode int
		wantMsg  string
	}{
		{"OKGet", target.URL + "/api/ping", 200, ""},
		{"OKPostJSON", `{"url":"` + target.URL + `/api/post","body":"{\"a\":1}"}`, 200, ""},
		{"OKUpstreamData", `{"url":"` + target.URL + `/api/put","method":"put","data":"x"}`, 200, ""},
		{"ErrNotAllowed", target.URL + "/internal/secret", 500, "not allowed"},
		{"ErrPrefixBoundary", target.URL + "/apix", 500, "not allowed"},
		{"ErrRedirectOut", target.URL + "/api/redirect", 500, "redirect to"},
		{"ErrStatus", target.URL + "/api/broken", 500, "http status 500"},
		{"ErrScheme", "file:///etc/passwd", 500, "not an http(s) URL"},
		{"ErrEmpty", "", 500, "param must be a URL"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := trig(1, int64(1900+i), executor.HTTPJobName)
			p.ExecutorParams = tt.param
			c.run(t, p)
			got := admin.waitResult(t, p.LogID)
			if got.HandleCode != tt.wantCode || !strings.Contains(got.HandleMsg, tt.wantMsg) {
				t.Errorf("callback %+v, want %d %q", got, tt.wantCode, tt.wantMsg)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range hits {
		if strings.Contains(h, "/internal/") || strings.Contains(h, "/apix") {
			t.Errorf("forbidden request reached the target: %s", h)
		}
	}
	if !containsHit(hits, `POST /api/post {"a":1}`) || !containsHit(hits, "PUT /api/put x") {
		t.Errorf("hits %q", hits)
	}
}

func containsHit(hits []string, want string) bool {
	for _, h := range hits {
		if h == want {
			return true
		}
	}
	return false
}
