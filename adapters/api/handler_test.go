package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/xjob-dev/xjob/domain"
)

// recorder stands in for the use cases; err is returned by every call.
type recorder struct {
	mu        sync.Mutex
	err       error
	registers []domain.RegistryParam
	removes   []domain.RegistryParam
	callbacks [][]domain.CallbackParam
}

func (r *recorder) Register(_ context.Context, p domain.RegistryParam) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p.RegistryGroup == "" || p.RegistryKey == "" || p.RegistryValue == "" {
		return domain.Errorf(domain.EINVALID, "Illegal Argument.")
	}
	r.registers = append(r.registers, p)
	return r.err
}

func (r *recorder) Remove(_ context.Context, p domain.RegistryParam) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.removes = append(r.removes, p)
	return r.err
}

func (r *recorder) Handle(_ context.Context, ps []domain.CallbackParam) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.callbacks = append(r.callbacks, ps)
	return r.err
}

// serve runs one request and returns the decoded reply.
func serve(t testing.TB, h http.Handler, method, path, token, body string) reply {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		r.Header.Set(domain.AccessTokenHeader, token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d", method, path, w.Code)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("content type %q", ct)
	}
	var out reply
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("reply %q: %v", w.Body.String(), err)
	}
	return out
}

const regBody = `{"registryGroup":"EXECUTOR","registryKey":"app","registryValue":"http://127.0.0.1:9999/"}`

