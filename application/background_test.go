package application_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/clock"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// bgMsgs renders a message as its id (plus data), so tests see the keys.
type bgMsgs struct{}

func (bgMsgs) T(id string, data map[string]any) string {
	if len(data) == 0 {
		return id
	}
	return fmt.Sprintf("%s%v", id, data)
}

// bgAlarmer records alarms; jobs without alarm email have no targets.
type bgAlarmer struct {
	mu     sync.Mutex
	alarms []ports.Alarm
	err    error
}

func (a *bgAlarmer) Alarm(_ context.Context, al ports.Alarm) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.alarms = append(a.alarms, al)
	return a.err
}

func (a *bgAlarmer) HasAlarmTargets(job *domain.JobInfo) bool { return job.AlarmEmail != "" }

func (a *bgAlarmer) sent() []ports.Alarm {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]ports.Alarm(nil), a.alarms...)
}

// bgSubmitter records submitted triggers.
type bgSubmitter struct {
	mu   sync.Mutex
	reqs []application.TriggerRequest
}

func (s *bgSubmitter) Submit(r application.TriggerRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
}

func bgLog(tb testing.TB, logs ports.LogStore, l *domain.JobLog) *domain.JobLog {
	tb.Helper()
	if l.GroupID == 0 {
		l.GroupID = 1
	}
	if err := logs.CreateLogs(context.Background(), []*domain.JobLog{l}); err != nil {
		tb.Fatal(err)
	}
	return l
}

