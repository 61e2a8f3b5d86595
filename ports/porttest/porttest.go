// Package porttest holds contract tests for the store ports: every
// implementation (adapters/sqlstore on SQLite and MySQL today, an in-memory
// store tomorrow) runs the same suites, so they all mean the same thing.
//
//	func TestStores(t *testing.T) {
//		porttest.RunAll(t, func(t *testing.T) porttest.Stores { ...fresh database... })
//	}
//
// newStores must return stores over a fresh database per call. It may hold
// the seed rows xjob creates (the schedule_lock row and one sample executor
// group) and nothing else. Times are compared to the second.
//
// porttest imports domain and ports only.
package porttest

import (
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// Stores is one implementation of every store port over one database.
type Stores struct {
	Jobs     ports.JobStore
	Logs     ports.LogStore
	Groups   ports.GroupStore
	Registry ports.RegistryStore
	Users    ports.UserStore
	Glues    ports.GlueStore
	Reports  ports.ReportStore
	Locker   ports.ScheduleLocker
}

// NewStores returns Stores over a fresh database.
type NewStores func(t *testing.T) Stores

// RunAll runs every suite.
func RunAll(t *testing.T, newStores NewStores) {
	t.Run("JobStore", func(t *testing.T) { RunJobStoreTests(t, newStores) })
	t.Run("ScheduleLocker", func(t *testing.T) { RunScheduleLockerTests(t, newStores) })
	t.Run("LogStore", func(t *testing.T) { RunLogStoreTests(t, newStores) })
	t.Run("CompleteLogs", func(t *testing.T) { RunCompleteLogsTests(t, newStores) })
	t.Run("GroupStore", func(t *testing.T) { RunGroupStoreTests(t, newStores) })
	t.Run("RegistryStore", func(t *testing.T) { RunRegistryStoreTests(t, newStores) })
	t.Run("UserStore", func(t *testing.T) { RunUserStoreTests(t, newStores) })
	t.Run("GlueStore", func(t *testing.T) { RunGlueStoreTests(t, newStores) })
	t.Run("ReportStore", func(t *testing.T) { RunReportStoreTests(t, newStores) })
}

// base is a whole second in the past, so stored times compare exactly.
var base = time.Now().Add(-time.Hour).Truncate(time.Second)

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func equalTime(t *testing.T, name string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func equal[T comparable](t *testing.T, name string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func equalSlice[T comparable](t *testing.T, name string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", name, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s = %v, want %v", name, got, want)
			return
		}
	}
}

// mustGroup creates a group with a unique app name.
func mustGroup(t *testing.T, s Stores, app, title string) *domain.Group {
	t.Helper()
	g := &domain.Group{AppName: app, Title: title, AddressType: domain.AddressAuto, UpdateTime: base}
	ok(t, s.Groups.CreateGroup(t.Context(), g))
	if g.ID <= 0 {
		t.Fatalf("CreateGroup set ID %d", g.ID)
	}
	return g
}

// newJob returns a complete job in group.
func newJob(group int64, desc string) *domain.JobInfo {
	return &domain.JobInfo{
		GroupID: group, Desc: desc, AddTime: base, UpdateTime: base, Author: "ops", AlarmEmail: "a@example.com",
		ScheduleType: domain.ScheduleCron, ScheduleConf: "0 0 0 * * ?", MisfireStrategy: domain.MisfireDoNothing,
		RouteStrategy: domain.RouteFirst, ExecutorHandler: "demoJobHandler", ExecutorParam: "p",
		BlockStrategy: domain.BlockSerial, GlueType: domain.GlueBean, GlueRemark: "init", GlueUpdatetime: base,
	}
}

func mustJob(t *testing.T, s Stores, j *domain.JobInfo) *domain.JobInfo {
	t.Helper()
	ok(t, s.Jobs.CreateJob(t.Context(), j))
	if j.ID <= 0 {
		t.Fatalf("CreateJob set ID %d", j.ID)
	}
	return j
}

func jobIDs(jobs []*domain.JobInfo) []int64 {
	out := make([]int64, len(jobs))
	for i, j := range jobs {
		out[i] = j.ID
	}
	return out
}

func logIDs(logs []*domain.JobLog) []int64 {
	out := make([]int64, len(logs))
	for i, l := range logs {
		out[i] = l.ID
	}
	return out
}
