package executorclient

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The executor protocol is a handful of small JSON POSTs over HTTP/1.1
// keep-alive. For plain http:// executors the client speaks it directly on
// pooled connections: one write and one read per call on the caller's
// goroutine, no per-connection goroutines. That halves the admin's CPU per
// /run against net/http's transport, which is what a burst of fires at one
// instant is made of. Other schemes (https) go through net/http.

// target is an executor address split for the wire client.
type target struct {
	dial string // host:port
	host string // Host header
	base string // escaped path prefix without the trailing slash
}

// parseTarget returns the wire target of a plain http:// address.
func parseTarget(address string) (target, bool) {
	u, err := url.Parse(strings.TrimSpace(address))
	if err != nil || u.Scheme != "http" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return target{}, false
	}
	dial := u.Host
	if u.Port() == "" {
		dial = net.JoinHostPort(u.Hostname(), "80")
	}
	return target{dial: dial, host: u.Host, base: strings.TrimRight(u.EscapedPath(), "/")}, true
}

// wireConn is a pooled keep-alive connection.
type wireConn struct {
	net.Conn
	br        *bufio.Reader
	idleSince time.Time
}

// wirePool keeps idle connections per executor, newest last, and bounds
// the calls in flight to one executor.
type wirePool struct {
	max     int
	perHost int
	mu      sync.Mutex
	idle    map[string][]*wireConn
	slots   map[string]chan struct{}
	swept   time.Time
	targets sync.Map // address → target (or a failed parse as target{})
}

func newWirePool(maxIdle, perHost int) *wirePool {
	return &wirePool{max: maxIdle, perHost: perHost, idle: map[string][]*wireConn{}, slots: map[string]chan struct{}{}}
}

// acquire waits for one of the executor's call slots; release gives it back.
func (p *wirePool) acquire(ctx context.Context, dial string, deadline time.Time) (release func(), err error) {
	p.mu.Lock()
	ch := p.slots[dial]
	if ch == nil {
		ch = make(chan struct{}, p.perHost)
		p.slots[dial] = ch
	}
	p.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	default:
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, errSlotTimeout
	}
}

// errSlotTimeout is a call that waited its whole timeout for a free slot.
var errSlotTimeout error = slotTimeout{}

type slotTimeout struct{}

func (slotTimeout) Error() string   { return "timed out waiting for a free connection" }
func (slotTimeout) Timeout() bool   { return true }
func (slotTimeout) Temporary() bool { return true }

func (p *wirePool) target(address string) (target, bool) {
	if t, ok := p.targets.Load(address); ok {
		tt := t.(target)
		return tt, tt.dial != ""
	}
	t, ok := parseTarget(address)
	p.targets.Store(address, t)
	return t, ok
}

// get returns an idle connection to dial that the peer has not closed, or nil.
func (p *wirePool) get(dial string) *wireConn {
	now := time.Now()
	for {
		p.mu.Lock()
		list := p.idle[dial]
		if len(list) == 0 {
			p.mu.Unlock()
			return nil
		}
		c := list[len(list)-1]
		p.idle[dial] = list[:len(list)-1]
		p.mu.Unlock()
		if now.Sub(c.idleSince) < idleConnTimeout && c.br.Buffered() == 0 && alive(c.Conn) {
			return c
		}
		c.Close()
	}
}

// put returns a connection to the pool, and now and then closes the
// connections idle for too long.
func (p *wirePool) put(dial string, c *wireConn) {
	now := time.Now()
	c.idleSince = now
	var stale []*wireConn
	p.mu.Lock()
	if len(p.idle[dial]) < p.max {
		p.idle[dial] = append(p.idle[dial], c)
		c = nil
	}
	if now.Sub(p.swept) > 10*time.Second {
		p.swept = now
		for k, list := range p.idle {
			keep := list[:0]
			for _, ic := range list {
				if now.Sub(ic.idleSince) >= idleConnTimeout {
					stale = append(stale, ic)
				} else {
					keep = append(keep, ic)
				}
			}
			if len(keep) == 0 {
				delete(p.idle, k)
			} else {
				p.idle[k] = keep
			}
		}
	}
	p.mu.Unlock()
	if c != nil {
		c.Close()
	}
	for _, ic := range stale {
		ic.Close()
	}
}

