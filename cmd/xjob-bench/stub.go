package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Stub is the benchmark's executor: it answers POST /run at once with
// {"code":200,"msg":null}, records when each run arrived, and reports every
// run as successful to the admin in batches every CallbackEvery, as a Java
// executor's callback thread does. It registers itself with the admin every
// 30 s under the app name "bench".
type Stub struct {
	Token         string
	AdminURL      string // "" = no callbacks, no registry (the Quartz peer, ceilings)
	CallbackEvery time.Duration

	base     time.Time // monotonic reading taken with baseWall
	baseWall int64     // ns
	srv      *http.Server
	addr     string
	client   *http.Client

	mu       sync.Mutex
	arrivals []Arrival
	pending  []callbackItem
	errs     []string // first few callback/registry errors

	runs, badToken     atomic.Int64
	cbPosted, cbErrors atomic.Int64
	cbBatches          atomic.Int64
	registryErrors     atomic.Int64
	cancel             context.CancelFunc
	done               chan struct{}
}

type callbackItem struct {
	LogID      int64 `json:"logId"`
	LogDateTim int64 `json:"logDateTim"`
	HandleCode int   `json:"handleCode"`
}

// runParam is the part of TriggerParam the stub reads.
type runParam struct {
	JobID       int64 `json:"jobId"`
	LogID       int64 `json:"logId"`
	LogDateTime int64 `json:"logDateTime"`
}

var okReply = []byte(`{"code":200,"msg":null}`)

// bodyPool keeps /run body buffers: the stub shares the CPUs with the
// admin it measures, so it should cost as little as an executor can.
var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// StartStub listens on a free loopback port and starts the callback and
// registry loops (when AdminURL is set).
func StartStub(token, adminURL string) (*Stub, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("stub executor: %w", err)
	}
	s := &Stub{Token: token, AdminURL: adminURL, CallbackEvery: 100 * time.Millisecond,
		base: time.Now(), addr: ln.Addr().String(), done: make(chan struct{}),
		arrivals: make([]Arrival, 0, 1<<16),
		client:   &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
	}
	s.baseWall = s.base.UnixNano()
	mux := http.NewServeMux()
	mux.HandleFunc("/run", s.handleRun)
	for _, p := range []string{"/beat", "/idleBeat", "/kill"} {
		mux.HandleFunc(p, s.handleOK)
	}
	mux.HandleFunc("/log", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Write([]byte(`{"code":200,"msg":null,"content":{"fromLineNum":1,"toLineNum":0,"logContent":"","isEnd":true}}`))
	})
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.loop(ctx)
	return s, nil
}

// URL is the address executors register: http://127.0.0.1:PORT/.
func (s *Stub) URL() string { return "http://" + s.addr + "/" }

// now is the wall clock in ns, advanced by the monotonic clock only, so a
// wall-clock step during a run does not bend the measurements.
func (s *Stub) now() int64 { return s.baseWall + int64(time.Since(s.base)) }

func (s *Stub) handleOK(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.Write(okReply)
}

func (s *Stub) handleRun(w http.ResponseWriter, r *http.Request) {
	at := s.now() // before reading the body: the request has arrived
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	if s.Token != "" && r.Header.Get("XXL-JOB-ACCESS-TOKEN") != s.Token {
		s.badToken.Add(1)
		w.Write([]byte(`{"code":500,"msg":"The access token is wrong."}`))
		return
	}
	var p runParam
	buf := bodyPool.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(r.Body)
	if err == nil {
		err = json.Unmarshal(buf.Bytes(), &p)
	}
	bodyPool.Put(buf)
	if err != nil {
		w.Write([]byte(`{"code":500,"msg":"bad request"}`))
		return
	}
	s.runs.Add(1)
	s.mu.Lock()
	s.arrivals = append(s.arrivals, Arrival{JobID: p.JobID, LogID: p.LogID, LogDateTime: p.LogDateTime, At: at})
	if s.AdminURL != "" {
		s.pending = append(s.pending, callbackItem{LogID: p.LogID, LogDateTim: p.LogDateTime, HandleCode: 200})
	}
	s.mu.Unlock()
	w.Write(okReply)
}

