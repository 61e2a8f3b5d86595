// Package executorclient calls XXL-JOB executors over HTTP: /run, /beat,
// /idleBeat, /kill and /log, as the Java admin 2.4–3.4 does. It implements
// ports.ExecutorClient.
//
// It speaks to Java executors (xxl-job-core 2.x with the "content"
// envelope, 3.3+ with "data") and to xxl-job-executor-go (which answers
// /run errors with a JSON array). Every failure, including the transport's,
// is returned as a result with code 500 and a readable message, because
// that is what the trigger log records.
package executorclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

var _ ports.ExecutorClient = (*Client)(nil)

// Defaults for Options' zero values.
const (
	DefaultTimeout             = 3 * time.Second
	DefaultMaxIdleConnsPerHost = 512
	// DefaultMaxConnsPerHost bounds the calls in flight to one executor:
	// beyond a few dozen, more connections only cost both sides CPU (see
	// BenchmarkRunBurst), and a hung executor holds fewer workers.
	DefaultMaxConnsPerHost = 64
	DefaultMaxReplyBytes   = 16 << 20
	// idleConnTimeout stays below the Java executor's 90 s idle close, so
	// a pooled connection is not reused just as the executor drops it.
	idleConnTimeout = 50 * time.Second
	maxMsgBytes     = 4000 // raw replies quoted in a message are cut here
)

// Options configure a Client.
type Options struct {
	// AccessToken is sent in XXL-JOB-ACCESS-TOKEN when not empty.
	AccessToken string
	// Timeout bounds each call, connect included (upstream xxl.job.timeout).
	Timeout time.Duration
	// MaxIdleConnsPerHost is how many keep-alive connections are kept per
	// executor; triggers to one executor come in bursts.
	MaxIdleConnsPerHost int
	// MaxReplyBytes caps a reply body (rolling logs can be large).
	MaxReplyBytes int64
	// MaxConnsPerHost bounds the calls in flight to one executor; more
	// wait for a free one, within the call's timeout.
	MaxConnsPerHost int
}

// Client is a pooled HTTP client for executors. It is safe for concurrent use.
type Client struct {
	http     *http.Client
	wire     *wirePool
	token    string
	timeout  time.Duration
	maxReply int64
}

// New returns a Client; zero options take the package defaults.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxIdleConnsPerHost <= 0 {
		opts.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	if opts.MaxReplyBytes <= 0 {
		opts.MaxReplyBytes = DefaultMaxReplyBytes
	}
	if opts.MaxConnsPerHost <= 0 {
		opts.MaxConnsPerHost = DefaultMaxConnsPerHost
	}
	tr := &http.Transport{
		// Executors are internal addresses: no proxy from the environment.
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: opts.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: opts.MaxIdleConnsPerHost,
		MaxConnsPerHost:     opts.MaxConnsPerHost,
		IdleConnTimeout:     idleConnTimeout,
		DisableCompression:  true,
	}
	return &Client{
		http:     &http.Client{Transport: tr, Timeout: opts.Timeout},
		wire:     newWirePool(opts.MaxIdleConnsPerHost, opts.MaxConnsPerHost),
		token:    opts.AccessToken,
		timeout:  opts.Timeout,
		maxReply: opts.MaxReplyBytes,
	}
}

// Close releases the pooled connections.
func (c *Client) Close() { c.http.CloseIdleConnections(); c.wire.closeAll() }

// Run asks the executor to run a job (POST /run). Code 200 means the
// executor accepted or queued it; the outcome comes later by callback.
func (c *Client) Run(ctx context.Context, address string, p domain.TriggerParam) ports.ExecutorResult {
	return c.call(ctx, address, "run", p, nil)
}

// Beat checks that the executor is up (POST /beat, empty body).
func (c *Client) Beat(ctx context.Context, address string) ports.ExecutorResult {
	return c.call(ctx, address, "beat", nil, nil)
}

// IdleBeat checks that the executor is not running the job (POST /idleBeat).
func (c *Client) IdleBeat(ctx context.Context, address string, jobID int64) ports.ExecutorResult {
	return c.call(ctx, address, "idleBeat", domain.JobIDParam{JobID: jobID}, nil)
}

// Kill stops the job's thread on the executor (POST /kill).
func (c *Client) Kill(ctx context.Context, address string, jobID int64) ports.ExecutorResult {
	return c.call(ctx, address, "kill", domain.JobIDParam{JobID: jobID}, nil)
}

// Log reads a run's log from a line on (POST /log). The LogResult is nil
// when the result is not OK or the executor sent no payload.
func (c *Client) Log(ctx context.Context, address string, p domain.LogParam) (*domain.LogResult, ports.ExecutorResult) {
	var lr *domain.LogResult
	res := c.call(ctx, address, "log", p, &lr)
	if !res.OK() {
		return nil, res
	}
	return lr, res
}