func alarmStatus(tb testing.TB, logs ports.LogStore, id int64) domain.AlarmStatus {
	tb.Helper()
	l, err := logs.FindLogByID(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return l.AlarmStatus
}

func TestMonitorFailures(t *testing.T) {
	ctx := context.Background()
	db := schedOpenSQLite(t)
	jobs, logs, groups := sqlstore.NewJobStore(db), sqlstore.NewLogStore(db), sqlstore.NewGroupStore(db)
	clk := clock.NewManual(schedT0)
	alarmer, sub := &bgAlarmer{}, &bgSubmitter{}
	m := application.NewMonitorFailures(logs, jobs, groups, sub, alarmer, bgMsgs{}, clk, nil,
		application.MonitorOptions{RateWindow: time.Minute})

	alarmed := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.AlarmEmail = "ops@example.com" })
	silent := schedCreateJob(t, jobs, nil)
	retried := bgLog(t, logs, &domain.JobLog{JobID: alarmed.ID, TriggerTime: schedT0, TriggerCode: 500, TriggerMsg: "boom",
		ExecutorFailRetryCount: 2, ExecutorShardingParam: "1/3", ExecutorParam: "p"})
	old := bgLog(t, logs, &domain.JobLog{JobID: alarmed.ID, TriggerTime: schedT0.Add(-48 * time.Hour), TriggerCode: 200, HandleCode: 500})
	orphan := bgLog(t, logs, &domain.JobLog{JobID: 9999, TriggerTime: schedT0, TriggerCode: 500})
	quiet := bgLog(t, logs, &domain.JobLog{JobID: silent.ID, TriggerTime: schedT0, TriggerCode: 200, HandleCode: 502})
	ok := bgLog(t, logs, &domain.JobLog{JobID: alarmed.ID, TriggerTime: schedT0, TriggerCode: 200, HandleCode: 200})

	n, err := m.Check(ctx)
	if err != nil || n != 4 {
		t.Fatalf("Check = %d, %v; want 4 failed logs", n, err)
	}
	m.Wait()
	for _, c := range []struct {
		name string
		id   int64
		want domain.AlarmStatus
	}{{"retried", retried.ID, domain.AlarmSuccess}, {"older than horizon", old.ID, domain.AlarmNoNeed},
		{"job deleted", orphan.ID, domain.AlarmNoNeed}, {"no alarm target", quiet.ID, domain.AlarmNoNeed},
		{"succeeded", ok.ID, domain.AlarmDefault}} {
		if got := alarmStatus(t, logs, c.id); got != c.want {
			t.Errorf("%s: alarm status %d, want %d", c.name, got, c.want)
		}
	}
	if len(sub.reqs) != 1 {
		t.Fatalf("retries %+v, want 1", sub.reqs)
	}
	r := sub.reqs[0]
	if r.JobID != alarmed.ID || r.Type != domain.TriggerRetry || r.FailRetryCount != 1 || r.ShardingParam != "1/3" ||
		r.ExecutorParam == nil || *r.ExecutorParam != "p" {
		t.Fatalf("retry %+v", r)
	}
	if l, _ := logs.FindLogByID(ctx, retried.ID); !strings.Contains(l.TriggerMsg, "boom") || !strings.Contains(l.TriggerMsg, "jobconf_trigger_type_retry") {
		t.Fatalf("trigger_msg %q lacks the retry marker", l.TriggerMsg)
	}
	if a := alarmer.sent(); len(a) != 1 || a[0].Log.ID != retried.ID || a[0].Group == nil {
		t.Fatalf("alarms %+v", a)
	}
	if n, _ := m.Check(ctx); n != 0 {
		t.Fatalf("a second pass claimed %d logs again", n)
	}

	t.Run("RateLimit", func(t *testing.T) {
		second := bgLog(t, logs, &domain.JobLog{JobID: alarmed.ID, TriggerTime: schedT0, TriggerCode: 500})
		clk.Set(schedT0.Add(10 * time.Second))
		m.Check(ctx)
		m.Wait()
		if got := alarmStatus(t, logs, second.ID); got != domain.AlarmNoNeed || len(alarmer.sent()) != 1 {
			t.Fatalf("within the window: status %d, %d alarms", got, len(alarmer.sent()))
		}
		third := bgLog(t, logs, &domain.JobLog{JobID: alarmed.ID, TriggerTime: schedT0, TriggerCode: 500})
		clk.Set(schedT0.Add(2 * time.Minute))
		m.Check(ctx)
		m.Wait()
		a := alarmer.sent()
		if len(a) != 2 || a[1].Log.ID != third.ID || a[1].Suppressed != 1 {
			t.Fatalf("after the window: %+v, want an alarm carrying 1 suppressed", a)
		}
	})

	t.Run("ErrAlarm", func(t *testing.T) {
		alarmer.err = errors.New("smtp down")
		clk.Set(schedT0.Add(time.Hour))
		failed := bgLog(t, logs, &domain.JobLog{JobID: alarmed.ID, TriggerTime: schedT0.Add(time.Hour), TriggerCode: 500})
		m.Check(ctx)
		m.Wait()
		l, _ := logs.FindLogByID(ctx, failed.ID)
		if l.AlarmStatus != domain.AlarmFailed || !strings.Contains(l.TriggerMsg, "alarm_send_fail") || !strings.Contains(l.TriggerMsg, "smtp down") {
			t.Fatalf("status %d trigger_msg %q", l.AlarmStatus, l.TriggerMsg)
		}
	})
}

