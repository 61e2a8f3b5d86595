// Package executortest runs stand-in XXL-JOB executors on loopback for
// tests: Java speaks xxl-job-core 3.4.2's wire format (token check,
// "data" envelope, text/html replies), Go speaks xxl-job-executor-go's
// (no token check, "content" envelope, JSON-array errors on /run, address
// without trailing slash), as recorded in ../shared/fixtures/wire.
package executortest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// Flavor selects the executor implementation to imitate.
type Flavor int

// Flavors.
const (
	Java Flavor = iota // xxl-job-core 3.4.2
	Go                 // xxl-job-executor-go 1.2.0
)

// Executor is a running stand-in executor. Its fields may be changed
// between calls through the setters; it is safe for concurrent use.
type Executor struct {
	Flavor Flavor
	srv    *httptest.Server

	mu       sync.Mutex
	token    string
	handlers map[string]bool
	busy     map[int64]bool
	delay    time.Duration
	runs     []domain.TriggerParam
	kills    []int64
	logs     map[int64]domain.LogResult
	calls    map[string]int
}

// Start runs an executor of the given flavor knowing the handlers; token is
// the Java executor's access token ("" accepts anything). It stops with tb.
func Start(tb testing.TB, flavor Flavor, token string, handlers ...string) *Executor {
	e := &Executor{Flavor: flavor, token: token, handlers: map[string]bool{}, busy: map[int64]bool{},
		logs: map[int64]domain.LogResult{}, calls: map[string]int{}}
	for _, h := range handlers {
		e.handlers[h] = true
	}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	tb.Cleanup(e.srv.Close)
	return e
}

// Address is what the executor registers: Java with a trailing slash, Go without.
func (e *Executor) Address() string {
	if e.Flavor == Java {
		return e.srv.URL + "/"
	}
	return e.srv.URL
}

// Close stops the executor: calls to it then fail to connect.
func (e *Executor) Close() { e.srv.Close() }

// SetBusy marks a job as running (idleBeat answers busy).
func (e *Executor) SetBusy(jobID int64, busy bool) { e.with(func() { e.busy[jobID] = busy }) }

// SetDelay makes every reply wait d.
func (e *Executor) SetDelay(d time.Duration) { e.with(func() { e.delay = d }) }

// SetLog sets what /log returns for a log id.
func (e *Executor) SetLog(logID int64, lr domain.LogResult) { e.with(func() { e.logs[logID] = lr }) }

// Runs returns the /run requests accepted so far.
func (e *Executor) Runs() []domain.TriggerParam {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]domain.TriggerParam(nil), e.runs...)
}

// Kills returns the job ids /kill was called for.
func (e *Executor) Kills() []int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]int64(nil), e.kills...)
}

// Calls returns how many requests a path (e.g. "/beat") received.
func (e *Executor) Calls(path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[path]
}

func (e *Executor) with(f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f()
}

func (e *Executor) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	e.calls[r.URL.Path]++
	delay := e.delay
	e.mu.Unlock()
	time.Sleep(delay)
	if e.Flavor == Java {
		w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	if e.Flavor == Java && e.token != "" && r.Header.Get(domain.AccessTokenHeader) != e.token {
		e.reply(w, 500, domain.MsgAccessTokenWrong, nil)
		return
	}
	switch r.URL.Path {
	case "/beat":
		e.reply(w, 200, "", nil)
	case "/idleBeat":
		e.idleBeat(w, body)
	case "/run":
		e.run(w, body)
	case "/kill":
		e.kill(w, body)
	case "/log":
		e.log(w, body)
	default:
		if e.Flavor == Go {
			http.NotFound(w, r)
			return
		}
		e.reply(w, 500, fmt.Sprintf("invalid request, uri-mapping(%s) not found.", r.URL.Path), nil)
	}
}

func (e *Executor) idleBeat(w http.ResponseWriter, body []byte) {
	var p domain.JobIDParam
	json.Unmarshal(body, &p)
	e.mu.Lock()
	busy := e.busy[p.JobID]
	e.mu.Unlock()
	switch {
	case !busy:
		e.reply(w, 200, "", nil)
	case e.Flavor == Java:
		e.reply(w, 500, "job thread is running or has trigger queue.", nil)
	default:
		e.reply(w, 500, "Task is busy", nil)
	}
}

func (e *Executor) run(w http.ResponseWriter, body []byte) {
	var p domain.TriggerParam
	if err := json.Unmarshal(body, &p); err != nil {
		e.runError(w, p, "params err", "request error:"+err.Error())
		return
	}
	e.mu.Lock()
	known := e.handlers[p.ExecutorHandler]
	if known {
		e.runs = append(e.runs, p)
	}
	e.mu.Unlock()
	if !known {
		e.runError(w, p, "Task not registered", fmt.Sprintf("job handler [%s] not found.", p.ExecutorHandler))
		return
	}
	e.reply(w, 200, "", nil)
}

// runError answers a refused /run: Java with an envelope, Go with its
// callback-shaped JSON array.
func (e *Executor) runError(w http.ResponseWriter, p domain.TriggerParam, goMsg, javaMsg string) {
	if e.Flavor == Java {
		e.reply(w, 500, javaMsg, nil)
		return
	}
	fmt.Fprintf(w, `[{"logId":%d,"logDateTim":%d,"executeResult":{"code":500,"msg":%q},"handleCode":500,"handleMsg":%q}]`,
		p.LogID, p.LogDateTime, goMsg, goMsg)
}

func (e *Executor) kill(w http.ResponseWriter, body []byte) {
	var p domain.JobIDParam
	json.Unmarshal(body, &p)
	e.mu.Lock()
	e.kills = append(e.kills, p.JobID)
	e.mu.Unlock()
	e.reply(w, 200, "", nil)
}

func (e *Executor) log(w http.ResponseWriter, body []byte) {
	var p domain.LogParam
	json.Unmarshal(body, &p)
	e.mu.Lock()
	lr, ok := e.logs[p.LogID]
	e.mu.Unlock()
	if !ok {
		lr = domain.LogResult{FromLineNum: p.FromLineNum, ToLineNum: p.FromLineNum - 1, IsEnd: false}
	}
	e.reply(w, 200, "", &lr)
}

// reply writes the flavor's envelope: Java 3.4.2 {"code","msg","data"}
// with msg "Success" on success, Go {"code","msg","content"} with msg "".
func (e *Executor) reply(w http.ResponseWriter, code int, msg string, payload any) {
	out := map[string]any{"code": code, "msg": msg}
	if e.Flavor == Java {
		if code == 200 && msg == "" {
			out["msg"] = "Success"
		}
		if payload != nil {
			out["data"] = payload
		}
	} else if payload != nil {
		out["content"] = payload
	}
	b, _ := json.Marshal(out)
	w.Write(b)
}
