package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

type queues struct{ fast, slow int }

func (q queues) FastDepth() int { return q.fast }
func (q queues) SlowDepth() int { return q.slow }

func TestHandler(t *testing.T) {
	r := New()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r.now = func() time.Time { return now }
	r.WatchQueues(queues{3, 4})
	r.FireDelivered(domain.TriggerCron, 7*time.Millisecond)
	r.FireDelivered(domain.TriggerMisfire, 0)
	r.FireSkipped()
	r.ScanDone(20*time.Millisecond, true)
	now = now.Add(90 * time.Second)
	r.ScanDone(time.Millisecond, false)
	r.TriggerFailed()
	r.CallbackLatency(time.Second)
	r.RegisteredExecutors(5)
	r.AlarmSent("email", false)
	r.LostRun("timeout")
	r.LoopFailed("schedule")

	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	text := string(body)
	for _, want := range []string{
		`xjob_fires_total{type="CRON"} 1`,
		`xjob_fires_total{type="MISFIRE"} 1`,
		`xjob_fires_skipped_total 1`,
		`xjob_fire_lateness_milliseconds_bucket{le="10"} 2`,
		`xjob_fire_lateness_milliseconds_bucket{le="5"} 1`,
		`xjob_schedule_scan_duration_seconds_count{result="ok"} 1`,
		`xjob_schedule_scan_duration_seconds_count{result="error"} 1`,
		`xjob_schedule_seconds_since_last_scan 90`,
		`xjob_trigger_queue_depth{pool="fast"} 3`,
		`xjob_trigger_queue_depth{pool="slow"} 4`,
		`xjob_trigger_failures_total 1`,
		`xjob_callback_latency_seconds_count 1`,
		`xjob_registered_executors 5`,
		`xjob_alarms_total{channel="email",result="error"} 1`,
		`xjob_runs_failed_by_admin_total{reason="timeout"} 1`,
		`xjob_background_failures_total{loop="schedule"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}
