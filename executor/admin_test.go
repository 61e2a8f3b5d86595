package executor_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// testAdmin is an httptest admin that answers /api/callback, /api/registry
// and /api/registryRemove exactly as the upstream 3.4.2 admin does, and
// records what executors sent. While down it drops connections.
type testAdmin struct {
	t     *testing.T
	srv   *httptest.Server
	token string

	mu        sync.Mutex
	down      bool
	callbacks []domain.CallbackParam
	bodies    []string // raw /api/callback bodies
	registry  []string // raw /api/registry bodies
	removes   []string // raw /api/registryRemove bodies
	badHeader []string // requests with wrong Content-Type or token header
}

func newTestAdmin(t *testing.T, token string) *testAdmin {
	t.Helper()
	a := &testAdmin{t: t, token: token}
	a.srv = httptest.NewServer(a)
	t.Cleanup(a.srv.Close)
	return a
}

// URL is the admin's base address.
func (a *testAdmin) URL() string { return a.srv.URL }

func (a *testAdmin) setDown(down bool) {
	a.mu.Lock()
	a.down = down
	a.mu.Unlock()
}

// ServeHTTP follows the checks of upstream's OpenApiController in order.
func (a *testAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	down := a.down
	a.mu.Unlock()
	if down {
		dropConnection(w)
		return
	}
	body, _ := io.ReadAll(r.Body)
	a.checkHeaders(r)
	if r.Method != http.MethodPost {
		writeAdminReply(w, 500, "invalid request, HttpMethod not support.")
		return
	}
	if len(body) == 0 {
		writeAdminReply(w, 500, "invalid request, requestBody empty.")
		return
	}
	if a.token != "" && r.Header.Get(domain.AccessTokenHeader) != a.token {
		writeAdminReply(w, 500, domain.MsgAccessTokenWrong)
		return
	}
	_, uri, _ := strings.Cut(r.URL.Path, "/api/")
	switch uri {
	case "callback":
		a.callback(w, body)
	case "registry", "registryRemove":
		a.registryCall(w, uri, body)
	default:
		writeAdminReply(w, 500, "invalid request, uri-mapping("+uri+") not found.")
	}
}

func (a *testAdmin) checkHeaders(r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ct := r.Header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		a.badHeader = append(a.badHeader, "content-type "+ct)
	}
	if _, ok := r.Header[http.CanonicalHeaderKey(domain.AccessTokenHeader)]; !ok && a.token != "" {
		a.badHeader = append(a.badHeader, "no token header")
	}
}

func (a *testAdmin) callback(w http.ResponseWriter, body []byte) {
	var items []domain.CallbackParam
	if err := json.Unmarshal(body, &items); err != nil {
		writeAdminReply(w, 500, "openapi invoke error: "+err.Error())
		return
	}
	a.mu.Lock()
	a.callbacks = append(a.callbacks, items...)
	a.bodies = append(a.bodies, string(body))
	a.mu.Unlock()
	writeAdminReply(w, 200, "Success")
}

func (a *testAdmin) registryCall(w http.ResponseWriter, uri string, body []byte) {
	var p domain.RegistryParam
	if err := json.Unmarshal(body, &p); err != nil {
		writeAdminReply(w, 500, "openapi invoke error: "+err.Error())
		return
	}
	if p.RegistryGroup == "" || p.RegistryKey == "" || p.RegistryValue == "" {
		writeAdminReply(w, 500, "Illegal Argument.")
		return
	}
	a.mu.Lock()
	if uri == "registry" {
		a.registry = append(a.registry, string(body))
	} else {
		a.removes = append(a.removes, string(body))
	}
	a.mu.Unlock()
	writeAdminReply(w, 200, "Success")
}

func writeAdminReply(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "msg": msg})
}

// dropConnection closes the connection without an answer, like a crashed
// admin behind a load balancer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

// results returns the callback items received so far, by logId.
func (a *testAdmin) results() map[int64][]domain.CallbackParam {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[int64][]domain.CallbackParam{}
	for _, c := range a.callbacks {
		out[c.LogID] = append(out[c.LogID], c)
	}
	return out
}

// waitResult waits for the callback of logID and returns it.
func (a *testAdmin) waitResult(t *testing.T, logID int64) domain.CallbackParam {
	t.Helper()
	var got domain.CallbackParam
	waitFor(t, 10*time.Second, "callback of log "+itoa(logID), func() bool {
		list := a.results()[logID]
		if len(list) > 0 {
			got = list[0]
		}
		return len(list) > 0
	})
	return got
}

// snapshot returns copies of the raw request bodies received.
func (a *testAdmin) snapshot() (callbacks, registry, removes, badHeader []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.bodies...), append([]string(nil), a.registry...),
		append([]string(nil), a.removes...), append([]string(nil), a.badHeader...)
}
