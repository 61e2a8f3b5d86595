package application_test

import (
	"runtime"
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
