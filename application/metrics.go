package application

import (
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// Metrics receives the measurements of the background use cases and of the
// trigger and callback paths. adapters/metrics implements it for
// Prometheus; NopMetrics is the default when none is wired. Implementations
// must be safe for concurrent use and must not block.
type Metrics interface {
	// FireDelivered counts one scheduled fire handed to the trigger path;
	// lateness is how long after its scheduled instant that happened.
	FireDelivered(typ domain.TriggerType, lateness time.Duration)
	// FireSkipped counts one fire dropped by the misfire strategy DO_NOTHING.
	FireSkipped()
	// FireRecovered counts one fire taken over from a node that missed it.
	FireRecovered()
	// ScanDone records one schedule scan: its duration and whether it
	// succeeded (a successful scan also resets "seconds since last scan").
	ScanDone(d time.Duration, ok bool)
	// TriggerFailed counts one trigger whose trigger_code is not 200.
	TriggerFailed()
	// CallbackLatency records the time from trigger to the executor's result.
	CallbackLatency(d time.Duration)
	// RegisteredExecutors sets the number of live executor addresses.
	RegisteredExecutors(n int)
	// AlarmSent counts one alarm on one channel and whether it went out.
	AlarmSent(channel string, ok bool)
	// LostRun counts one run failed by the admin; reason is "lost" or "timeout".
	LostRun(reason string)
	// LoopFailed counts one failed pass of a background loop.
	LoopFailed(loop string)
}

// NopMetrics discards every measurement.
type NopMetrics struct{}

// FireDelivered implements Metrics.
func (NopMetrics) FireDelivered(domain.TriggerType, time.Duration) {}

// FireSkipped implements Metrics.
func (NopMetrics) FireSkipped() {}

// FireRecovered implements Metrics.
func (NopMetrics) FireRecovered() {}

// ScanDone implements Metrics.
func (NopMetrics) ScanDone(time.Duration, bool) {}

// TriggerFailed implements Metrics.
func (NopMetrics) TriggerFailed() {}

// CallbackLatency implements Metrics.
func (NopMetrics) CallbackLatency(time.Duration) {}

// RegisteredExecutors implements Metrics.
func (NopMetrics) RegisteredExecutors(int) {}

// AlarmSent implements Metrics.
func (NopMetrics) AlarmSent(string, bool) {}

// LostRun implements Metrics.
func (NopMetrics) LostRun(string) {}

// LoopFailed implements Metrics.
func (NopMetrics) LoopFailed(string) {}