// Pending returns how many results wait to be posted.
func (s *Stub) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// Arrivals returns a copy of the runs recorded so far.
func (s *Stub) Arrivals() []Arrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Arrival(nil), s.arrivals...)
}

// Reset forgets the recorded runs.
func (s *Stub) Reset() {
	s.mu.Lock()
	s.arrivals = s.arrivals[:0]
	s.mu.Unlock()
}

func (s *Stub) loop(ctx context.Context) {
	defer close(s.done)
	if s.AdminURL == "" {
		<-ctx.Done()
		return
	}
	// Heartbeats have their own goroutine, as a Java executor's registry
	// thread: a slow admin delaying callbacks must not let the
	// registration go stale.
	regDone := make(chan struct{})
	go func() {
		defer close(regDone)
		reg := time.NewTicker(30 * time.Second)
		defer reg.Stop()
		for {
			s.register(ctx)
			select {
			case <-ctx.Done():
				return
			case <-reg.C:
			}
		}
	}()
	cb := time.NewTicker(s.CallbackEvery)
	defer cb.Stop()
	for {
		select {
		case <-ctx.Done():
			s.flush(context.Background())
			<-regDone
			return
		case <-cb.C:
			s.flush(ctx)
		}
	}
}

// flush posts the pending results, at most 1000 per request.
func (s *Stub) flush(ctx context.Context) {
	s.mu.Lock()
	items := s.pending
	s.pending = nil
	s.mu.Unlock()
	for len(items) > 0 {
		n := min(len(items), 1000)
		if err := s.post(ctx, "api/callback", items[:n]); err != nil {
			s.cbErrors.Add(int64(n))
			s.noteErr(err)
		} else {
			s.cbPosted.Add(int64(n))
		}
		s.cbBatches.Add(1)
		items = items[n:]
	}
}

func (s *Stub) register(ctx context.Context) {
	p := map[string]string{"registryGroup": "EXECUTOR", "registryKey": "bench", "registryValue": s.URL()}
	if err := s.post(ctx, "api/registry", p); err != nil {
		s.registryErrors.Add(1)
		s.noteErr(err)
	}
}

func (s *Stub) noteErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) < 5 {
		s.errs = append(s.errs, truncate(err.Error(), 300))
	}
}

func (s *Stub) post(ctx context.Context, path string, body any) error {
	return postAdmin(ctx, s.client, s.AdminURL+path, s.Token, body)
}

// postAdmin sends one executor→admin request and checks the envelope.
func postAdmin(ctx context.Context, c *http.Client, url, token string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("XXL-JOB-ACCESS-TOKEN", token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var env struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	}
	rb, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(rb, &env); err != nil {
		return fmt.Errorf("POST %s: HTTP %d %.200s", url, resp.StatusCode, rb)
	}
	if env.Code != 200 {
		return fmt.Errorf("POST %s: code %d %s", url, env.Code, env.Msg)
	}
	return nil
}

// Close stops the loops (posting what is pending) and the server.
func (s *Stub) Close() {
	s.cancel()
	<-s.done
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
}

// StubStats are the stub's counters for the result file.
type StubStats struct {
	Runs             int64    `json:"runs"`
	BadToken         int64    `json:"badToken"`
	CallbacksPosted  int64    `json:"callbacksPosted"`
	CallbackErrors   int64    `json:"callbackErrors"`
	CallbackRequests int64    `json:"callbackRequests"`
	RegistryErrors   int64    `json:"registryErrors"`
	ErrorSample      []string `json:"errorSample,omitempty"`
}

// Stats returns the counters.
func (s *Stub) Stats() StubStats {
	return StubStats{Runs: s.runs.Load(), BadToken: s.badToken.Load(), CallbacksPosted: s.cbPosted.Load(),
		CallbackErrors: s.cbErrors.Load(), CallbackRequests: s.cbBatches.Load(), RegistryErrors: s.registryErrors.Load(),
		ErrorSample: s.errSample()}
}

func (s *Stub) errSample() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errs...)
}