func TestFailLostJobs(t *testing.T) {
	ctx := context.Background()
	db := schedOpenSQLite(t)
	jobs, logs, groups, reg := sqlstore.NewJobStore(db), sqlstore.NewLogStore(db), sqlstore.NewGroupStore(db), sqlstore.NewRegistryStore(db)
	now := schedT0.Add(time.Hour)
	clk := clock.NewManual(now)
	auto := &domain.Group{AppName: "auto-app", Title: "auto", AddressType: domain.AddressAuto}
	manual := &domain.Group{AppName: "manual-app", Title: "manual", AddressType: domain.AddressManual, AddressList: "http://m:9999"}
	for _, g := range []*domain.Group{auto, manual} {
		if err := groups.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.SaveRegistry(ctx, &domain.Registry{Group: domain.RegistryExecutor, Key: "auto-app", Value: "http://alive:9999/", UpdateTime: now}); err != nil {
		t.Fatal(err)
	}
	plain := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.GroupID = auto.ID })
	timed := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.GroupID = manual.ID; j.ExecutorTimeout = 30 })
	running := func(g *domain.Group, job *domain.JobInfo, addr string, age time.Duration) *domain.JobLog {
		return bgLog(t, logs, &domain.JobLog{GroupID: g.ID, JobID: job.ID, ExecutorAddress: addr, TriggerTime: now.Add(-age), TriggerCode: 200})
	}
	lost := running(auto, plain, "http://gone:9999/", 11*time.Minute)
	aliveRun := running(auto, plain, "http://alive:9999", 11*time.Minute)
	young := running(auto, plain, "http://gone:9999/", 5*time.Minute)
	manualOld := bgLog(t, logs, &domain.JobLog{GroupID: manual.ID, JobID: plain.ID, ExecutorAddress: "http://m:9999", TriggerTime: now.Add(-time.Hour), TriggerCode: 200})
	timedOut := running(manual, timed, "http://m:9999", 91*time.Second)
	inTime := running(manual, timed, "http://m:9999", 89*time.Second)

	uc := application.NewFailLostJobs(logs, jobs, groups, reg, bgMsgs{}, clk, nil, application.LostJobsOptions{})
	n, err := uc.Check(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Check = %d, %v; want the lost and the timed-out run", n, err)
	}
	for _, c := range []struct {
		name string
		id   int64
		code int
		msg  string
	}{{"lost", lost.ID, 500, "joblog_lost_fail"}, {"executor alive", aliveRun.ID, 0, ""}, {"young", young.ID, 0, ""},
		{"manual group, no timeout", manualOld.ID, 0, ""}, {"timed out", timedOut.ID, 502, "joblog_timeout_fail"},
		{"within timeout+grace", inTime.ID, 0, ""}} {
		l, _ := logs.FindLogByID(ctx, c.id)
		if l.HandleCode != c.code || l.HandleMsg != c.msg {
			t.Errorf("%s: handle %d %q, want %d %q", c.name, l.HandleCode, l.HandleMsg, c.code, c.msg)
		}
	}
}

func TestReportAndCleanLogs(t *testing.T) {
	ctx := context.Background()
	db := schedOpenSQLite(t)
	logs, reports := sqlstore.NewLogStore(db), sqlstore.NewReportStore(db)
	clk := clock.NewManual(schedT0)
	day := func(d int) time.Time { return schedT0.AddDate(0, 0, d) }
	bgLog(t, logs, &domain.JobLog{JobID: 1, TriggerTime: day(0), TriggerCode: 200, HandleCode: 200})
	bgLog(t, logs, &domain.JobLog{JobID: 1, TriggerTime: day(0), TriggerCode: 200})
	bgLog(t, logs, &domain.JobLog{JobID: 1, TriggerTime: day(-2), TriggerCode: 500})
	bgLog(t, logs, &domain.JobLog{JobID: 1, TriggerTime: day(-40), TriggerCode: 200, HandleCode: 200})

	if err := application.NewReportLogs(logs, reports, clk, application.ReportOptions{Location: time.UTC}).Report(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := reports.FindLogReports(ctx, day(-2).Truncate(24*time.Hour), day(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[2].SucCount != 1 || rows[2].RunningCount != 1 || rows[0].FailCount != 1 || rows[1].Total() != 0 {
		for _, r := range rows {
			t.Logf("%+v", *r)
		}
		t.Fatal("report rows wrong")
	}

	clean := application.NewCleanLogs(logs, clk, application.CleanOptions{RetentionDays: 30, Location: time.UTC})
	if n, err := clean.Clean(ctx); err != nil || n != 1 {
		t.Fatalf("Clean = %d, %v; want the 40-day-old log", n, err)
	}
	if n, _ := application.NewCleanLogs(logs, clk, application.CleanOptions{}).Clean(ctx); n != 0 {
		t.Fatal("retention 0 deleted logs")
	}
}