func (p *wirePool) closeAll() {
	p.mu.Lock()
	all := p.idle
	p.idle = map[string][]*wireConn{}
	p.mu.Unlock()
	for _, list := range all {
		for _, c := range list {
			c.Close()
		}
	}
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// errReply marks a reply that is not valid HTTP.
var errReply = errors.New("malformed HTTP reply")

// wireReply is one HTTP reply.
type wireReply struct {
	status int
	body   []byte
}

// roundTrip posts body to t's base path + "/" + path and returns the reply.
// A failed write on a reused connection (the executor closed it) is
// retried once on a new one; nothing was received then. A reply that
// fails after the request went out is not retried: /run is not idempotent.
func (c *Client) roundTrip(ctx context.Context, t target, path string, body []byte) (wireReply, error) {
	req := bufPool.Get().(*bytes.Buffer)
	defer func() { req.Reset(); bufPool.Put(req) }()
	req.WriteString("POST ")
	req.WriteString(t.base)
	req.WriteString("/")
	req.WriteString(path)
	req.WriteString(" HTTP/1.1\r\nHost: ")
	req.WriteString(t.host)
	req.WriteString("\r\nUser-Agent: xjob\r\nContent-Type: application/json;charset=UTF-8\r\n")
	if c.token != "" {
		req.WriteString("XXL-JOB-ACCESS-TOKEN: ")
		req.WriteString(c.token)
		req.WriteString("\r\n")
	}
	req.WriteString("Content-Length: ")
	req.WriteString(strconv.Itoa(len(body)))
	req.WriteString("\r\n\r\n")
	req.Write(body)

	deadline := time.Now().Add(c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	release, err := c.wire.acquire(ctx, t.dial, deadline)
	if err != nil {
		return wireReply{}, c.ctxErr(ctx, err)
	}
	defer release()
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return wireReply{}, err
		}
		conn := c.wire.get(t.dial)
		reused := conn != nil
		if conn == nil {
			d := net.Dialer{Deadline: deadline, KeepAlive: 30 * time.Second}
			nc, err := d.DialContext(ctx, "tcp", t.dial)
			if err != nil {
				return wireReply{}, err
			}
			conn = &wireConn{Conn: nc, br: bufio.NewReaderSize(nc, 4096)}
		}
		conn.SetDeadline(deadline)
		stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
		if _, err := conn.Write(req.Bytes()); err != nil {
			stop()
			conn.Close()
			if reused && attempt == 0 && ctx.Err() == nil && !isTimeout(err) {
				continue
			}
			return wireReply{}, c.ctxErr(ctx, err)
		}
		rep, keep, err := readReply(conn.br, c.maxReply)
		if !stop() && ctx.Err() != nil {
			conn.Close()
			return wireReply{}, ctx.Err()
		}
		if err != nil {
			conn.Close()
			return wireReply{}, c.ctxErr(ctx, err)
		}
		if keep {
			conn.SetDeadline(time.Time{})
			c.wire.put(t.dial, conn)
		} else {
			conn.Close()
		}
		return rep, nil
	}
}

func (c *Client) ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// errTooLarge is a reply body above the client's limit.
type errTooLarge struct{ limit int64 }

func (e errTooLarge) Error() string { return fmt.Sprintf("reply larger than %d bytes", e.limit) }

// readReply reads one HTTP/1.x reply and reports whether the connection
// may carry another request.
func readReply(br *bufio.Reader, maxBody int64) (wireReply, bool, error) {
	for {
		line, err := readLine(br)
		if err != nil {
			return wireReply{}, false, err
		}
		// "HTTP/1.1 200 OK"
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
			return wireReply{}, false, fmt.Errorf("%w: status line %q", errReply, truncate(line))
		}
		status, err := strconv.Atoi(string(line[9:12]))
		if err != nil {
			return wireReply{}, false, fmt.Errorf("%w: status line %q", errReply, truncate(line))
		}
		keep := line[7] == '1'
		length, chunked := int64(-1), false
		for {
			h, err := readLine(br)
			if err != nil {
				return wireReply{}, false, err
			}
			if len(h) == 0 {
				break
			}
			name, value, ok := bytes.Cut(h, []byte(":"))
			if !ok {
				return wireReply{}, false, fmt.Errorf("%w: header %q", errReply, truncate(h))
			}
			value = bytes.TrimSpace(value)
			switch {
			case equalFold(name, "Content-Length"):
				n, err := strconv.ParseInt(string(value), 10, 64)
				if err != nil || n < 0 {
					return wireReply{}, false, fmt.Errorf("%w: Content-Length %q", errReply, truncate(value))
				}
				length = n
			case equalFold(name, "Transfer-Encoding"):
				chunked = bytes.EqualFold(value, []byte("chunked"))
				if !chunked {
					return wireReply{}, false, fmt.Errorf("%w: Transfer-Encoding %q", errReply, truncate(value))
				}
			case equalFold(name, "Connection"):
				if bytes.EqualFold(value, []byte("close")) {
					keep = false
				} else if bytes.EqualFold(value, []byte("keep-alive")) {
					keep = true
				}
			}
		}
		if status >= 100 && status < 200 {
			continue // an interim reply; the real one follows
		}
		var body []byte
		switch {
		case status == 204 || status == 304:
		case chunked:
			body, err = readAll(httputil.NewChunkedReader(br), maxBody)
			for err == nil { // trailers, up to the empty line
				var t []byte
				if t, err = readLine(br); err == nil && len(t) == 0 {
					break
				}
			}
		case length >= 0:
			if length > maxBody {
				return wireReply{}, false, errTooLarge{maxBody}
			}
			body = make([]byte, length)
			_, err = io.ReadFull(br, body)
		default:
			body, err = readAll(br, maxBody)
			keep = false
		}
		if err != nil {
			return wireReply{}, false, err
		}
		return wireReply{status: status, body: body}, keep, nil
	}
}

func readAll(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge{limit}
	}
	return b, nil
}

// readLine returns one CRLF- or LF-terminated line without its ending;
// lines longer than the reader's buffer are a malformed reply.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("%w: header line longer than %d bytes", errReply, br.Size())
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

func equalFold(b []byte, s string) bool { return len(b) == len(s) && strings.EqualFold(string(b), s) }

func truncate(b []byte) string {
	if len(b) > 80 {
		b = b[:80]
	}
	return string(b)
}
