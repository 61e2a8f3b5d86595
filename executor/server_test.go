package executor_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestServer_AccessToken(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	_, withToken := startExecutor(t, testOptions(t, admin), nil)
	blankOpts := testOptions(t, admin)
	blankOpts.AccessToken = ""
	_, blank := startExecutor(t, blankOpts, nil)

	tests := []struct {
		name      string
		c         *client
		token     string
		sendToken bool
		want      string
	}{
		{"OK", withToken, testToken, true, okReply},
		{"ErrWrongToken", withToken, "wrong", true, tokenReply},
		{"ErrNoToken", withToken, "", false, tokenReply},
		{"ErrEmptyToken", withToken, "", true, tokenReply},
		{"ErrTokenPrefix", withToken, testToken[:5], true, tokenReply},
		{"BlankExecutorTokenAcceptsWrong", blank, "anything", true, okReply},
		{"BlankExecutorTokenAcceptsNone", blank, "", false, okReply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.postToken(t, "/beat", tt.token, tt.sendToken, "")
			if got.status != http.StatusOK || got.body != tt.want {
				t.Errorf("got %d %s, want 200 %s", got.status, got.body, tt.want)
			}
			if got.ctype != "text/html;charset=UTF-8" {
				t.Errorf("Content-Type %q", got.ctype)
			}
		})
	}
}

func TestServer_BadRequests(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	_, c := startExecutor(t, testOptions(t, admin), nil)

	huge := `{"jobId":1,"executorParams":"` + strings.Repeat("x", 5<<20) + `"}`
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantPrefix string
	}{
		{"ErrMethodGet", http.MethodGet, "/beat", "", 200, failReply("invalid request, HttpMethod not support.")},
		{"ErrMethodPut", http.MethodPut, "/run", "{}", 200, failReply("invalid request, HttpMethod not support.")},
		{"ErrUnknownPath", http.MethodPost, "/nope", "{}", 200, failReply("invalid request, uri-mapping(/nope) not found.")},
		{"ErrTrailingSlash", http.MethodPost, "/run/", "{}", 200, failReply("invalid request, uri-mapping(/run/) not found.")},
		{"ErrBadJSON", http.MethodPost, "/run", `{"jobId": "oops"}`, 200, `{"code":500,"msg":"request error:`},
		{"ErrTruncatedJSON", http.MethodPost, "/kill", `{"jobId": 1`, 200, `{"code":500,"msg":"request error:`},
		{"ErrEmptyBody", http.MethodPost, "/idleBeat", ``, 200, `{"code":500,"msg":"request error:`},
		{"ErrArrayBody", http.MethodPost, "/log", `[1,2]`, 200, `{"code":500,"msg":"request error:`},
		{"ErrTooLarge", http.MethodPost, "/run", huge, 413, `{"code":500,"msg":"invalid request, request body larger than 5 MiB."}`},
		{"ErrNullTrigger", http.MethodPost, "/run", `null`, 200, failReply("job handler [] not found.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, c.base+tt.path, strings.NewReader(tt.body))
			req.Header.Set("XXL-JOB-ACCESS-TOKEN", testToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			got := string(data)
			if resp.StatusCode != tt.wantStatus || !strings.HasPrefix(got, tt.wantPrefix) {
				t.Errorf("got %d %.200s, want %d %s", resp.StatusCode, got, tt.wantStatus, tt.wantPrefix)
			}
		})
	}
	// The executor still answers after all that.
	if got := c.post(t, "/beat", ""); got != okReply {
		t.Errorf("beat after bad requests: %s", got)
	}
}
