package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

func TestSplitCommandLine(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"/usr/bin/backup --full", []string{"/usr/bin/backup", "--full"}, false},
		{`  sh   -c 'echo "$1"; exit 0'  x `, []string{"sh", "-c", `echo "$1"; exit 0`, "x"}, false},
		{`echo "a b" c\ d "q\"uote" "back\slash"`, []string{"echo", "a b", "c d", `q"uote`, `back\slash`}, false},
		{`echo '' ""`, []string{"echo", "", ""}, false},
		{"", nil, false},
		{`echo "open`, nil, true},
		{`echo trailing\`, nil, true},
	}
	for _, tt := range tests {
		got, err := splitCommandLine(tt.in)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("splitCommandLine(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseExecutorArgs(t *testing.T) {
	env := map[string]string{
		"XJOB_EXECUTOR_ADMIN_ADDRESSES": "http://a:8080, http://b:8080",
		"XJOB_EXECUTOR_ACCESS_TOKEN":    "from-env",
		"XJOB_EXECUTOR_APP_NAME":        "env-app",
		"XJOB_EXECUTOR_COMMAND":         "one=echo 1\ntwo=echo 2, 3",
		"XJOB_EXECUTOR_HTTP_ALLOW":      "https://x/,https://y/",
		"XJOB_EXECUTOR_GLUE":            "shell,GLUE_PYTHON",
		"XJOB_EXECUTOR_BEAT_INTERVAL":   "5s",
	}
	c, err := parseExecutorArgs([]string{"--app-name", "flag-app", "--command", "three=true", "--port", "9998"},
		func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o := c.opts
	if !slices.Equal(o.AdminAddresses, []string{"http://a:8080", "http://b:8080"}) || o.AccessToken != "from-env" ||
		o.AppName != "flag-app" || o.Port != 9998 || o.BeatInterval != 5*time.Second {
		t.Errorf("options %+v", o)
	}
	if !slices.Equal(c.commands, executorListFlag{"three=true"}) { // flag wins over env
		t.Errorf("commands %q", c.commands)
	}
	if !slices.Equal(c.httpAllow, executorListFlag{"https://x/", "https://y/"}) {
		t.Errorf("http-allow %q", c.httpAllow)
	}
	if !slices.Equal(o.EnableGlue, []domain.GlueType{domain.GlueShell, domain.GluePython}) {
		t.Errorf("glue %v", o.EnableGlue)
	}
	c2, err := parseExecutorArgs(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil || !slices.Equal(c2.commands, executorListFlag{"one=echo 1", "two=echo 2, 3"}) {
		t.Errorf("commands from env %q, %v", c2.commands, err)
	}
}

func TestParseExecutorArgs_Errors(t *testing.T) {
	noEnv := func(string) string { return "" }
	tests := map[string][]string{
		"ErrGlue":     {"--glue", "GLUE_GROOVY"},
		"ErrLogLevel": {"--log-level", "loud"},
		"ErrArgument": {"extra"},
		"ErrFlag":     {"--no-such-flag"},
	}
	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := parseExecutorArgs(args, noEnv, io.Discard); err == nil {
				t.Error("no error")
			}
		})
	}
	base := []string{"--admin-addresses", "http://127.0.0.1:1", "--app-name", "a", "--log-dir", t.TempDir()}
	cfgErrors := map[string][]string{
		"ErrCommandSpec":  {"--command", "noequals"},
		"ErrCommandQuote": {"--command", `x=echo "open`},
		"ErrCommandTwice": {"--command", "x=true", "--command", "x=false"},
		"ErrHTTPClash":    {"--command", "httpJobHandler=true", "--http-allow", "https://x/"},
		"ErrGlueNoToken":  {"--glue", "shell"},
	}
	for name, extra := range cfgErrors {
		t.Run(name, func(t *testing.T) {
			c, err := parseExecutorArgs(append(slices.Clone(base), extra...), noEnv, io.Discard)
			if err == nil {
				_, err = newCLIExecutor(c)
			}
			if err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestRunExecutor_Help(t *testing.T) {
	var out bytes.Buffer
	if code := runExecutor(context.Background(), []string{"--help"}, &out, &out); code != 0 {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(out.String(), "XJOB_EXECUTOR_HTTP_ALLOW") {
		t.Errorf("usage lacks env names:\n%s", out.String())
	}
	if code := runExecutor(context.Background(), nil, io.Discard, io.Discard); code != 2 {
		t.Errorf("no settings: exit %d, want 2", code)
	}
}

// cliAdmin is a minimal upstream-like admin for the end-to-end test.
type cliAdmin struct {
	mu        sync.Mutex
	registry  []domain.RegistryParam
	removes   int
	callbacks []domain.CallbackParam
}

func (a *cliAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.Header.Get(domain.AccessTokenHeader) != "cli-token" {
		_, _ = io.WriteString(w, `{"code":500,"msg":"The access token is wrong."}`)
		return
	}
	switch r.URL.Path {
	case "/api/registry":
		var p domain.RegistryParam
		_ = json.Unmarshal(body, &p)
		a.registry = append(a.registry, p)
	case "/api/registryRemove":
		a.removes++
	case "/api/callback":
		var items []domain.CallbackParam
		_ = json.Unmarshal(body, &items)
		a.callbacks = append(a.callbacks, items...)
	}
	_, _ = io.WriteString(w, `{"code":200,"msg":"Success"}`)
}

func (a *cliAdmin) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		a.mu.Lock()
		ok := cond()
		a.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestRunExecutor_EndToEnd(t *testing.T) {
	admin := &cliAdmin{}
	srv := httptest.NewServer(admin)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	args := []string{
		"--admin-addresses", srv.URL, "--access-token", "cli-token", "--app-name", "cli-app",
		"--listen", "127.0.0.1:0", "--log-dir", t.TempDir(), "--beat-interval", "100ms",
		"--command", `greet=sh -c 'echo "hello $1"' sh`,
	}
	done := make(chan int)
	go func() { done <- runExecutor(ctx, args, io.Discard, io.Discard) }()

	var address string
	admin.wait(t, "registry", func() bool {
		if len(admin.registry) > 0 {
			address = admin.registry[0].RegistryValue
		}
		return address != ""
	})
	p := domain.TriggerParam{JobID: 1, ExecutorHandler: "greet", ExecutorParams: "world", LogID: 7,
		LogDateTime: time.Now().UnixMilli(), GlueType: "BEAN", BroadcastTotal: 1}
	body, _ := json.Marshal(p)
	req, _ := http.NewRequest(http.MethodPost, strings.TrimRight(address, "/")+"/run", bytes.NewReader(body))
	req.Header.Set(domain.AccessTokenHeader, "cli-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(reply) != `{"code":200,"msg":"Success"}` {
		t.Fatalf("/run: %s", reply)
	}
	admin.wait(t, "callback", func() bool { return len(admin.callbacks) == 1 })
	if got := admin.callbacks[0]; got.LogID != 7 || got.HandleCode != 200 {
		t.Errorf("callback %+v", got)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("runExecutor did not return after cancel")
	}
	if admin.removes != 1 {
		t.Errorf("registryRemove calls: %d", admin.removes)
	}
}