func TestReplies(t *testing.T) {
	tests := []struct {
		name, method, path, token, body string
		want                            reply
	}{
		{"OK", "POST", "/api/registry", "tk", regBody, reply{200, "Success"}},
		{"ErrMethod", "GET", "/api/registry", "tk", regBody, reply{500, msgMethod}},
		{"ErrMethodBeforeURI", "PUT", "/api/", "tk", "", reply{500, msgMethod}},
		{"ErrURIEmpty", "POST", "/api/", "tk", regBody, reply{500, msgURIEmpty}},
		{"ErrURIEmptyNoSlash", "POST", "/api", "tk", regBody, reply{500, msgURIEmpty}},
		{"ErrBodyEmpty", "POST", "/api/registry", "tk", "  ", reply{500, msgBodyEmpty}},
		{"ErrBodyBeforeToken", "POST", "/api/registry", "bad", "", reply{500, msgBodyEmpty}},
		{"ErrToken", "POST", "/api/registry", "bad", regBody, reply{500, "The access token is wrong."}},
		{"ErrNoToken", "POST", "/api/registry", "", regBody, reply{500, "The access token is wrong."}},
		{"ErrTokenBeforeURI", "POST", "/api/nope", "bad", regBody, reply{500, "The access token is wrong."}},
		{"ErrUnknownURI", "POST", "/api/nope", "tk", regBody, reply{500, "invalid request, uri-mapping(nope) not found."}},
		{"ErrMalformed", "POST", "/api/registry", "tk", `{"registryKey":1}`, reply{500, "openapi invoke error: json: cannot unmarshal number into Go struct field RegistryParam.registryKey of type string"}},
		{"ErrIllegalArgument", "POST", "/api/registry", "tk", `{"registryGroup":"EXECUTOR","registryKey":"","registryValue":"x"}`, reply{500, "Illegal Argument."}},
		{"CallbackOK", "POST", "/api/callback", "tk", `[{"logId":1,"logDateTim":2,"handleCode":200}]`, reply{200, "Success"}},
		{"ErrCallbackNotArray", "POST", "/api/callback", "tk", `{"logId":1}`, reply{500, "openapi invoke error: json: cannot unmarshal object into Go value of type []domain.CallbackParam"}},
		{"RemoveOK", "POST", "/api/registryRemove", "tk", regBody, reply{200, "Success"}},
		{"OutsideAPI", "POST", "/other", "tk", regBody, reply{500, "invalid request, uri-mapping(/other) not found."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHandler("tk", &recorder{}, &recorder{}, &recorder{}, nil)
			if got := serve(t, h, tt.method, tt.path, tt.token, tt.body); got != tt.want {
				t.Errorf("reply %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNoTokenConfigured(t *testing.T) {
	h := NewHandler("", &recorder{}, &recorder{}, &recorder{}, nil)
	for _, token := range []string{"", "anything"} {
		if got := serve(t, h, "POST", "/api/registry", token, regBody); got.Code != 200 {
			t.Errorf("token %q: %+v", token, got)
		}
	}
}

func TestStoreFailureAsksForRetry(t *testing.T) {
	rec := &recorder{err: errors.New("database is locked")}
	h := NewHandler("", rec, rec, rec, nil)
	got := serve(t, h, "POST", "/api/callback", "", `[{"logId":1,"handleCode":200}]`)
	if got.Code != 500 || strings.Contains(got.Msg, "locked") {
		t.Errorf("reply %+v: want 500 without internal details", got)
	}
	rec.err = domain.Errorf(domain.EUNAVAILABLE, "Store unavailable.")
	if got := serve(t, h, "POST", "/api/registry", "", regBody); got != (reply{500, "Store unavailable."}) {
		t.Errorf("reply %+v", got)
	}
}

func TestBodyTooLarge(t *testing.T) {
	rec := &recorder{}
	h := NewHandler("", rec, rec, rec, nil)
	body := "[" + strings.Repeat(`{"logId":1,"handleCode":200},`, MaxBodyBytes/28) + `{"logId":1}]`
	got := serve(t, h, "POST", "/api/callback", "", body)
	if got.Code != 500 || !strings.Contains(got.Msg, "larger than") {
		t.Errorf("reply %+v", got)
	}
	if len(rec.callbacks) != 0 {
		t.Error("oversized callback was handled")
	}
}

// 3000 results, as a Java executor batches them, fit comfortably.
func TestLargeCallbackBatch(t *testing.T) {
	rec := &recorder{}
	h := NewHandler("", rec, rec, rec, nil)
	items := make([]string, 3000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"logId":%d,"logDateTim":1795303396423,"handleCode":500,"handleMsg":"%s"}`, i+1, strings.Repeat("x", 500))
	}
	if got := serve(t, h, "POST", "/api/callback", "", "["+strings.Join(items, ",")+"]"); got.Code != 200 {
		t.Fatalf("reply %+v", got)
	}
	if len(rec.callbacks) != 1 || len(rec.callbacks[0]) != 3000 {
		t.Errorf("handled %d batches", len(rec.callbacks))
	}
}

// Mounted under a context path, as the composition root does.
func TestMounted(t *testing.T) {
	rec := &recorder{}
	root := chi.NewRouter()
	api := NewHandler("", rec, rec, rec, nil)
	root.Mount("/xxl-job-admin", api)
	root.Mount("/", api)
	for _, p := range []string{"/xxl-job-admin/api/registry", "/api/registry"} {
		if got := serve(t, root, "POST", p, "", regBody); got.Code != 200 {
			t.Errorf("%s: %+v", p, got)
		}
	}
	if len(rec.registers) != 2 {
		t.Errorf("registered %d times", len(rec.registers))
	}
	if got := serve(t, http.StripPrefix("/ctx", api), "POST", "/ctx/api/registryRemove", "", regBody); got.Code != 200 {
		t.Errorf("StripPrefix: %+v", got)
	}
}

// Every request the recorded executors sent is accepted as sent.
func TestRecordedExecutorRequests(t *testing.T) {
	for _, file := range []string{"java-2.4.2.jsonl", "java-3.4.2.jsonl", "go-1.2.0.jsonl"} {
		f, err := os.Open("../../../shared/fixtures/wire/" + file)
		if err != nil {
			t.Skipf("wire fixtures not available: %v", err)
		}
		rec := &recorder{}
		root := chi.NewRouter()
		root.Mount("/xxl-job-admin", NewHandler("default_token", rec, rec, rec, nil))
		root.Mount("/", NewHandler("default_token", rec, rec, rec, nil))
		n := replayRequests(t, f, root)
		f.Close()
		if n == 0 || len(rec.registers) != 1 {
			t.Errorf("%s: %d requests, %d registrations", file, n, len(rec.registers))
		}
		for _, batch := range rec.callbacks {
			for _, c := range batch {
				if c.LogID == 0 || c.HandleCode == 0 {
					t.Errorf("%s: callback decoded as %+v", file, c)
				}
			}
		}
	}
}

func replayRequests(t *testing.T, f io.Reader, h http.Handler) int {
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r struct {
			Direction, Method, Path, Body string
			Headers                       map[string]string
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Direction != "executor->admin" {
			continue
		}
		req := httptest.NewRequest(r.Method, r.Path, strings.NewReader(r.Body))
		for k, v := range r.Headers {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || w.Body.String() != `{"code":200,"msg":"Success"}` {
			t.Errorf("%s: HTTP %d %s", r.Path, w.Code, w.Body.String())
		}
		n++
	}
	return n
}

func FuzzHandler(f *testing.F) {
	f.Add("POST", "callback", "tk", `[{"logId":1,"logDateTim":2,"handleCode":200,"handleMsg":"ok"}]`)
	f.Add("POST", "registry", "tk", regBody)
	f.Add("POST", "registryRemove", "", `{"registryGroup":null}`)
	f.Add("GET", "", "x", "\x00\xff")
	f.Add("POST", "callback", "tk", `[{"logId":"1"}, 5, null]`)
	f.Add("POST", "../../x", "tk", `[]`)
	f.Fuzz(func(t *testing.T, method, uri, token, body string) {
		if !validMethod(method) {
			method = "POST"
		}
		rec := &recorder{}
		h := NewHandler("tk", rec, rec, rec, nil)
		r := httptest.NewRequest(http.MethodPost, "/api/x", strings.NewReader(body))
		r.Method = method
		r.URL.Path = "/api/" + uri
		r.Header[domain.AccessTokenHeader] = []string{token}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("HTTP %d", w.Code)
		}
		var out reply
		if w.Code == 200 && json.Unmarshal(w.Body.Bytes(), &out) != nil {
			t.Fatalf("reply not JSON: %q", w.Body.String())
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	return true
}
