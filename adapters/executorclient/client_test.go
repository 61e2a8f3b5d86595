package executorclient

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// recording is one admin->executor exchange of ../shared/fixtures/wire.
type recording struct {
	Direction   string          `json:"direction"`
	Note        string          `json:"note"`
	Path        string          `json:"path"`
	Token       *string         `json:"token"`
	Body        *string         `json:"body"`
	Status      *int            `json:"status"`
	ContentType *string         `json:"response_content_type"`
	RawResponse json.RawMessage `json:"response"`
	Response    string          `json:"-"`
}

func loadRecordings(t *testing.T, file string) []recording {
	t.Helper()
	f, err := os.Open("../../../shared/fixtures/wire/" + file)
	if err != nil {
		t.Skipf("wire fixtures not available: %v", err)
	}
	defer f.Close()
	var out []recording
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r recording
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if r.Direction == "admin->executor" {
			if err := json.Unmarshal(r.RawResponse, &r.Response); err != nil {
				t.Fatalf("%s: response: %v", file, err)
			}
			out = append(out, r)
		}
	}
	return out
}

// seen is what the replaying executor received.
type seen struct {
	method, path, contentType, body string
	token                           []string
}

// replay serves the recorded reply of rec and reports the request it got.
func replay(t *testing.T, rec recording) (*httptest.Server, chan seen) {
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.Path, r.Header.Get("Content-Type"), string(b), r.Header.Values(domain.AccessTokenHeader)}
		if rec.Status == nil { // the Go executor's unknown path
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", *rec.ContentType)
		w.WriteHeader(*rec.Status)
		io.WriteString(w, rec.Response)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// expected derives the result the client must report from the recorded reply.
func expected(rec recording) ports.ExecutorResult {
	var env struct {
		Code *int   `json:"code"`
		Msg  string `json:"msg"`
	}
	if rec.Status == nil {
		return ports.ExecutorResult{Code: 500}
	}
	if !strings.HasPrefix(rec.Response, "{") || json.Unmarshal([]byte(rec.Response), &env) != nil || env.Code == nil {
		return ports.ExecutorResult{Code: 500, Msg: rec.Response}
	}
	return ports.ExecutorResult{Code: *env.Code, Msg: env.Msg}
}

func TestReplayRecordedExecutors(t *testing.T) {
	for _, file := range []string{"java-2.4.2.jsonl", "java-3.4.2.jsonl", "go-1.2.0.jsonl"} {
		for _, rec := range loadRecordings(t, file) {
			t.Run(file+"/"+rec.Note, func(t *testing.T) { checkReplay(t, rec) })
		}
	}
}

func checkReplay(t *testing.T, rec recording) {
	srv, got := replay(t, rec)
	token := ""
	if rec.Token != nil {
		token = *rec.Token
	}
	c := New(Options{AccessToken: token, Timeout: 5 * time.Second})
	defer c.Close()
	ctx := context.Background()
	var res ports.ExecutorResult
	var lr *domain.LogResult
	body := ""
	if rec.Body != nil {
		body = *rec.Body
	}
	switch rec.Path {
	case "/beat":
		res = c.Beat(ctx, srv.URL+"/")
	case "/idleBeat", "/kill":
		var p domain.JobIDParam
		mustDecode(t, body, &p)
		if rec.Path == "/kill" {
			res = c.Kill(ctx, srv.URL, p.JobID)
		} else {
			res = c.IdleBeat(ctx, srv.URL, p.JobID)
		}
	case "/run":
		var p domain.TriggerParam
		if json.Unmarshal([]byte(body), &p) != nil {
			t.Skip("malformed body is the executor's test, not the client's")
		}
		res = c.Run(ctx, srv.URL+"/", p)
	case "/log":
		var p domain.LogParam
		mustDecode(t, body, &p)
		lr, res = c.Log(ctx, srv.URL, p)
	default:
		t.Skipf("path %s has no client method", rec.Path)
	}
	req := <-got
	checkRequest(t, rec, token, body, req)
	want := expected(rec)
	if res.Code != want.Code || (rec.Status != nil && res.Msg != want.Msg) {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	if rec.Path == "/log" {
		checkLog(t, rec, lr)
	}
}

func checkRequest(t *testing.T, rec recording, token, body string, req seen) {
	t.Helper()
	if req.method != http.MethodPost || req.path != rec.Path {
		t.Errorf("request %s %s, want POST %s", req.method, req.path, rec.Path)
	}
	if req.contentType != "application/json;charset=UTF-8" {
		t.Errorf("content type %q", req.contentType)
	}
	if token == "" && len(req.token) != 0 || token != "" && (len(req.token) != 1 || req.token[0] != token) {
		t.Errorf("token header %q, want %q", req.token, token)
	}
	if rec.Path == "/beat" {
		if req.body != "" {
			t.Errorf("beat body %q, want none", req.body)
		}
		return
	}
	var a, b map[string]any
	mustDecode(t, body, &a)
	mustDecode(t, req.body, &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("body %s, want %s", req.body, body)
	}
}

func checkLog(t *testing.T, rec recording, lr *domain.LogResult) {
	t.Helper()
	var env struct {
		Data    *domain.LogResult `json:"data"`
		Content *domain.LogResult `json:"content"`
	}
	mustDecode(t, rec.Response, &env)
	want := env.Data
	if want == nil {
		want = env.Content
	}
	if lr == nil || *lr != *want {
		t.Errorf("log = %+v, want %+v", lr, want)
	}
}

func mustDecode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, body string
		want       ports.ExecutorResult
	}{
		{"Data", `{"code":200,"msg":"Success","data":"job thread already killed."}`, ports.ExecutorResult{Code: 200, Msg: "Success"}},
		{"NoMsg", `{"code":200}`, ports.ExecutorResult{Code: 200}},
		{"NullMsg", `{"code":500,"msg":null,"content":null}`, ports.ExecutorResult{Code: 500}},
		{"Array", `[{"logId":1,"handleCode":500,"handleMsg":"params err"}]`, ports.ExecutorResult{Code: 500, Msg: `[{"logId":1,"handleCode":500,"handleMsg":"params err"}]`}},
		{"NoCode", `{"msg":"x"}`, ports.ExecutorResult{Code: 500, Msg: `{"msg":"x"}`}},
		{"Empty", ``, ports.ExecutorResult{Code: 500, Msg: "(empty reply)"}},
		{"HTML", `<html>oops</html>`, ports.ExecutorResult{Code: 500, Msg: "<html>oops</html>"}},
		{"BrokenJSON", `{"code":200,`, ports.ExecutorResult{Code: 500, Msg: `{"code":200,`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decode([]byte(tt.body), nil); got != tt.want {
				t.Errorf("decode = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLogPayload(t *testing.T) {
	tests := []struct {
		name, body string
		want       *domain.LogResult
	}{
		{"Data", `{"code":200,"data":{"fromLineNum":1,"toLineNum":2,"logContent":"a","isEnd":true}}`, &domain.LogResult{FromLineNum: 1, ToLineNum: 2, LogContent: "a", IsEnd: true}},
		{"Content", `{"code":200,"msg":"","content":{"fromLineNum":3,"toLineNum":4,"logContent":"b","isEnd":false}}`, &domain.LogResult{FromLineNum: 3, ToLineNum: 4, LogContent: "b", IsEnd: false}},
		{"NullDataContent", `{"code":200,"data":null,"content":{"fromLineNum":5,"toLineNum":5,"logContent":"","isEnd":true}}`, &domain.LogResult{FromLineNum: 5, ToLineNum: 5, LogContent: "", IsEnd: true}},
		{"None", `{"code":200}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, tt.body) }))
			defer srv.Close()
			lr, res := New(Options{}).Log(context.Background(), srv.URL, domain.LogParam{LogID: 1})
			if !res.OK() || !reflect.DeepEqual(lr, tt.want) {
				t.Errorf("Log = %+v %+v, want %+v", lr, res, tt.want)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, `{"code":200}`)
	}))
	defer slow.Close()
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"code":200,"msg":"`+strings.Repeat("x", 2000)+`"}`)
	}))
	defer big.Close()

	tests := []struct {
		name, addr, want string
		opts             Options
	}{
		{"Timeout", slow.URL, "did not answer within 100ms", Options{Timeout: 100 * time.Millisecond}},
		{"NotFound", notFound.URL, "answered HTTP 404: 404 page not found", Options{}},
		{"Refused", closed.URL, "could not be reached", Options{}},
		{"TooLarge", big.URL, "larger than 1000 bytes", Options{MaxReplyBytes: 1000}},
		{"BadAddress", "::nope", "could not build the request", Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := New(tt.opts).Beat(context.Background(), tt.addr)
			if res.Code != 500 || !strings.Contains(res.Msg, tt.want) {
				t.Errorf("Beat = %+v, want 500 containing %q", res, tt.want)
			}
		})
	}
}

func TestCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res := New(Options{}).Beat(ctx, srv.URL); res.Code != 500 || !strings.Contains(res.Msg, "cancelled") {
		t.Errorf("Beat = %+v", res)
	}
}

func TestKeepAlive(t *testing.T) {
	conns := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"code":200}`) }))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns++
		}
	}
	srv.Start()
	defer srv.Close()
	c := New(Options{})
	for range 20 {
		if res := c.Beat(context.Background(), srv.URL); !res.OK() {
			t.Fatal(res)
		}
	}
	if conns != 1 {
		t.Errorf("%d connections for 20 sequential calls, want 1", conns)
	}
}
