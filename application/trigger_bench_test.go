package application_test

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/executorclient/executortest"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
)

// BenchmarkTriggerPath measures the whole trigger path: log insert, one
// /run to a loopback executor, log update, on each engine, one trigger at a
// time and 64 per CPU at once (group commit). Allocations include the in-process
// test executor's.
func BenchmarkTriggerPath(b *testing.B) {
	engines := []struct {
		name string
		open func(testing.TB, ...sqlstore.Option) *sqlstore.DB
	}{{"sqlite", sqltest.MustOpenSQLite}, {"mysql", sqltest.MustOpenMySQL}}
	for _, eng := range engines {
		for _, par := range []int{1, 64} {
			b.Run(eng.name+"/goroutines-"+itoa(int64(par*runtime.GOMAXPROCS(0))), func(b *testing.B) {
				e := newEnv(b, eng.open(b), "en")
				ex := executortest.Start(b, executortest.Java, testToken, "demo")
				job := e.job(e.group(domain.AddressAuto, ex.Address()), nil)
				req := application.NewTriggerRequest(job.ID, domain.TriggerCron)
				b.ReportAllocs()
				b.SetParallelism(par)
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := e.trigger.Trigger(e.ctx, req); err != nil {
							b.Error(err)
						}
					}
				})
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "triggers/s")
				b.ReportMetric(float64(e.logs.creates.Load())/float64(b.N), "inserts/trigger")
			})
		}
	}
}

// BenchmarkFireBurst measures what is left for the instant itself: 1 000
// prepared triggers (logs already written) fired by 300 workers against one
// loopback executor, each worker free once its /run is answered, as
// FireDelivery does; the trigger results are written afterwards and are
// part of the time. Preparing is not timed.
func BenchmarkFireBurst(b *testing.B) {
	const burst, workers = 1000, 300
	e := newEnv(b, sqltest.MustOpenSQLite(b), "en")
	ex := executortest.Start(b, executortest.Java, testToken, "demo")
	job := e.job(e.group(domain.AddressAuto, ex.Address()), nil)
	reqs := make([]application.TriggerRequest, burst)
	for i := range reqs {
		reqs[i] = application.NewTriggerRequest(job.ID, domain.TriggerCron)
		reqs[i].Job = job
	}
	b.ReportAllocs()
	var sent time.Duration
	for b.Loop() {
		b.StopTimer()
		pts := e.trigger.Prepare(e.ctx, reqs)
		b.StartTimer()
		start := time.Now()
		var last time.Time
		var mu sync.Mutex
		sem := make(chan struct{}, workers)
		var wg sync.WaitGroup
		for _, pt := range pts {
			sem <- struct{}{}
			release := sync.OnceFunc(func() {
				mu.Lock()
				last = time.Now()
				mu.Unlock()
				<-sem
			})
			pt.OnSent(release)
			wg.Go(func() {
				defer release()
				if err := e.trigger.Fire(e.ctx, pt); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		sent += last.Sub(start)
	}
	b.ReportMetric(float64(sent.Microseconds())/float64(b.N), "µs/burst-sent")
}
