// Package metrics exposes the admin's measurements to Prometheus: a
// registry of its own (with Go and process collectors), the /metrics
// handler, and the application.Metrics the use cases report to.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
)

var (
	_ application.Metrics = (*Registry)(nil)
	_ QueueDepths         = (*application.TriggerPool)(nil)
)

// QueueDepths reports how many triggers wait in the fast and slow lanes;
// *application.TriggerPool implements it.
type QueueDepths interface {
	FastDepth() int
	SlowDepth() int
}

// Registry holds every xjob metric. Its zero value is not usable; call New.
type Registry struct {
	reg *prometheus.Registry

	fires         *prometheus.CounterVec
	fireSkipped   prometheus.Counter
	fireRecovered prometheus.Counter
	lateness      prometheus.Histogram
	scanDuration  *prometheus.HistogramVec
	triggerFails  prometheus.Counter
	callback      prometheus.Histogram
	executors     prometheus.Gauge
	alarms        *prometheus.CounterVec
	lostRuns      *prometheus.CounterVec
	loopFailures  *prometheus.CounterVec

	mu       sync.Mutex
	lastScan time.Time
	queues   QueueDepths
	now      func() time.Time
}

// New returns a registry with every xjob metric registered.
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry(), now: time.Now}
	r.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := factory{r.reg}
	r.fires = f.counterVec("xjob_fires_total", "Scheduled fires handed to the trigger path, by trigger type (CRON or MISFIRE).", "type")
	r.fireSkipped = f.counter("xjob_fires_skipped_total", "Fires dropped by the misfire strategy DO_NOTHING.")
	r.fireRecovered = f.counter("xjob_fires_recovered_total", "Fires taken over from an admin node that missed them.")
	r.lateness = f.histogram("xjob_fire_lateness_milliseconds", "Delay between a fire's scheduled instant and its delivery to the trigger path.",
		[]float64{1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000})
	r.scanDuration = f.histogramVec("xjob_schedule_scan_duration_seconds", "Duration of schedule scans, by result.",
		prometheus.ExponentialBuckets(0.001, 4, 8), "result")
	r.triggerFails = f.counter("xjob_trigger_failures_total", "Triggers whose trigger_code is not 200.")
	r.callback = f.histogram("xjob_callback_latency_seconds", "Time from a trigger to the executor's result.",
		prometheus.ExponentialBuckets(0.01, 4, 10))
	r.executors = f.gauge("xjob_registered_executors", "Executor addresses with a live heartbeat.")
	r.alarms = f.counterVec("xjob_alarms_total", "Alarms sent, by channel and result (ok or error).", "channel", "result")
	r.lostRuns = f.counterVec("xjob_runs_failed_by_admin_total", "Runs failed by the admin, by reason (lost or timeout).", "reason")
	r.loopFailures = f.counterVec("xjob_background_failures_total", "Failed passes of background loops, by loop.", "loop")
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "xjob_schedule_seconds_since_last_scan",
		Help: "Seconds since the last successful schedule scan (-1 before the first).",
	}, r.sinceLastScan))
	const queueHelp = "Triggers waiting in the trigger pools, by pool (fast or slow)."
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "xjob_trigger_queue_depth", Help: queueHelp, ConstLabels: prometheus.Labels{"pool": "fast"},
	}, func() float64 { f, _ := r.depths(); return float64(f) }))
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "xjob_trigger_queue_depth", Help: queueHelp, ConstLabels: prometheus.Labels{"pool": "slow"},
	}, func() float64 { _, s := r.depths(); return float64(s) }))
	return r
}

// Handler serves the registry in the Prometheus text format (GET /metrics).
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}

// WatchQueues makes the queue depth gauges read q at every scrape.
func (r *Registry) WatchQueues(q QueueDepths) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queues = q
}

// FireDelivered implements application.Metrics.
func (r *Registry) FireDelivered(typ domain.TriggerType, lateness time.Duration) {
	r.fires.WithLabelValues(string(typ)).Inc()
	r.lateness.Observe(float64(lateness) / float64(time.Millisecond))
}

// FireSkipped implements application.Metrics.
func (r *Registry) FireSkipped() { r.fireSkipped.Inc() }

// FireRecovered implements application.Metrics.
func (r *Registry) FireRecovered() { r.fireRecovered.Inc() }

// ScanDone implements application.Metrics.
func (r *Registry) ScanDone(d time.Duration, ok bool) {
	result := "error"
	if ok {
		result = "ok"
		r.mu.Lock()
		r.lastScan = r.now()
		r.mu.Unlock()
	}
	r.scanDuration.WithLabelValues(result).Observe(d.Seconds())
}

// TriggerFailed implements application.Metrics.
func (r *Registry) TriggerFailed() { r.triggerFails.Inc() }

// CallbackLatency implements application.Metrics.
func (r *Registry) CallbackLatency(d time.Duration) { r.callback.Observe(d.Seconds()) }

// RegisteredExecutors implements application.Metrics.
func (r *Registry) RegisteredExecutors(n int) { r.executors.Set(float64(n)) }

// AlarmSent implements application.Metrics and alarm.ChannelMetrics.
func (r *Registry) AlarmSent(channel string, ok bool) {
	result := "error"
	if ok {
		result = "ok"
	}
	r.alarms.WithLabelValues(channel, result).Inc()
}

// LostRun implements application.Metrics.
func (r *Registry) LostRun(reason string) { r.lostRuns.WithLabelValues(reason).Inc() }

// LoopFailed implements application.Metrics.
func (r *Registry) LoopFailed(loop string) { r.loopFailures.WithLabelValues(loop).Inc() }

func (r *Registry) sinceLastScan() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastScan.IsZero() {
		return -1
	}
	return r.now().Sub(r.lastScan).Seconds()
}

func (r *Registry) depths() (int, int) {
	r.mu.Lock()
	q := r.queues
	r.mu.Unlock()
	if q == nil {
		return 0, 0
	}
	return q.FastDepth(), q.SlowDepth()
}

// factory creates and registers metrics in one call.
type factory struct{ reg *prometheus.Registry }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

func (f factory) histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
	f.reg.MustRegister(h)
	return h
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}
