package executorclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/xjob-dev/xjob/domain"
)

// BenchmarkRunBurst sends bursts of 1 000 /run calls, 300 at a time (the
// scheduler's workers), to one executor on loopback, as at a busy instant:
// through the wire client (http://) and through net/http (the path https
// executors take). The executor stand-in answers at once.
func BenchmarkRunBurst(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"code":200,"msg":null}`)
	}))
	defer srv.Close()
	p := domain.TriggerParam{JobID: 1, ExecutorHandler: "demoJobHandler", ExecutorBlockStrategy: "SERIAL_EXECUTION",
		LogID: 1, LogDateTime: 1_700_000_000_000, GlueType: "BEAN", BroadcastTotal: 1}
	for _, tt := range []struct {
		name string
		run  func(c *Client, p domain.TriggerParam) bool
	}{
		{"wire", func(c *Client, p domain.TriggerParam) bool { return c.Run(context.Background(), srv.URL, p).OK() }},
		{"net-http", func(c *Client, p domain.TriggerParam) bool {
			return c.callHTTP(context.Background(), srv.URL+"/run", p, nil).OK()
		}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			c := New(Options{AccessToken: "bench"})
			defer c.Close()
			const burst, workers = 1000, 300
			b.ReportAllocs()
			for b.Loop() {
				sem := make(chan struct{}, workers)
				var wg sync.WaitGroup
				for i := range burst {
					sem <- struct{}{}
					wg.Go(func() {
						defer func() { <-sem }()
						q := p
						q.LogID = int64(i)
						if !tt.run(c, q) {
							b.Error("run failed")
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*burst), "µs/run")
		})
	}
}