// call posts body to address/path and decodes the envelope; payload, when
// not nil, receives "data" or "content".
func (c *Client) call(ctx context.Context, address, path string, body, payload any) ports.ExecutorResult {
	url := strings.TrimRight(address, "/") + "/" + path
	if t, ok := c.wire.target(address); ok && validToken(c.token) {
		return c.callWire(ctx, t, url, path, body, payload)
	}
	return c.callHTTP(ctx, url, body, payload)
}

// callHTTP is call through net/http (https executors, odd tokens).
func (c *Client) callHTTP(ctx context.Context, url string, body, payload any) ports.ExecutorResult {
	req, err := c.newRequest(ctx, url, body)
	if err != nil {
		return fail("xjob could not build the request to %s: %v", url, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportFailure(url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxReply+1))
	if err != nil {
		return c.transportFailure(url, err)
	}
	if int64(len(raw)) > c.maxReply {
		return fail("the executor at %s sent a reply larger than %d bytes", url, c.maxReply)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fail("the executor at %s answered HTTP %d: %s", url, resp.StatusCode, quote(raw))
	}
	return decode(raw, payload)
}

// callWire is call over the wire client (plain http:// executors).
func (c *Client) callWire(ctx context.Context, t target, url, path string, body, payload any) ports.ExecutorResult {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return fail("xjob could not build the request to %s: %v", url, err)
		}
	}
	rep, err := c.roundTrip(ctx, t, path, raw)
	var tl errTooLarge
	switch {
	case errors.As(err, &tl):
		return fail("the executor at %s sent a reply larger than %d bytes", url, c.maxReply)
	case err != nil:
		return c.transportFailure(url, err)
	case rep.status < 200 || rep.status > 299:
		return fail("the executor at %s answered HTTP %d: %s", url, rep.status, quote(rep.body))
	}
	return decode(rep.body, payload)
}

// validToken reports whether the token can be sent as a header value as
// is; one that cannot goes through net/http, which refuses it.
func validToken(tok string) bool {
	return !strings.ContainsAny(tok, "\r\n\x00")
}

func (c *Client) newRequest(ctx context.Context, url string, body any) (*http.Request, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, rd)
	if err != nil {
		return nil, err
	}
	// Set as upstream spells them; direct map writes keep the case on the wire.
	req.Header["Content-Type"] = []string{"application/json;charset=UTF-8"}
	if c.token != "" {
		req.Header[domain.AccessTokenHeader] = []string{c.token}
	}
	return req, nil
}

func (c *Client) transportFailure(url string, err error) ports.ExecutorResult {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return fail("the call to the executor at %s was cancelled", url)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fail("the executor at %s did not answer within %s", url, c.timeout)
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		err = ue.Unwrap() // drop url.Error's repetition of method and URL
	}
	return fail("the executor at %s could not be reached: %v", url, err)
}

// envelope accepts both reply shapes: 3.3+ "data", 2.x and Go "content".
type envelope struct {
	Code    *int            `json:"code"`
	Msg     *string         `json:"msg"`
	Data    json.RawMessage `json:"data"`
	Content json.RawMessage `json:"content"`
}

// decode reads an executor reply. Anything that is not an object with a
// code (xxl-job-executor-go's callback-shaped arrays, HTML error pages)
// is a failure quoting the raw body.
func decode(raw []byte, payload any) ports.ExecutorResult {
	trimmed := bytes.TrimSpace(raw)
	var env envelope
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &env) != nil || env.Code == nil {
		return ports.ExecutorResult{Code: domain.CodeFail, Msg: quote(raw)}
	}
	res := ports.ExecutorResult{Code: *env.Code}
	if env.Msg != nil {
		res.Msg = *env.Msg
	}
	if payload == nil || !res.OK() {
		return res
	}
	body := env.Data
	if isNull(body) {
		body = env.Content
	}
	if isNull(body) {
		return res
	}
	if err := json.Unmarshal(body, payload); err != nil {
		return fail("the executor's reply payload is malformed: %v", err)
	}
	return res
}

func isNull(b json.RawMessage) bool {
	return len(b) == 0 || string(b) == "null"
}

func fail(format string, args ...any) ports.ExecutorResult {
	return ports.ExecutorResult{Code: domain.CodeFail, Msg: fmt.Sprintf(format, args...)}
}

// quote returns the body as text for a message, cut to maxMsgBytes runes.
func quote(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if s == "" {
		return "(empty reply)"
	}
	return domain.TruncateRunes(s, maxMsgBytes)
}
