package executorclient

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// rawServer answers every request on a loopback port with reply, written
// as is, and closes the connection after it when closeAfter is set.
func rawServer(t *testing.T, reply string, closeAfter bool) (addr string, conns *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	conns = new(atomic.Int64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					if _, err := io.WriteString(c, reply); err != nil || closeAfter {
						return
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/", conns
}

func TestWireReplies(t *testing.T) {
	tests := []struct {
		name, reply string
		closeAfter  bool
		wantCode    int
		wantMsg     string
		wantConns   int64 // for 3 sequential calls
	}{
		{"ContentLength", "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"code\":200}", false, 200, "", 1},
		{"Chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"cod\r\n7\r\ne\":200}\r\n0\r\nX-Trailer: 1\r\n\r\n", false, 200, "", 1},
		{"ConnectionClose", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 12\r\n\r\n{\"code\":200}", true, 200, "", 3},
		{"HTTP10UntilClose", "HTTP/1.0 200 OK\r\n\r\n{\"code\":200}", true, 200, "", 3},
		{"Interim", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 29\r\n\r\n{\"code\":500,\"msg\":\"busy now\"}", false, 500, "busy now", 1},
		{"Garbage", "SSH-2.0-OpenSSH_9.2\r\n", true, 500, "malformed HTTP reply", 3},
		{"BadLength", "HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n", true, 500, "malformed HTTP reply", 3},
		{"ShortBody", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"code\":200}", true, 500, "could not be reached", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, conns := rawServer(t, tt.reply, tt.closeAfter)
			c := New(Options{Timeout: time.Second})
			defer c.Close()
			for i := range 3 {
				res := c.Beat(context.Background(), addr)
				if res.Code != tt.wantCode || !strings.Contains(res.Msg, tt.wantMsg) {
					t.Fatalf("call %d: %+v, want code %d with %q", i, res, tt.wantCode, tt.wantMsg)
				}
			}
			if got := conns.Load(); got != tt.wantConns {
				t.Errorf("%d connections for 3 calls, want %d", got, tt.wantConns)
			}
		})
	}
}

// An executor that closes idle connections (Java's after 90 s, or a
// restart) must not fail the next call: the pool notices the close.
func TestWireStaleConnection(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"code":200}`) }))
	srv.Config.IdleTimeout = 50 * time.Millisecond
	srv.Start()
	defer srv.Close()
	c := New(Options{})
	defer c.Close()
	for i := range 3 {
		if res := c.Run(context.Background(), srv.URL, domain.TriggerParam{JobID: 1, LogID: int64(i + 1)}); !res.OK() {
			t.Fatalf("call %d: %+v", i, res)
		}
		time.Sleep(200 * time.Millisecond) // the server closes the idle connection
	}
}

// The wire client sends what the net/http path sends: method, path below
// the address's own path, content type and token.
func TestWireRequest(t *testing.T) {
	got := make(chan *http.Request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		got <- r
		io.WriteString(w, `{"code":200}`)
	}))
	defer srv.Close()
	c := New(Options{AccessToken: "tok en"})
	defer c.Close()
	if res := c.Kill(context.Background(), srv.URL+"/base/", 7); !res.OK() {
		t.Fatal(res)
	}
	r := <-got
	b, _ := io.ReadAll(r.Body)
	if r.Method != "POST" || r.URL.Path != "/base/kill" || r.Header.Get("Content-Type") != "application/json;charset=UTF-8" ||
		r.Header.Get("XXL-JOB-ACCESS-TOKEN") != "tok en" || string(b) != `{"jobId":7}` || r.ContentLength != int64(len(b)) {
		t.Errorf("request %s %s %v body %q", r.Method, r.URL.Path, r.Header, b)
	}
}

// Calls beyond MaxConnsPerHost wait for a free slot, within their timeout.
func TestWirePerHostLimit(t *testing.T) {
	var now, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := now.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		now.Add(-1)
		io.WriteString(w, `{"code":200}`)
	}))
	defer srv.Close()
	c := New(Options{MaxConnsPerHost: 4})
	defer c.Close()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 20 {
		wg.Go(func() {
			if !c.Beat(context.Background(), srv.URL).OK() {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() != 0 || peak.Load() > 4 || peak.Load() < 2 {
		t.Errorf("failed %d, peak concurrency %d, want 0 and 2..4", failed.Load(), peak.Load())
	}

	slow := New(Options{MaxConnsPerHost: 1, Timeout: 100 * time.Millisecond})
	defer slow.Close()
	hold := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, `{"code":200}`)
	}))
	defer hold.Close()
	res := make(chan string, 2)
	for range 2 {
		go func() { res <- slow.Beat(context.Background(), hold.URL).Msg }()
	}
	for range 2 {
		if msg := <-res; !strings.Contains(msg, "did not answer within 100ms") {
			t.Errorf("Beat = %q, want a timeout", msg)
		}
	}
}
