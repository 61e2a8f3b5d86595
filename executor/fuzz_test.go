package executor

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// FuzzServer sends arbitrary requests to the executor's HTTP API: it must
// never panic and always answer with a JSON envelope.
func FuzzServer(f *testing.F) {
	ex, err := New(Options{
		AdminAddresses: []string{"http://127.0.0.1:1"},
		AppName:        "fuzz",
		AccessToken:    "tok",
		LogDir:         f.TempDir(),
		IdleTimeout:    50 * time.Millisecond,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		f.Fatal(err)
	}
	ex.Register("noop", func(ctx context.Context, job *Job) error { job.Log("%s", job.Param); return nil })
	f.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = ex.Stop(ctx)
	})
	seeds := []struct{ method, path, token, body string }{
		{"POST", "/beat", "tok", ""},
		{"POST", "/idleBeat", "tok", `{"jobId":1}`},
		{"POST", "/run", "tok", `{"jobId":1,"executorHandler":"noop","executorParams":"x","executorBlockStrategy":"COVER_EARLY","logId":5,"logDateTime":1795303394351,"glueType":"BEAN"}`},
		{"POST", "/run", "tok", `{"jobId":2,"glueType":"GLUE_SHELL","glueSource":"echo"}`},
		{"POST", "/run", "tok", `{"jobId": "oops"}`},
		{"POST", "/kill", "tok", `{"jobId":1}`},
		{"POST", "/log", "tok", `{"logDateTim":1795303394351,"logId":5,"fromLineNum":-3}`},
		{"POST", "/log", "tok", `{"logDateTim":-9223372036854775808,"logId":-1,"fromLineNum":2147483647}`},
		{"GET", "/beat", "tok", ""},
		{"POST", "/nope", "wrong", "{}"},
		{"POST", "", "tok", "null"},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.token, s.body)
	}
	f.Fuzz(func(t *testing.T, method, path, token, body string) {
		req := &http.Request{
			Method: method, URL: &url.URL{Path: path}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{domain.AccessTokenHeader: {token}}, Body: io.NopCloser(strings.NewReader(body)),
		}
		rec := httptest.NewRecorder()
		ex.api.ServeHTTP(rec, req.WithContext(context.Background()))
		var env domain.ReturnT[json.RawMessage]
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("reply is not an envelope: %q", rec.Body.String())
		}
		if env.Code != domain.CodeSuccess && env.Code != domain.CodeFail {
			t.Fatalf("code %d", env.Code)
		}
		if rec.Code != http.StatusOK && rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d", rec.Code)
		}
	})
}
